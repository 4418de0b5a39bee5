package org.exporters4j.export;

import org.exporters4j.Exporters4jException;

/** An export cannot proceed (model folder, task, opset, output folder …); the message says what to do. */
public class ExportException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
