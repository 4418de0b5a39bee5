package org.exporters4j.checkpoint;

import org.exporters4j.Exporters4jException;

/** A {@code config.json} that is missing, not JSON, or lacks a value the export needs. */
public class ModelConfigException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public ModelConfigException(String message) {
        super(message);
    }

    public ModelConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
