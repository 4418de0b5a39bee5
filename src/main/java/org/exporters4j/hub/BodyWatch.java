package org.exporters4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body when no byte arrives for {@code silence}, or when the operation's {@link Deadline} passes,
 * which ends the blocked read with an IOException: the JDK's HTTP client has no read timeout for response bodies
 * (its request timeout ends when the headers arrive, and its body stream ignores interrupts), so a server that
 * sends headers and then stalls, or drips a byte now and then, would otherwise hold the reader forever.
 */
final class BodyWatch {
    /** Why the body was closed. */
    enum Cut { NONE, SILENCE, DEADLINE }

    private final InputStream body;
    private final Duration silence;
    private final Deadline deadline;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress = System.nanoTime();
    private boolean closed;
    private Cut cut = Cut.NONE;

    BodyWatch(InputStream body, Duration silence, Deadline deadline, ScheduledExecutorService watchdog) {
        this.body = body;
        this.silence = silence;
        this.deadline = deadline;
        long period = Math.max(10, Math.min(1000, silence.toMillis() / 4));
        this.check = watchdog.scheduleAtFixedRate(this::inspect, period, period, TimeUnit.MILLISECONDS);
    }

    /** Bytes arrived. */
    void progressed() {
        lastProgress = System.nanoTime();
    }

    Duration silence() {
        return silence;
    }

    /** Stops watching; returns whether (and why) the body was closed by the watch. */
    synchronized Cut close() {
        if (!closed) {
            closed = true;
            check.cancel(false);
        }
        return cut;
    }

    private synchronized void inspect() {
        if (closed || cut != Cut.NONE) {
            return;
        }
        if (deadline.passed()) {
            cut = Cut.DEADLINE;
        } else if (System.nanoTime() - lastProgress > silence.toNanos()) {
            cut = Cut.SILENCE;
        } else {
            return;
        }
        try {
            body.close();
        } catch (IOException e) {
            // the reader sees the stream end with an error either way
        }
    }
}
