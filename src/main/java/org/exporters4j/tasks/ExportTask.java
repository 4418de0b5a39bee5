package org.exporters4j.tasks;

import org.exporters4j.models.Variant;

/**
 * A task as an export asks for it: the base {@link Task} and its {@link TaskVariant}. {@code causal-lm-with-past}
 * is {@code ExportTask(CAUSAL_LM, WITH_PAST)}; the variant must be one the task has.
 */
public record ExportTask(Task task, TaskVariant variant) {
    public ExportTask {
        if (task == null || variant == null) {
            throw new IllegalArgumentException("an export task needs a task and a variant");
        }
        if (!task.hasVariant(variant)) {
            throw new IllegalArgumentException("task " + task.canonicalName() + " has no " + variant
                    + " variant; only tasks with a decoder cache have one");
        }
    }

    /** The plain variant of {@code task}. */
    public static ExportTask of(Task task) {
        return new ExportTask(task, TaskVariant.PLAIN);
    }

    /** The {@code -with-past} variant of {@code task}. */
    public static ExportTask withPast(Task task) {
        return new ExportTask(task, TaskVariant.WITH_PAST);
    }

    public boolean usesPast() {
        return variant == TaskVariant.WITH_PAST;
    }

    /** The graph this task exports: its task's head, with the cache for {@code -with-past}. */
    public Variant graphVariant() {
        return usesPast() ? Variant.withPast(task.head()) : Variant.of(task.head());
    }

    /** The canonical name, e.g. {@code causal-lm-with-past}. */
    public String name() {
        return task.canonicalName() + variant.suffix();
    }

    /** Optimum 1.25.3's name, e.g. {@code text-generation-with-past} for {@code causal-lm-with-past}. */
    public String todaysName() {
        return task.todaysName() + variant.suffix();
    }

    @Override
    public String toString() {
        return name();
    }
}
