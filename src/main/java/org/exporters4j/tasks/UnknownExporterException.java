package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/** An export backend that does not exist, or that a model type has no configuration for. */
public class UnknownExporterException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public UnknownExporterException(String message) {
        super(message);
    }
}
