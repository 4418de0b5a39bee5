package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;

/**
 * Test helper: every fixture of some model types, built by its architecture straight from the checkpoint with
 * Optimum's interface (the config with Optimum's {@code values_override}), written, run in ONNX Runtime on the
 * fixture's inputs, and compared with PyTorch's outputs within 1e-5.
 */
public final class ArchitectureFixtures {
    public static final double TOLERANCE = 1e-5;

    private ArchitectureFixtures() {}

    /**
     * Builds {@code checkpoint} (config.json + weights) as {@code modelType} with {@code graphInterface}, writes it
     * under {@code out} and runs it in ONNX Runtime on the tensors of {@code inputs}; returns the outputs by name.
     */
    public static Map<String, OnnxRuntimeRun.Output> buildAndRun(Path checkpoint, String modelType, Variant variant,
                                                                 GraphInterface graphInterface, Path inputs, Path out)
            throws Exception {
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            OnnxModel model = ModelTypes.architecture(modelType).build(
                    ModelConfig.read(checkpoint.resolve("config.json")), weights, variant, graphInterface);
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        return OnnxRuntimeRun.run(out.resolve("model.onnx"), inputs);
    }

    /** One dynamic test per fixture of {@code modelTypes}; models are written under {@code folder}. */
    public static Stream<DynamicTest> everyFixtureMatchesPyTorch(List<String> modelTypes, Path folder) {
        return Fixture.of(modelTypes).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(),
                () -> assertMatchesPyTorch(fixture, folder.resolve(fixture.toString()))));
    }

    /**
     * What building {@code fixture}'s graph throws when its config.json is changed by {@code overrides} (the
     * fixture's weights, Optimum's interface); fails when the build succeeds.
     */
    public static ArchitectureException refusal(Fixture fixture, Map<String, ?> overrides) {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json")).withOverrides(overrides);
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            return org.junit.jupiter.api.Assertions.assertThrows(ArchitectureException.class,
                    () -> ModelTypes.architecture(fixture.modelType()).build(config, weights, fixture.variant(),
                            fixture.graphInterface(fixture.defaultOpset())));
        }
    }

    /**
     * Builds {@code fixture}'s graph for an interface derived from Optimum's by {@code interfaceChange}, runs it on
     * the fixture's inputs (those the graph declares) and compares every output with PyTorch's within 1e-5.
     */
    public static void assertMatchesPyTorch(Fixture fixture, Path out,
                                            Function<GraphInterface, GraphInterface> interfaceChange) throws Exception {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(fixture.valuesOverride());
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            OnnxModel model = ModelTypes.architecture(fixture.modelType()).build(config, weights,
                    fixture.variant(), interfaceChange.apply(fixture.graphInterface(fixture.defaultOpset())));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        compare(fixture, OnnxRuntimeRun.run(out.resolve("model.onnx"), fixture.inputsFile()));
    }

    /** Builds, writes and runs {@code fixture}'s graph and compares every output Optimum names. */
    public static void assertMatchesPyTorch(Fixture fixture, Path out) throws Exception {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(fixture.valuesOverride());
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            OnnxModel model = ModelTypes.architecture(fixture.modelType()).build(config, weights,
                    fixture.variant(), fixture.graphInterface(fixture.defaultOpset()));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(out.resolve("model.onnx"),
                fixture.inputsFile());
        compare(fixture, outputs);
    }

    /**
     * The graph's outputs against PyTorch's: Optimum's output names in the manifest's order, and every output Optimum
     * names equal to the reference in shape and within {@link #TOLERANCE}.
     */
    public static void compare(Fixture fixture, Map<String, OnnxRuntimeRun.Output> outputs) {
        assertEquals(fixture.outputNames(), List.copyOf(outputs.keySet()));
        for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
            OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
            assertEquals(expected.shape(), actual.shape(), named.getKey());
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
            assertTrue(diff <= TOLERANCE, fixture + " " + named.getKey() + ": max abs diff " + diff);
        }
    }
}
