package org.exporters4j.hub;

import java.time.Duration;
import java.util.Objects;

/**
 * When a Hub operation (one metadata request, or one file's download with every retry and resume) must be over,
 * and the setting that decides it, so that running out of time names the knob that raises it. Every wait of the
 * operation (connecting, waiting for headers, reading a body, pausing before a retry) is capped by what is left.
 */
final class Deadline {
    private static final Duration SHORTEST_WAIT = Duration.ofMillis(1);

    private final Duration limit;
    private final String setting;
    private final long endNanos;

    private Deadline(Duration limit, String setting) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.setting = Objects.requireNonNull(setting, "setting");
        this.endNanos = System.nanoTime() + limit.toNanos();
    }

    /** A deadline {@code limit} from now, set by the environment variable {@code setting}. */
    static Deadline after(Duration limit, String setting) {
        return new Deadline(limit, setting);
    }

    boolean passed() {
        return System.nanoTime() - endNanos >= 0;
    }

    /** {@code wait}, shortened to what is left of the deadline (at least a millisecond: HTTP timeouts must be > 0). */
    Duration cap(Duration wait) {
        Duration left = Duration.ofNanos(endNanos - System.nanoTime());
        if (left.compareTo(SHORTEST_WAIT) < 0) {
            return SHORTEST_WAIT;
        }
        return left.compareTo(wait) < 0 ? left : wait;
    }

    /** The one-line error for {@code what} running out of time. */
    HubException exceeded(String what) {
        return new HubException(HubException.Kind.UNREACHABLE, "gave up on " + what + " after " + describe(limit)
                + ", the limit set by " + setting + "; the server is too slow or keeps failing: try again later, or "
                + "raise " + setting + " (seconds)");
    }

    /** "10 s" or "300 ms". */
    static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
