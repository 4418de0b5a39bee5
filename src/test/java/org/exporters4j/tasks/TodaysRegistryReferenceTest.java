package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
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
