package org.exporters4j.onnx;

import java.util.List;
import java.util.Objects;

/**
 * One operator application in a built graph: the op type and its domain (the default ONNX domain, or ONNX Runtime's
 * contrib operators), a unique node name, the value names it reads ({@code ""} for an omitted optional input) and
 * writes, and its attributes.
 */
public record Node(String opType, String name, List<String> inputs, List<String> outputs, List<Attribute> attributes,
                   OperatorDomain domain) {
    /** A node of the default ONNX domain. */
    public Node(String opType, String name, List<String> inputs, List<String> outputs, List<Attribute> attributes) {
        this(opType, name, inputs, outputs, attributes, OperatorDomain.ONNX);
    }

    public Node {
        if (domain == null) {
            throw new OnnxGraphException(opType + " node '" + name + "' needs a domain (OperatorDomain.ONNX for the"
                    + " standard operators)");
        }
        if (opType == null || opType.isBlank() || name == null || name.isBlank()) {
            throw new OnnxGraphException("a node needs an op type and a name, got " + opType + " '" + name + "'");
        }
        if (inputs == null || outputs == null || attributes == null || inputs.stream().anyMatch(Objects::isNull)
                || outputs.stream().anyMatch(Objects::isNull) || attributes.stream().anyMatch(Objects::isNull)) {
            throw new OnnxGraphException(opType + " node '" + name + "' has a null input, output or attribute");
        }
        // an omitted optional output is "" (as ONNX writes it); at least one output is named
        if (outputs.isEmpty() || outputs.stream().allMatch(String::isEmpty)) {
            throw new OnnxGraphException(opType + " node '" + name + "' needs at least one named output");
        }
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = List.copyOf(attributes);
    }
}
