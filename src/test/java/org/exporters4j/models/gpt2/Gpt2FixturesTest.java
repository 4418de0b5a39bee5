package org.exporters4j.models.gpt2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.Checkpoints;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.models.Architecture;
import org.exporters4j.models.DecoderRuns;
import org.exporters4j.models.Fixture;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class Gpt2FixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return Fixture.of(List.of("gpt2")).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
            ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                    .withOverrides(fixture.valuesOverride());
            Path out = folder.resolve(fixture.toString());
            Architecture architecture = new Gpt2Architecture();
            try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
                OnnxModel model = architecture.build(config, weights, DecoderRuns.variant(fixture),
                        DecoderRuns.graphInterface(fixture));
                new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
            }
            Map<String, DecoderRuns.Tensor> outputs;
            try (DecoderRuns.Session session = new DecoderRuns.Session(out.resolve("model.onnx"))) {
                outputs = session.run(DecoderRuns.read(fixture.inputsFile()));
            }
            Map<String, DecoderRuns.Tensor> expected = DecoderRuns.read(fixture.outputsFile());
            assertEquals(fixture.outputNames(), List.copyOf(outputs.keySet()));
            for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
                DecoderRuns.Tensor reference = expected.get(named.getValue());
                DecoderRuns.Tensor actual = outputs.get(named.getKey());
                assertArrayEquals(reference.shape(), actual.shape(), named.getKey());
                double diff = DecoderRuns.maxAbsDiff(reference.floats(), actual.floats());
                assertTrue(diff <= 1e-5, fixture + " " + named.getKey() + ": max abs diff " + diff);
            }
        }));
    }
}
