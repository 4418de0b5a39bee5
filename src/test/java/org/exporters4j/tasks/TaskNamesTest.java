package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.Past;
import org.junit.jupiter.api.Test;

/** Task names: canonical names, variants, and today's synonyms against ../shared/reference/optimum-main-registry.json. */
class TaskNamesTest {
    @Test
    void canonicalNamesParseToTheirTasks() {
        assertEquals(new ExportTask(Task.CAUSAL_LM, Past.WITH_PAST), TaskNames.parse("causal-lm-with-past"));
        assertEquals(ExportTask.of(Task.SPEECH2SEQ_LM), TaskNames.parse("SPEECH2SEQ-LM"));
        for (String name : TaskNames.canonicalNames()) {
            assertEquals(name, TaskNames.parse(name).name());
        }
        assertEquals(18 + 4 + 1, TaskNames.canonicalNames().size(), "Optimum v1.5.2's 18, the 4 audio tasks and "
                + "zero-shot-image-classification");
    }

    @Test
    void onlyDecoderTasksHaveAWithPastVariant() {
        List<Task> withPast = new ArrayList<>();
        for (Task task : Task.values()) {
            if (task.hasVariant(Past.WITH_PAST)) {
                withPast.add(task);
            }
        }
        assertEquals(List.of(Task.DEFAULT, Task.CAUSAL_LM, Task.SEQ2SEQ_LM, Task.SPEECH2SEQ_LM), withPast);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ExportTask.withPast(Task.MASKED_LM));
        assertEquals("task masked-lm has no WITH_PAST variant; only tasks with a decoder cache have one",
                error.getMessage());
        assertThrows(UnknownTaskException.class, () -> TaskNames.parse("image-classification-with-past"));
    }

    /**
     * Each of today's names maps to the Optimum v1.5.2 task whose name today's Optimum replaced by it, directly or
     * through another synonym (sentence-similarity → feature-extraction → default); names whose chain ends outside
     * the 1.5.2 tasks are refused.
     */
    @Test
    void synonymsAreTheInverseOfTodaysSynonymMap() throws IOException {
        JsonNode main = ReferenceRegistry.JSON.readTree(SharedFiles.reference("optimum-main-registry.json").toFile());
        JsonNode synonymMap = main.get("task_synonyms");
        Map<String, String> inverse = new java.util.LinkedHashMap<>();
        synonymMap.fields().forEachRemaining(entry -> {
            // audio-ctc is a task of its own here; automatic-speech-recognition stays speech2seq-lm's name (and
            // CTC's for the model types whose rows register CTC, see meaningFor below)
            if (TaskNames.canonicalNames().contains(entry.getKey()) && !entry.getKey().equals("audio-ctc")) {
                inverse.put(entry.getValue().asText(), entry.getKey());
            }
        });
        assertEquals("default", inverse.get("feature-extraction"));
        assertEquals("causal-lm-with-past", inverse.get("text-generation-with-past"));
        synonymMap.fields().forEachRemaining(entry -> {
            String name = entry.getKey();
            String today = entry.getValue().asText();
            String expected = TaskNames.canonicalNames().contains(name) ? name : inverse.get(today);
            if (name.equals("audio-ctc")) {
                assertEquals(ExportTask.of(Task.CTC), TaskNames.parse(name));
                assertEquals(ExportTask.of(Task.CTC), CheckpointLoader.meaningFor(TaskNames.parse(today), "wavlm"));
                assertEquals(ExportTask.of(Task.SPEECH2SEQ_LM), CheckpointLoader.meaningFor(TaskNames.parse(today),
                        "whisper"));
                return;
            }
            if (expected == null) {
                UnknownTaskException error = assertThrows(UnknownTaskException.class, () -> TaskNames.parse(name));
                assertTrue(error.getMessage().contains("no equivalent"), error.getMessage());
                assertThrows(UnknownTaskException.class, () -> TaskNames.parse(today));
            } else {
                assertEquals(expected, TaskNames.parse(name).name(), name);
                assertEquals(expected, TaskNames.parse(today).name(), today);
            }
        });
        assertEquals("audio-ctc", TaskNames.parse("audio-ctc").name());
    }

    /**
     * Each task's name in Optimum 1.25.3 (what today's rows list) is the target of that task's name in 1.25.3's
     * synonym map, or the task's own name where 1.25.3 kept it, and parses back to the task.
     */
    @Test
    void todaysNameOfEachTaskIsOptimum1253s() throws IOException {
        JsonNode synonyms = ReferenceRegistry.JSON.readTree(SharedFiles.reference("optimum-1.25.3-onnx-registry.json")
                .toFile()).get("task_synonyms");
        for (Task task : Task.values()) {
            JsonNode renamed = synonyms.get(task.canonicalName());
            assertEquals(renamed == null ? task.canonicalName() : renamed.asText(), task.todaysName(), task.name());
            for (Past variant : task.variants()) {
                ExportTask exportTask = new ExportTask(task, variant);
                // automatic-speech-recognition names two auto classes: the model type's row says which
                assertEquals(exportTask, task == Task.CTC
                        ? CheckpointLoader.meaningFor(TaskNames.parse(exportTask.todaysName()), "wav2vec2")
                        : TaskNames.parse(exportTask.todaysName()));
            }
        }
        assertEquals("text-generation-with-past", ExportTask.withPast(Task.CAUSAL_LM).todaysName());
        assertEquals("text-generation-with-past", RegistrySource.OPTIMUM_1_25_3.taskName(
                ExportTask.withPast(Task.CAUSAL_LM)));
        assertEquals("causal-lm-with-past", RegistrySource.OPTIMUM_1_5_2.taskName(ExportTask.withPast(Task.CAUSAL_LM)));
    }

    @Test
    void everyTaskOfTodaysOptimumIsAcceptedOrRefusedWithAReason() throws IOException {
        JsonNode main = ReferenceRegistry.JSON.readTree(SharedFiles.reference("optimum-main-registry.json").toFile());
        for (String task : ReferenceRegistry.strings(main.get("all_tasks"))) {
            if (TaskNames.namesWithoutEquivalent().contains(task)) {
                assertThrows(UnknownTaskException.class, () -> TaskNames.parse(task), task);
            } else {
                assertTrue(TaskNames.canonicalNames().contains(TaskNames.parse(task).name()), task);
            }
        }
        assertEquals(Map.entry("fill-mask", "masked-lm"), TaskNames.synonyms().entrySet().stream()
                .filter(entry -> entry.getKey().equals("fill-mask")).findFirst().orElseThrow());
    }

    @Test
    void closeMatchesRankByEditDistance() {
        assertEquals(3, CloseMatches.distance("kitten", "sitting"));
        assertEquals(1, CloseMatches.distance("bret", "bert"));
        assertEquals(List.of("gpt2", "gptj"), CloseMatches.of("gpt3", List.of("bert", "gpt2", "gptj"), 3));
        assertEquals(List.of("deberta-v2", "deberta"), CloseMatches.of("deberta-v3", List.of("deberta", "deberta-v2"), 3));
        assertEquals(List.of(), CloseMatches.of("", List.of("bert"), 3));
    }
}
