package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/** A model type no export configuration is registered for (the message lists close matches and how to list all). */
public class UnknownModelTypeException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public UnknownModelTypeException(String message) {
        super(message);
    }
}
