package org.exporters4j.checkpoint;

import org.exporters4j.Exporters4jException;

/**
 * A checkpoint's weights cannot be found or read. The message names the folder or file (and the tensor) and what to
 * do about it.
 */
public class CheckpointException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
