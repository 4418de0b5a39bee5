package org.exporters4j.cli;

import java.util.Optional;
import org.exporters4j.export.ExportStop;
import org.exporters4j.export.StopSignal;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) handlers that stop through {@link ExportStop} instead of the JVM's immediate exit: an
 * exit while ONNX Runtime is creating or running the validation session crashes the JVM (its shutdown hook frees the
 * native environment under the running call), and an exit must not cut a publish in the middle. With no such step
 * under way the handler exits at once (the unpublished staging folder removed); otherwise the export stops at the
 * step's end and the command exits with the same code. Either way the exit code is 128 plus the signal's number (143,
 * 130) and one line says what the output folder holds.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to replace the JVM's handler of these
 * signals; where the JVM does not let it (-Xrs), the JVM's own handling stays.
 */
final class StopSignals {
    /** Whether the one line about the stop was printed; guarded by the class. */
    private static boolean reported;
    /** The signal that asked this JVM to stop, if one did. */
    private static volatile StopSignal raised;

    private StopSignals() {}

    static void install() {
        for (StopSignal signal : StopSignal.values()) {
            try {
                Signal.handle(new Signal(signal.shortName()), raised -> stop(signal));
            } catch (IllegalArgumentException usedByTheJvm) {
                // -Xrs or an embedding that owns the signal: the JVM's default handling stays
            }
        }
    }

    private static void stop(StopSignal signal) {
        if (raised == null) {
            raised = signal;
        }
        ExportStop.Decision decision = ExportStop.request(signal);
        if (decision.exitNow()) {
            if (claimReport()) {
                System.err.println("stopped by " + signal + (decision.outcome().isEmpty() ? "" : ": "
                        + decision.outcome()));
                System.err.flush();
            }
            System.exit(signal.exitCode());
        }
    }

    /**
     * The signal that asked this JVM to stop, if any. Once it has, a command failing for what the stop removed (the
     * staging folder, discarded under the still-running export) reports nothing of its own: the stop's one line says
     * what the output folder holds, and the exit code is the signal's.
     */
    static Optional<StopSignal> raised() {
        return Optional.ofNullable(raised);
    }

    /**
     * True for the first caller only: the signal handler (exiting at once) and the command (stopped at a step's end)
     * may both reach the point of reporting the stop; one line is printed.
     */
    static synchronized boolean claimReport() {
        if (reported) {
            return false;
        }
        reported = true;
        return true;
    }
}
