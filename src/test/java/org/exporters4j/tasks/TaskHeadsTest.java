package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;
import org.junit.jupiter.api.Test;

class TaskHeadsTest {
    @Test
    void everyTaskHasTheHeadOfItsName() {
        for (Task task : Task.values()) {
            Head head = TaskHeads.headOf(task);
            assertNotNull(head, task.canonicalName());
            String expected = task == Task.DEFAULT ? "BASE" : task.name();
            assertEquals(expected, head.name(), "the head of " + task.canonicalName());
        }
    }

    @Test
    void withPastTasksUseTheCache() {
        assertEquals(Variant.withPast(Head.CAUSAL_LM), TaskHeads.variantOf(ExportTask.withPast(Task.CAUSAL_LM)));
        assertEquals(Variant.of(Head.SEQUENCE_CLASSIFICATION),
                TaskHeads.variantOf(ExportTask.of(Task.SEQUENCE_CLASSIFICATION)));
        assertEquals(Variant.of(Head.BASE), TaskHeads.variantOf(TaskNames.parse("feature-extraction")));
    }
}
