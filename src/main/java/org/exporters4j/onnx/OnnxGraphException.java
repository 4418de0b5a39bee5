package org.exporters4j.onnx;

import org.exporters4j.Exporters4jException;

/**
 * A graph that cannot be built as asked: an operator unknown to the graph's opset, a wrong number of inputs, an
 * invalid attribute, a value from another graph, a duplicate or dangling name. The message names the operator and
 * the node (or the value) and says what would be valid.
 */
public class OnnxGraphException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public OnnxGraphException(String message) {
        super(message);
    }

    public OnnxGraphException(String message, Throwable cause) {
        super(message, cause);
    }
}
