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
 * The direct architecture check every family test runs: each fixture of the given model types, built by its
 * {@link Architectures} row straight from the checkpoint with Optimum's interface (no CLI, no validation), gives
 * PyTorch's outputs in ONNX Runtime within {@code tolerance}, with the interface's outputs in order.
 */
public final class ArchitectureFixtures {
    private ArchitectureFixtures() {}

    public static Stream<DynamicTest> matchPyTorch(List<String> modelTypes, Path folder, double tolerance) {
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
                assertEquals(expected.shape(), actual.shape(), fixture + " " + named.getKey());
                double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
                assertTrue(diff <= tolerance, fixture + " " + named.getKey() + ": max abs diff " + diff);
            }
        }));
    }
}
