package org.exporters4j.hub;

import java.io.PrintStream;

/**
 * Watches downloads: one {@link #started}, any number of {@link #advanced}, then {@link #finished} per file (also
 * after a failure). Called from the downloading thread only.
 */
public interface DownloadProgress {
    /**
     * A download begins.
     *
     * @param file       the repository path being downloaded
     * @param totalBytes the file's size
     * @param resumedAt  bytes already on disk from an earlier, interrupted attempt
     */
    void started(String file, long totalBytes, long resumedAt);

    /** {@code bytesOnDisk} of the file are now written. */
    void advanced(long bytesOnDisk);

    /** The download ended, complete or not. */
    void finished();

    /** Reports nothing. */
    static DownloadProgress quiet() {
        return QuietProgress.INSTANCE;
    }

    /**
     * A progress bar on stderr for files of {@link TerminalProgressBar#MIN_BYTES} or more when a terminal is
     * attached ({@code System.console() != null}), quiet otherwise (pipes, CI logs, tests).
     */
    static DownloadProgress forConsole() {
        return System.console() != null ? new TerminalProgressBar(System.err) : quiet();
    }

    /** A progress bar printed to {@code out}, whether or not it is a terminal. */
    static DownloadProgress bar(PrintStream out) {
        return new TerminalProgressBar(out);
    }
}
