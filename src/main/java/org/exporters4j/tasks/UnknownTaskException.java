package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/** A task name that is neither an Optimum v1.5.2 task nor one of today's synonyms of one. */
public class UnknownTaskException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public UnknownTaskException(String message) {
        super(message);
    }
}
