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
 * Test helper: builds a fixture's graph with its model type's architecture straight from the checkpoint (config
 * with Optimum's {@code values_override}, the manifest's interface at the default opset), runs it in ONNX Runtime
 * on the fixture's inputs, and compares every output Optimum names with PyTorch's within 1e-5.
 */
public final class ArchitectureFixtures {
    public static final double TOLERANCE = 1e-5;

    private ArchitectureFixtures() {}

    /** One dynamic test per fixture of {@code modelTypes}, writing models under {@code folder}. */
    public static Stream<DynamicTest> matchPyTorch(List<String> modelTypes, Path folder) {
        return Fixture.of(modelTypes).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(),
                () -> assertMatchesPyTorch(fixture, folder.resolve(fixture.toString()))));
    }

    public static void assertMatchesPyTorch(Fixture fixture, Path out) throws Exception {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(fixture.valuesOverride());
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
            assertTrue(diff <= TOLERANCE, fixture + " " + named.getKey() + ": max abs diff " + diff);
        }
    }
}
