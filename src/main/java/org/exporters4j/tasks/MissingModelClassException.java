package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/** A task that has no Transformers auto-model class for the requested framework (e.g. a TensorFlow class for image classification). */
public class MissingModelClassException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public MissingModelClassException(String message) {
        super(message);
    }
}
