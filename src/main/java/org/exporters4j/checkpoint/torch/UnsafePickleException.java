package org.exporters4j.checkpoint.torch;

import org.exporters4j.checkpoint.CheckpointException;

/**
 * A pickle that refers to a Python global outside the allow-list a state dict needs (e.g. {@code os.system}). It is
 * refused when the reference is read, so nothing the pickle describes is ever built or run.
 */
public class UnsafePickleException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    private final String global;

    public UnsafePickleException(String global, String message) {
        super(message);
        this.global = global;
    }

    /** The refused global, {@code module.name}. */
    public String global() {
        return global;
    }
}
