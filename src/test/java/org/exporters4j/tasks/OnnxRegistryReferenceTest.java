package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.exporters4j.checkpoint.ModelConfig;
import org.junit.jupiter.api.Test;

/**
 * The ONNX registry against Optimum v1.5.2's, as ../shared/reference/optimum-1.5.2-onnx-registry.json records it:
 * every model type and task in order, and for every pair the inputs and outputs with dynamic axes, the opset, the
 * tolerance, values_override and the config class.
 */
class OnnxRegistryReferenceTest {
    /** Every layer count the reference's per-layer templates may read, set to this for the comparison. */
    private static final int LAYERS = 3;

    /**
     * A config like the one the reference was recorded with: use_cache set, pad_token_id unset, token type
     * vocabulary present, every layer-count attribute set to {@link #LAYERS}.
     */
    static ModelConfig referenceConfig(String modelType) {
        return referenceConfig(modelType, true);
    }

    /** As {@link #referenceConfig(String)}, with {@code use_cache} only when {@code useCache} (Optimum's
     * {@code values_override} sets it false where the config has it). */
    static ModelConfig referenceConfig(String modelType, boolean useCache) {
        return ModelConfig.parse("{\"model_type\": \"" + modelType.replace('-', '_') + "\", "
                + (useCache ? "\"use_cache\": true, " : "")
                + "\"type_vocab_size\": 2, \"n_layer\": " + LAYERS + ", \"num_hidden_layers\": " + LAYERS
                + ", \"num_layers\": " + LAYERS + ", \"num_decoder_layers\": " + LAYERS + ", \"encoder_layers\": "
                + LAYERS + ", \"decoder_layers\": " + LAYERS + "}", "reference config of " + modelType);
    }

    @Test
    void modelTypesAndTaskListsEqualOptimumsInOrder() {
        JsonNode reference = ReferenceRegistry.modelTypes();
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String modelType : ReferenceRegistry.fieldNames(reference)) {
            expected.put(modelType, ReferenceRegistry.strings(reference.get(modelType).get("tasks")));
        }
        Map<String, List<String>> actual = new LinkedHashMap<>(TasksManager.getSupportedTasksByModelType("onnx"));
        actual.keySet().removeIf(type -> TasksManager.getRegistrySource(type) != RegistrySource.OPTIMUM_1_5_2);
        assertEquals(51, expected.size());
        assertEquals(243, expected.values().stream().mapToInt(List::size).sum());
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        assertEquals(expected, actual);
        for (String modelType : expected.keySet()) {
            assertEquals(expected.get(modelType),
                    new ArrayList<>(TasksManager.getSupportedTasksForModelType(modelType, "onnx").keySet()));
        }
    }

    @Test
    void everyPairMatchesTheReferenceInterface() {
        JsonNode reference = ReferenceRegistry.modelTypes();
        int pairs = 0;
        for (String modelType : ReferenceRegistry.fieldNames(reference)) {
            JsonNode type = reference.get(modelType);
            for (String task : ReferenceRegistry.strings(type.get("tasks"))) {
                JsonNode perTask = type.get("per_task").get(task);
                String where = modelType + " / " + task;
                ExportConfig config = TasksManager.getExporterConfigConstructor(modelType, "onnx", task)
                        .create(referenceConfig(modelType));

                Map<String, Map<Integer, String>> expectedInputs =
                        ReferenceRegistry.expand(perTask.get("inputs"), LAYERS);
                if (modelType.equals("perceiver")) {
                    // Optimum declares "inputs" but its graph input is renamed (see fixtures/README.md).
                    Map<Integer, String> axes = expectedInputs.remove("inputs");
                    expectedInputs.put(task.equals("image-classification") ? "pixel_values" : "input_ids", axes);
                }
                // The reference lists inputs in dict order; the graph order follows the forward signature and is
                // checked against the fixtures (OnnxFixturesTest), so the inputs are compared as a set here.
                assertEquals(new TreeMap<>(expectedInputs),
                        new TreeMap<>(ReferenceRegistry.asMap(config.inputs())), where + " inputs");
                assertEquals(ReferenceRegistry.expand(perTask.get("outputs"), LAYERS),
                        ReferenceRegistry.asMap(config.outputs()), where + " outputs");
                assertEquals(new ArrayList<>(ReferenceRegistry.expand(perTask.get("outputs"), LAYERS).keySet()),
                        config.outputNames(), where + " output order");
                assertEquals(type.get("DEFAULT_ONNX_OPSET").asInt(), config.defaultOpset(), where + " opset");
                assertEquals(perTask.get("atol").asDouble(), config.atol(), 0.0, where + " atol");
                assertEquals(type.get("onnx_config_class").asText(), config.configClassName(), where);
                assertEquals(ReferenceRegistry.JSON.convertValue(perTask.get("values_override"), Map.class),
                        config.valuesOverride(), where + " values_override");
                assertEquals(task, config.task().name());
                pairs++;
            }
        }
        assertEquals(243, pairs);
    }

    @Test
    void theTaskTableEqualsOptimumsAutoModelMaps() {
        JsonNode root = ReferenceRegistry.root();
        List<String> ptTasks = ReferenceRegistry.fieldNames(root.get("task_to_automodel_pt"));
        List<String> canonical = new ArrayList<>();
        for (Task task : Task.optimumV152Tasks()) {
            canonical.add(task.canonicalName());
        }
        assertEquals(ptTasks, canonical, "Optimum's task order");
        for (String task : ptTasks) {
            assertEquals(root.get("task_to_automodel_pt").get(task).asText(), TasksManager.getModelClassForTask(task));
        }
        JsonNode tf = root.get("task_to_automodel_tf");
        for (Task task : Task.optimumV152Tasks()) {
            JsonNode expected = tf.get(task.canonicalName());
            assertEquals(expected == null ? null : expected.asText(), task.modelClass(Framework.TF).orElse(null));
        }
    }

    @Test
    void commonOutputsEqualOptimums() {
        JsonNode common = ReferenceRegistry.root().get("task_to_common_outputs");
        assertEquals(Task.optimumV152Tasks().size(), ReferenceRegistry.fieldNames(common).size());
        for (Task task : Task.optimumV152Tasks()) {
            assertEquals(ReferenceRegistry.expand(common.get(task.canonicalName()), 0),
                    ReferenceRegistry.asMap(CommonOutputs.of(task)), task.canonicalName());
        }
    }

    @Test
    void everyReferencePairIsCoveredAndTodaysTypesFollowIt() {
        List<String> fromOptimum152 = new ArrayList<>();
        List<String> later = new ArrayList<>();
        for (String modelType : TasksManager.getSupportedModelTypes("onnx")) {
            (TasksManager.getRegistrySource(modelType) == RegistrySource.OPTIMUM_1_5_2 ? fromOptimum152 : later)
                    .add(modelType);
        }
        assertEquals(ReferenceRegistry.fieldNames(ReferenceRegistry.modelTypes()), fromOptimum152);
        assertTrue(later.containsAll(List.of("llama", "mistral", "qwen2")), later.toString());
        for (String modelType : later) {
            // today's types come from Optimum 1.25.3's registry or are exporters4j's own (TodaysRegistryReferenceTest)
            assertTrue(List.of(RegistrySource.OPTIMUM_1_25_3, RegistrySource.EXPORTERS4J)
                    .contains(TasksManager.getRegistrySource(modelType)), modelType);
        }
        List<String> all = TasksManager.getSupportedModelTypes("onnx");
        assertEquals(later, all.subList(all.size() - later.size(), all.size()), "later rows follow Optimum's");
    }
}
