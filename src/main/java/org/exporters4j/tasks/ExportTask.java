package org.exporters4j.tasks;

import org.exporters4j.models.Past;
import org.exporters4j.models.Variant;

/**
 * A task as an export asks for it: the base {@link Task}, with or without the decoder cache. {@code WITH_PAST} is
 * the {@code -with-past} form of a task: as Optimum v1.5.2's {@code OnnxConfigWithPast.with_past(config, task)}, the
 * graph takes {@code past_key_values.*} inputs and returns {@code present.*} outputs. {@code causal-lm-with-past} is
 * {@code ExportTask(CAUSAL_LM, WITH_PAST)}; the variant must be one the task has.
 */
public record ExportTask(Task task, Past past) {
    /** What the {@code -with-past} variant appends to the base task's name. */
    private static final String WITH_PAST_SUFFIX = "-with-past";

    public ExportTask {
        if (task == null || past == null) {
            throw new IllegalArgumentException("an export task needs a task and a variant");
        }
        if (!task.hasVariant(past)) {
            throw new IllegalArgumentException("task " + task.canonicalName() + " has no " + past
                    + " variant; only tasks with a decoder cache have one");
        }
    }

    /** The plain variant of {@code task}. */
    public static ExportTask of(Task task) {
        return new ExportTask(task, Past.WITHOUT_PAST);
    }

    /** The {@code -with-past} variant of {@code task}. */
    public static ExportTask withPast(Task task) {
        return new ExportTask(task, Past.WITH_PAST);
    }

    public boolean usesPast() {
        return past == Past.WITH_PAST;
    }

    /** The graph this task exports: its task's head, with the cache for {@code -with-past}. */
    public Variant graphVariant() {
        return new Variant(task.head(), past);
    }

    /** The canonical name, e.g. {@code causal-lm-with-past}. */
    public String name() {
        return task.canonicalName() + suffix();
    }

    /** Optimum 1.25.3's name, e.g. {@code text-generation-with-past} for {@code causal-lm-with-past}. */
    public String todaysName() {
        return task.todaysName() + suffix();
    }

    private String suffix() {
        return usesPast() ? WITH_PAST_SUFFIX : "";
    }

    @Override
    public String toString() {
        return name();
    }
}
