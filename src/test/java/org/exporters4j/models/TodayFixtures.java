package org.exporters4j.models;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.DynamicTest;

/**
 * Test helper for the families of today's model types: every fixtures-today fixture of some model types, built by a
 * given architecture (not through the model-type rows, so a family is checked before its row exists) with the
 * manifest's interface, written, run in ONNX Runtime and compared with PyTorch's outputs within 1e-5.
 */
public final class TodayFixtures {
    private TodayFixtures() {}

    /** One dynamic test per fixtures-today fixture of {@code modelTypes}, built by {@code architecture}. */
    public static Stream<DynamicTest> everyFixtureMatchesPyTorch(Architecture architecture, List<String> modelTypes,
                                                                 Path folder) {
        return Fixture.ofToday(modelTypes).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(),
                () -> assertMatchesPyTorch(architecture, fixture, folder.resolve(fixture.toString()))));
    }

    /** Builds {@code fixture}'s graph with {@code architecture}, runs it on its inputs and compares every output. */
    public static void assertMatchesPyTorch(Architecture architecture, Fixture fixture, Path out) throws Exception {
        assertMatchesPyTorch(architecture, fixture, fixture.checkpoint(), out);
    }

    /**
     * As {@link #assertMatchesPyTorch(Architecture, Fixture, Path)} with the config and weights of {@code checkpoint}
     * (an edited copy of the fixture's that must compute the same outputs).
     */
    public static void assertMatchesPyTorch(Architecture architecture, Fixture fixture, Path checkpoint, Path out)
            throws Exception {
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"))
                .withOverrides(fixture.valuesOverride());
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            OnnxModel model = architecture.build(config, weights, fixture.variant(),
                    fixture.graphInterface(fixture.defaultOpset()));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(out.resolve("model.onnx"),
                fixture.inputsFile());
        ArchitectureFixtures.compare(fixture, outputs);
    }
}
