package org.exporters4j.hub;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently a Hub request is retried after a transient failure (connection refused or dropped,
 * timeout, HTTP 5xx or 429): at most {@code maxAttempts} attempts in all, waiting {@code initialDelay} before the
 * second, doubling each time up to {@code maxDelay}. Client errors (other 4xx) are never retried. A download that
 * received bytes before failing resumes from them, and that progress restores its attempts (as huggingface_hub's
 * {@code http_get}), so a slow but moving transfer is not abandoned; what bounds such a transfer is
 * {@link HubLimits}: a deadline and a number of requests per file.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    /** Five attempts, waiting 1, 2, 4, 8 seconds between them. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(16));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay, got " + initialDelay + " and "
                    + maxDelay);
        }
    }

    /** The wait before attempt number {@code attempt} (2 for the first retry). */
    public Duration delayBefore(int attempt) {
        if (attempt <= 1) {
            return Duration.ZERO;
        }
        Duration delay = initialDelay;
        for (int i = 2; i < attempt && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
