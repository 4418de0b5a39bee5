package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;
import org.junit.jupiter.api.Test;

class TaskHeadTest {
    @Test
    void everyTaskHasTheHeadOfItsName() {
        for (Task task : Task.values()) {
            Head head = task.head();
            assertNotNull(head, task.canonicalName());
            String expected = task == Task.DEFAULT ? "BASE" : task.name();
            assertEquals(expected, head.name(), "the head of " + task.canonicalName());
        }
    }

    @Test
    void withPastTasksUseTheCache() {
        assertEquals(Variant.withPast(Head.CAUSAL_LM), ExportTask.withPast(Task.CAUSAL_LM).graphVariant());
        assertEquals(Variant.of(Head.SEQUENCE_CLASSIFICATION),
                ExportTask.of(Task.SEQUENCE_CLASSIFICATION).graphVariant());
        assertEquals(Variant.of(Head.BASE), TaskNames.parse("feature-extraction").graphVariant());
    }
}
