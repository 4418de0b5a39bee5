package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The rows that follow Optimum 1.25.3's registry against it, as ../shared/reference/optimum-1.25.3-onnx-registry.json
 * records it: the model type's tasks in order under today's names, and for every task the inputs and outputs with
 * their dynamic axes, the opset, the tolerance, values_override and the config class. A {@code -with-past} task is
 * compared with the interface {@code main_export} builds for it, as the registry's {@code main_export} entry names
 * it: the one that takes the cache ({@code use_past_in_inputs=True}) for {@code text-generation-with-past} (one
 * graph serves the prompt, fed an empty past, and every later step), the one with the present in the outputs only
 * ({@code use_past_in_inputs=False}) for {@code feature-extraction-with-past}.
 */
class TodaysRegistryReferenceTest {
    private static final int LAYERS = 3;

    private static JsonNode registry() throws IOException {
        return ReferenceRegistry.JSON.readTree(SharedFiles.reference("optimum-1.25.3-onnx-registry.json").toFile())
                .get("model_types");
    }

    private static List<String> typesFrom(RegistrySource source) {
        return TasksManager.getSupportedModelTypes("onnx").stream()
                .filter(type -> TasksManager.getRegistrySource(type) == source).toList();
    }

    @Test
    void todaysRowsAreOptimum1253sTypesAndExporters4jsOwnAreNot() throws IOException {
        JsonNode registry = registry();
        List<String> todays = typesFrom(RegistrySource.OPTIMUM_1_25_3);
        assertTrue(todays.containsAll(List.of("llama", "mistral", "qwen2")), todays.toString());
        for (String type : todays) {
            assertTrue(registry.has(type), type + " is not in Optimum 1.25.3's registry");
        }
        for (String type : typesFrom(RegistrySource.EXPORTERS4J)) {
            assertFalse(registry.has(type), type + " is in Optimum 1.25.3's registry: its row must follow it");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyTaskOfTodaysRowsMatchesTheRegistry() throws IOException {
        JsonNode registry = registry();
        List<DynamicTest> tests = new ArrayList<>();
        for (String modelType : typesFrom(RegistrySource.OPTIMUM_1_25_3)) {
            JsonNode type = registry.get(modelType);
            tests.add(DynamicTest.dynamicTest(modelType + " tasks", () -> assertEquals(
                    ReferenceRegistry.strings(type.get("tasks")),
                    new ArrayList<>(TasksManager.getSupportedTasksForModelType(modelType, "onnx").keySet()))));
            for (String task : ReferenceRegistry.strings(type.get("tasks"))) {
                tests.add(DynamicTest.dynamicTest(modelType + " " + task, () -> compare(modelType, type, task)));
            }
        }
        return tests.stream();
    }

    private static void compare(String modelType, JsonNode type, String task) {
        JsonNode perTask = type.get("per_task").get(task);
        JsonNode declared = perTask.has("past_variants")
                ? perTask.get("past_variants").get(mainExportVariant(perTask)) : perTask;
        String where = modelType + " / " + task;
        ExportConfig config = TasksManager.getExporterConfigConstructor(modelType, "onnx", task)
                // Optimum's default_config is AutoConfig.for_model(type): it has use_cache where the class does
                .create(OnnxRegistryReferenceTest.referenceConfig(modelType,
                        org.exporters4j.checkpoint.ModelConfig.defaultsFor(modelType).has("use_cache")));
        // the registry lists inputs in dict order; the graph's follow the forward signature (checked on fixtures)
        Map<String, Map<Integer, String>> inputs = ReferenceRegistry.expand(declared.get("inputs"), LAYERS);
        assertEquals(new TreeMap<>(inputs), new TreeMap<>(ReferenceRegistry.asMap(config.inputs())), where);
        assertEquals(ReferenceRegistry.expand(declared.get("outputs"), LAYERS),
                ReferenceRegistry.asMap(config.outputs()), where);
        assertEquals(new ArrayList<>(ReferenceRegistry.expand(declared.get("outputs"), LAYERS).keySet()),
                config.outputNames(), where + " output order");
        assertEquals(perTask.get("opset").asInt(), config.defaultOpset(), where + " opset");
        assertEquals(perTask.get("atol").asDouble(), config.atol(), 0.0, where + " atol");
        assertEquals(perTask.get("onnx_config_class").asText(), config.configClassName(), where);
        // Optimum's None: nothing overridden
        assertEquals(declared.get("values_override").isNull() ? Map.of()
                        : ReferenceRegistry.JSON.convertValue(declared.get("values_override"), Map.class),
                config.valuesOverride(), where + " values_override");
        assertEquals(task, config.task().todaysName(), where);
    }

    /**
     * The past variant {@code main_export} builds for a {@code -with-past} task, as the registry records it
     * ({@code main_export.model}: {@code "past_variants.use_past_in_inputs=True"}, or "this entry (=
     * past_variants.use_past_in_inputs=False: ...)").
     */
    private static String mainExportVariant(JsonNode perTask) {
        String model = perTask.get("main_export").get("model").asText();
        for (String variant : List.of("use_past_in_inputs=True", "use_past_in_inputs=False")) {
            if (model.contains("past_variants." + variant)) {
                return variant;
            }
        }
        throw new AssertionError("the registry's main_export entry names no past variant: " + model);
    }

    /**
     * Optimum v1.5.2's types that are also written in today's layouts export there exactly the tasks Optimum 1.25.3
     * registers for them (under its names): whisper gains audio-classification, CodeGen its with-past tasks, and
     * nothing else differs; m2m-100, which neither Optimum registers for text generation, has none in any layout.
     */
    @Test
    void optimumV152TypesInTodaysLayoutsHaveExactlyOptimum1253sTasks() throws IOException {
        JsonNode registry = registry();
        List<String> checked = new ArrayList<>();
        for (ModelTypeRow row : ModelTypes.rows()) {
            if (row.source() != RegistrySource.OPTIMUM_1_5_2 || !row.layouts().contains(Layout.OPTIMUM)) {
                continue;
            }
            TreeSet<String> inTodaysLayouts = new TreeSet<>();
            for (ExportTask task : row.exportableTasks()) {
                if (row.layouts(task).containsAll(List.of(Layout.OPTIMUM, Layout.TRANSFORMERS_JS))) {
                    inTodaysLayouts.add(task.todaysName());
                }
            }
            assertEquals(new TreeSet<>(ReferenceRegistry.strings(registry.get(row.modelType()).get("tasks"))),
                    inTodaysLayouts, row.modelType());
            checked.add(row.modelType());
        }
        assertTrue(checked.containsAll(List.of("gpt2", "codegen", "bloom", "t5", "bart", "m2m-100", "whisper",
                "detr")), checked.toString());
        ModelTypeRow m2m100 = ModelTypes.find("m2m-100").orElseThrow();
        assertTrue(m2m100.sourceOf(ExportTask.of(Task.CAUSAL_LM)).isEmpty());
        assertTrue(m2m100.sourceOf(ExportTask.withPast(Task.CAUSAL_LM)).isEmpty());
        ModelTypeRow whisper = ModelTypes.find("whisper").orElseThrow();
        assertEquals(List.of(Layout.OPTIMUM, Layout.TRANSFORMERS_JS),
                whisper.layouts(ExportTask.of(Task.AUDIO_CLASSIFICATION)));
        assertEquals(List.of(Layout.OPTIMUM_1_5, Layout.OPTIMUM, Layout.TRANSFORMERS_JS),
                whisper.layouts(ExportTask.withPast(Task.SPEECH2SEQ_LM)));
    }

    /**
     * whisper's audio-classification, the one task Optimum 1.25.3 added to a v1.5.2 type, has Optimum 1.25.3's
     * WhisperOnnxConfig interface in today's layouts: input_features and logits with their batch axis, opset 14,
     * atol 1e-3, use_cache false; Optimum v1.5.2's layout is refused.
     */
    @Test
    void whisperAudioClassificationIsOptimum1253sInterface() throws IOException {
        JsonNode perTask = registry().get("whisper").get("per_task").get("audio-classification");
        ModelConfig reference = OnnxRegistryReferenceTest.referenceConfig("whisper");
        ExportTask task = ExportTask.of(Task.AUDIO_CLASSIFICATION);
        for (Layout layout : List.of(Layout.OPTIMUM, Layout.TRANSFORMERS_JS)) {
            ExportConfig config = TasksManager.getExportConfig(reference, Exporter.ONNX, task, layout);
            assertEquals(ReferenceRegistry.expand(perTask.get("inputs"), LAYERS),
                    ReferenceRegistry.asMap(config.inputs()), layout.id());
            assertEquals(ReferenceRegistry.expand(perTask.get("outputs"), LAYERS),
                    ReferenceRegistry.asMap(config.outputs()), layout.id());
            assertEquals(perTask.get("opset").asInt(), config.defaultOpset());
            assertEquals(perTask.get("atol").asDouble(), config.atol(), 0.0);
            assertEquals(perTask.get("onnx_config_class").asText(), config.configClassName());
            assertEquals(ReferenceRegistry.JSON.convertValue(perTask.get("values_override"), Map.class),
                    config.valuesOverride());
        }
        // no layout given: today's
        assertEquals(List.of("input_features"), TasksManager.getExportConfig(reference, Exporter.ONNX, task)
                .inputNames());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> TasksManager.getExportConfig(reference, Exporter.ONNX, task, Layout.OPTIMUM_1_5));
        assertTrue(refused.getMessage().contains("--layout optimum-1.5 is not available for whisper "
                + "audio-classification"), refused.getMessage());
    }

    /** The task exporters4j adds for today's types: its common outputs and auto class are Optimum 1.25.3's. */
    @Test
    void addedTasksMatchOptimum1253() throws IOException {
        JsonNode root = ReferenceRegistry.JSON.readTree(SharedFiles.reference("optimum-1.25.3-onnx-registry.json")
                .toFile());
        Task task = Task.ZERO_SHOT_IMAGE_CLASSIFICATION;
        assertEquals(ReferenceRegistry.expand(root.get("task_to_common_outputs").get(task.canonicalName()), 0),
                ReferenceRegistry.asMap(CommonOutputs.of(task)));
        assertEquals(task, TaskNames.parse("zero-shot-image-classification").task());
        assertEquals(root.get("task_to_model_loader").get("transformers").get(task.canonicalName()).asText(),
                task.modelClass(Framework.PT).orElseThrow());
    }
}
