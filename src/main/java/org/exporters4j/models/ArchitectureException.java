package org.exporters4j.models;

import org.exporters4j.Exporters4jException;

/**
 * A graph cannot be built for this model: the model type has no architecture here, the architecture has no such
 * head, or the checkpoint does not fit the head. The message names the model type, option or tensor and the fix.
 */
public class ArchitectureException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public ArchitectureException(String message) {
        super(message);
    }

    public ArchitectureException(String message, Throwable cause) {
        super(message, cause);
    }
}
