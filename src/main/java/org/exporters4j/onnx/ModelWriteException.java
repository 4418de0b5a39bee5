package org.exporters4j.onnx;

import org.exporters4j.Exporters4jException;

/**
 * Writing an ONNX model failed: the folder is not writable, the disk is full, a tensor's data could not be read or
 * did not have the size it declared, or the model is too large for the chosen weight location. No partial model is
 * left behind; the message names the file or tensor.
 */
public class ModelWriteException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public ModelWriteException(String message) {
        super(message);
    }

    public ModelWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
