package org.exporters4j.export;

import java.util.Objects;

/**
 * The written model failed validation in ONNX Runtime; nothing was published. The message is one line; the
 * {@link #report()} lists every check.
 */
public class ValidationFailedException extends ExportException {
    private static final long serialVersionUID = 1L;

    private final transient ValidationReport report;

    public ValidationFailedException(String message, ValidationReport report) {
        super(message);
        this.report = Objects.requireNonNull(report, "report");
    }

    public ValidationReport report() {
        return report;
    }
}
