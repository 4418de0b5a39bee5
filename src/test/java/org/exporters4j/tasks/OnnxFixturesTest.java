package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.junit.jupiter.api.Test;
import org.exporters4j.onnx.ElementType;

/**
 * Every fixture of ../shared/fixtures against the export configuration built from its checkpoint/config.json: the
 * graph's input and output names in graph order, their dynamic axes, values_override, opset and atol as Optimum
 * v1.5.2 exported them, and the dummy inputs' shapes and types against the fixture's inputs.
 */
class OnnxFixturesTest {
    record Fixture(Path directory, String modelType, String task, JsonNode manifest, ModelConfig config) {
        String name() {
            return directory.getFileName().toString();
        }
    }

    static List<Fixture> fixtures() throws IOException {
        List<Fixture> fixtures = new ArrayList<>();
        try (Stream<Path> children = Files.list(SharedFiles.fixtures())) {
            for (Path directory : children.filter(Files::isDirectory).sorted().toList()) {
                String name = directory.getFileName().toString();
                String[] parts = name.split("--", 2);
                JsonNode manifest = ReferenceRegistry.JSON.readTree(directory.resolve("manifest.json").toFile());
                ModelConfig config = ModelConfig.read(directory.resolve("checkpoint/config.json"));
                fixtures.add(new Fixture(directory, parts[0], parts[1], manifest, config));
            }
        }
        return fixtures;
    }

    @Test
    void everyFixtureHasItsGraphInterface() throws IOException {
        List<Fixture> fixtures = fixtures();
        assertEquals(239, fixtures.size(), "the fixtures of Optimum v1.5.2 pairs");
        for (Fixture fixture : fixtures) {
            JsonNode onnx = fixture.manifest().get("onnx");
            // Built from the config's own model_type (Transformers' spelling, e.g. gpt_neo).
            assertEquals(fixture.modelType(), TasksManager.normalizeModelType(fixture.config().modelType()));
            ExportConfig config = TasksManager.getExportConfig(fixture.config(), "onnx", fixture.task());
            String where = fixture.name();
            assertEquals(ReferenceRegistry.strings(onnx.get("input_names")), config.inputNames(), where + " inputs");
            assertEquals(ReferenceRegistry.strings(onnx.get("output_names")), config.outputNames(), where);
            assertEquals(axesOf(onnx.get("dynamic_axes").get("inputs")), ReferenceRegistry.asMap(config.inputs()),
                    where + " input axes");
            assertEquals(axesOf(onnx.get("dynamic_axes").get("outputs")), ReferenceRegistry.asMap(config.outputs()),
                    where + " output axes");
            assertEquals(ReferenceRegistry.JSON.convertValue(onnx.get("values_override"), Map.class),
                    config.valuesOverride(), where + " values_override");
            assertEquals(onnx.get("default_opset").asInt(), config.defaultOpset(), where);
            assertEquals(onnx.get("atol_for_validation").asDouble(), config.atol(), 0.0, where);
            assertEquals(onnx.get("onnx_config_class").asText(), config.configClassName(), where);
        }
    }

    /**
     * Dummy inputs with the fixtures' sizes (batch 2, text 7, 3 choices, cache 5, one new token per decoder-only
     * step, 32x32 images where the config has no image size) have the fixture inputs' shapes and types.
     */
    @Test
    void dummyInputsHaveTheFixtureInputShapes() throws IOException {
        for (Fixture fixture : fixtures()) {
            ExportConfig config = TasksManager.getExportConfig(fixture.config(), "onnx", fixture.task());
            boolean decoderOnlyStep = config.task().usesPast() && config.inputs().stream()
                    .noneMatch(input -> input.name().startsWith("decoder_input_ids"));
            DummyShapes shapes = DummyShapes.OPTIMUM_DEFAULTS.withSequenceLength(decoderOnlyStep ? 1 : 7)
                    .withNumChoices(3).withPastSequenceLength(5).withImageSize(32, 32);
            DummyInputs dummies = config.generateDummyInputs(shapes, 1234);
            assertEquals(config.inputNames(), dummies.names(), fixture.name());
            for (JsonNode input : fixture.manifest().get("inputs")) {
                String name = input.get("name").asText();
                DummyTensor dummy = dummies.get(name);
                String where = fixture.name() + " " + name;
                assertEquals(input.get("dtype").asText().equals("I64") ? ElementType.INT64 : ElementType.FLOAT,
                        dummy.elementType(), where);
                List<Long> expected = new ArrayList<>();
                input.get("shape").forEach(dimension -> expected.add(dimension.asLong()));
                if (name.startsWith("decoder_") && !config.task().usesPast()) {
                    // The fixtures' decoder inputs have their own length (4); Optimum's have the text length.
                    assertEquals(expected.get(0), dummy.shape().get(0), where);
                    assertEquals(expected.size(), dummy.shape().size(), where);
                } else {
                    assertEquals(expected, dummy.shape(), where);
                }
            }
            assertTrue(dummies.tensors().size() == fixture.manifest().get("inputs").size(), fixture.name());
        }
    }

    private static Map<String, Map<Integer, String>> axesOf(JsonNode tensors) {
        Map<String, Map<Integer, String>> axes = new java.util.LinkedHashMap<>();
        tensors.fields().forEachRemaining(entry -> axes.put(entry.getKey(), ReferenceRegistry.axes(entry.getValue())));
        return axes;
    }
}
