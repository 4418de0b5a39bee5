package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.Checkpoints;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.DynamicTest;

/**
 * Test helper: one dynamic test per fixture of the given model types, each building the fixture's graph with its
 * architecture straight from the checkpoint (Optimum's interface, default opset), running it in ONNX Runtime on the
 * fixture's inputs and comparing every output Optimum names with PyTorch's within 1e-5.
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
            OnnxModel model = Architectures.forModelType(modelType).build(
                    ModelConfig.read(checkpoint.resolve("config.json")), weights, variant, graphInterface);
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        return OnnxRuntimeRun.run(out.resolve("model.onnx"), inputs);
    }

    public static Stream<DynamicTest> matchPyTorch(List<String> modelTypes, Path folder) {
        return Fixture.of(modelTypes).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
            ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                    .withOverrides(fixture.valuesOverride());
            Path out = folder.resolve(fixture.toString());
            try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
                OnnxModel model = Architectures.forModelType(fixture.modelType()).build(config, weights,
                        fixture.variant(), fixture.graphInterface(fixture.defaultOpset()));
                new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
            }
            Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(out.resolve("model.onnx"),
                    fixture.inputsFile());
            assertEquals(fixture.outputNames(), List.copyOf(outputs.keySet()));
            for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
                OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
                OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
                assertEquals(expected.shape(), actual.shape(), named.getKey());
                double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
                assertTrue(diff <= TOLERANCE, fixture + " " + named.getKey() + ": max abs diff " + diff);
            }
        }));
    }
}
