package org.exporters4j.models;

import java.util.Locale;
import java.util.Objects;

/**
 * One graph an architecture can build: a head, with or without the past key/value cache as graph inputs and
 * outputs (Optimum's {@code -with-past} tasks).
 */
public record Variant(Head head, Past past) {
    public Variant {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(past, "past");
    }

    /** The head without the cache. */
    public static Variant of(Head head) {
        return new Variant(head, Past.WITHOUT_PAST);
    }

    /** The head with the cache as inputs and outputs. */
    public static Variant withPast(Head head) {
        return new Variant(head, Past.WITH_PAST);
    }

    public boolean usesPast() {
        return past == Past.WITH_PAST;
    }

    @Override
    public String toString() {
        String name = head.name().toLowerCase(Locale.ROOT).replace('_', '-');
        return usesPast() ? name + " with past" : name;
    }
}
