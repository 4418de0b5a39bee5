package org.exporters4j.checkpoint;

/**
 * A weight file whose content breaks its format: a truncated file, a header that is not what the format defines,
 * offsets outside the data or overlapping, an unknown element type. Nothing of such a file is used.
 */
public class CorruptCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    public CorruptCheckpointException(String message) {
        super(message);
    }

    public CorruptCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
