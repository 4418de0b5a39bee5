package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/** A task the model type has no export configuration for (the message lists the type's tasks). */
public class UnsupportedTaskException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public UnsupportedTaskException(String message) {
        super(message);
    }
}
