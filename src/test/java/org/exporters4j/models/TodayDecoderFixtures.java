package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.DynamicTest;

/**
 * Test helper for today's decoder families at the models level (before or beside their rows): every fixtures-today
 * fixture of some model types, built by a given architecture with the manifest's interface, matches PyTorch within
 * 1e-5, and each with-past graph fed an empty past on the prefix inputs gives the prefix outputs.
 */
public final class TodayDecoderFixtures {
    private TodayDecoderFixtures() {}

    /** One dynamic test per fixture of {@code modelTypes}, built by {@code architecture}. */
    public static Stream<DynamicTest> everyFixtureMatchesPyTorch(List<String> modelTypes,
                                                                 Function<Fixture, Architecture> architecture,
                                                                 Path folder) {
        return Fixture.ofToday(modelTypes).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(),
                () -> assertMatchesPyTorch(fixture, architecture.apply(fixture), folder.resolve(fixture.toString()))));
    }

    /** Builds {@code fixture}'s graph with {@code architecture}, compares it and replays its prefix. */
    public static void assertMatchesPyTorch(Fixture fixture, Architecture architecture, Path out) throws Exception {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(fixture.valuesOverride());
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            OnnxModel model = architecture.build(config, weights, fixture.variant(),
                    DecoderRuns.graphInterface(fixture));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        Path file = out.resolve("model.onnx");
        ArchitectureFixtures.compare(fixture, OnnxRuntimeRun.run(file, fixture.inputsFile()));
        if (fixture.prefix().isPresent()) {
            assertPrefixFromEmptyPast(fixture, file);
        }
    }

    /** The with-past graph on the prefix inputs, every past input empty, gives the prefix outputs within 1e-5. */
    public static void assertPrefixFromEmptyPast(Fixture fixture, Path model) throws Exception {
        Fixture.Prefix prefix = fixture.prefix().orElseThrow();
        Map<String, long[]> emptyPast = new LinkedHashMap<>();
        for (JsonNode input : fixture.manifest().get("inputs")) {
            String name = input.get("name").asText();
            if (name.startsWith("past_key_values")) {
                Map<Integer, String> axes = fixture.dynamicAxes("inputs", name);
                long[] shape = new long[input.get("shape").size()];
                for (int axis = 0; axis < shape.length; axis++) {
                    shape[axis] = "past_sequence_length".equals(axes.get(axis)) ? 0
                            : input.get("shape").get(axis).asLong();
                }
                emptyPast.put(name, shape);
            }
        }
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model, prefix.inputsFile(), emptyPast);
        for (JsonNode output : prefix.onnxInterface().get("output_names")) {
            String name = output.asText();
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(prefix.outputsFile(), name);
            OnnxRuntimeRun.Output actual = outputs.get(name);
            assertEquals(expected.shape(), actual.shape(), fixture + " prefix " + name);
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
            assertTrue(diff <= ArchitectureFixtures.TOLERANCE, fixture + " prefix " + name + ": max abs diff " + diff);
        }
    }
}
