package org.exporters4j;

/**
 * The one unchecked base of every error exporters4j reports to its user.
 *
 * <p>Contract: the message is a complete, single-paragraph sentence that names the bad value (the file, tensor,
 * task or model type), the valid choices where there are some, and what to do about it. The CLI prints it as is,
 * without a stack trace, and exits 1. Checked exceptions from the JDK or libraries are wrapped once, at the
 * boundary where the path or name is known, and kept as the cause.
 */
public class Exporters4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Exporters4jException(String message) {
        super(message);
    }

    public Exporters4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
