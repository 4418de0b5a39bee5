package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/** A model type asked for that is not the {@code model_type} of the config file given with it. */
public class ModelTypeMismatchException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public ModelTypeMismatchException(String message) {
        super(message);
    }
}
