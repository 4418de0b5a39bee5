package org.exporters4j.tasks;

/**
 * Whether an export feeds the decoder its key/value cache. {@link #WITH_PAST} is the {@code -with-past} form of a
 * task: as Optimum v1.5.2's {@code OnnxConfigWithPast.with_past(config, task)}, the graph takes
 * {@code past_key_values.*} inputs and returns {@code present.*} outputs.
 */
public enum TaskVariant {
    /** The task as is: the whole sequence in one forward pass, no cache. */
    PLAIN(""),
    /** One decoding step on top of a cache: {@code past_key_values.*} in, {@code present.*} out. */
    WITH_PAST("-with-past");

    private final String suffix;

    TaskVariant(String suffix) {
        this.suffix = suffix;
    }

    /** What the variant appends to the base task's name ({@code ""} or {@code "-with-past"}). */
    public String suffix() {
        return suffix;
    }
}
