package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A part of the graph built at most once, on first use: an encoder that both an output and the decoder's
 * cross-attention read, a position bias every layer adds. Nothing is built (and no weight read) if nobody asks.
 *
 * @param <T> what is built
 */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<T> build;
    private T value;

    private Lazy(Supplier<T> build) {
        this.build = Objects.requireNonNull(build, "build");
    }

    /** {@code build}, run on the first {@link #get()} only. */
    public static <T> Lazy<T> of(Supplier<T> build) {
        return new Lazy<>(build);
    }

    @Override
    public T get() {
        if (value == null) {
            value = Objects.requireNonNull(build.get(), "a lazily built part of the graph");
        }
        return value;
    }
}
