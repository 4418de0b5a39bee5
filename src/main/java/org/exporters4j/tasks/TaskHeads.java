package org.exporters4j.tasks;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;

/**
 * Which model head each task exports: the bridge from task names (this package) to the graphs package
 * {@code models} builds, which speaks only in heads and variants. One row per task, in {@link Task}'s order.
 */
public final class TaskHeads {
    private static final Map<Task, Head> HEADS = table(
            Task.DEFAULT, Head.BASE,
            Task.MASKED_LM, Head.MASKED_LM,
            Task.CAUSAL_LM, Head.CAUSAL_LM,
            Task.SEQ2SEQ_LM, Head.SEQ2SEQ_LM,
            Task.SEQUENCE_CLASSIFICATION, Head.SEQUENCE_CLASSIFICATION,
            Task.TOKEN_CLASSIFICATION, Head.TOKEN_CLASSIFICATION,
            Task.MULTIPLE_CHOICE, Head.MULTIPLE_CHOICE,
            Task.OBJECT_DETECTION, Head.OBJECT_DETECTION,
            Task.QUESTION_ANSWERING, Head.QUESTION_ANSWERING,
            Task.IMAGE_CLASSIFICATION, Head.IMAGE_CLASSIFICATION,
            Task.IMAGE_SEGMENTATION, Head.IMAGE_SEGMENTATION,
            Task.MASKED_IM, Head.MASKED_IM,
            Task.SEMANTIC_SEGMENTATION, Head.SEMANTIC_SEGMENTATION,
            Task.SPEECH2SEQ_LM, Head.SPEECH2SEQ_LM);

    private TaskHeads() {}

    /** The head a task exports. */
    public static Head headOf(Task task) {
        return HEADS.get(task);
    }

    /** The graph variant of an export task: its head, with the cache for {@code -with-past}. */
    public static Variant variantOf(ExportTask task) {
        Head head = headOf(task.task());
        return task.usesPast() ? Variant.withPast(head) : Variant.of(head);
    }

    private static Map<Task, Head> table(Object... taskThenHead) {
        Map<Task, Head> map = new EnumMap<>(Task.class);
        for (int i = 0; i < taskThenHead.length; i += 2) {
            Task task = (Task) taskThenHead[i];
            if (map.put(task, (Head) taskThenHead[i + 1]) != null) {
                throw new IllegalStateException("duplicate task row: " + task);
            }
        }
        if (map.size() != Task.values().length) {
            throw new IllegalStateException("every task needs a head row; missing "
                    + java.util.EnumSet.complementOf(java.util.EnumSet.copyOf(map.keySet())));
        }
        return Collections.unmodifiableMap(map);
    }
}
