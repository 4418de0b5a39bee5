package org.exporters4j.export;

import java.util.Objects;

/**
 * The export stopped because the JVM was asked to stop ({@link StopSignal}); the message says what the output folder
 * holds. The CLI exits with {@link StopSignal#exitCode()}.
 */
public class ExportInterruptedException extends ExportException {
    private static final long serialVersionUID = 1L;

    private final StopSignal signal;

    public ExportInterruptedException(StopSignal signal, String message) {
        super(message);
        this.signal = Objects.requireNonNull(signal, "signal");
    }

    /** The signal that stopped the export. */
    public StopSignal signal() {
        return signal;
    }
}
