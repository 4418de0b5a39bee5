package org.exporters4j.tasks;

import org.exporters4j.Exporters4jException;

/** A framework other than {@code pt} or {@code tf}. */
public class UnknownFrameworkException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    public UnknownFrameworkException(String message) {
        super(message);
    }
}
