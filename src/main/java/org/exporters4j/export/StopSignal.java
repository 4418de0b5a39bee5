package org.exporters4j.export;

/**
 * A request to stop the JVM that {@link ExportStop} coordinates with the steps an exit must not cut. The exit code is
 * the shell's convention for a process ended by the signal: 128 plus its number.
 */
public enum StopSignal {
    /** Ctrl-C: exit code 130. */
    SIGINT(2),
    /** {@code kill}, a container or service stop: exit code 143. */
    SIGTERM(15);

    private final int number;

    StopSignal(int number) {
        this.number = number;
    }

    /** The POSIX signal number (2, 15). */
    public int number() {
        return number;
    }

    /** 128 plus the signal number, as a shell reports a process the signal ended. */
    public int exitCode() {
        return 128 + number;
    }

    /** The name without the {@code SIG} prefix, as {@code kill -l} and {@code sun.misc.Signal} spell it. */
    public String shortName() {
        return name().substring("SIG".length());
    }
}
