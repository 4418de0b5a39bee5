package org.exporters4j.models;

/**
 * Whether a graph takes and returns the attention cache: the second axis of a {@link Variant} beside its
 * {@link Head}, and of a task as an export asks for it (Optimum's {@code -with-past} tasks).
 */
public enum Past {
    /** A full forward pass over the whole sequence. */
    WITHOUT_PAST,
    /** One decoding step: the cache of earlier steps is an input, the updated cache an output. */
    WITH_PAST
}
