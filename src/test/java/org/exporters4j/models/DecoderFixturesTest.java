package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every decoder fixture (gpt2, gpt-neo, gptj, codegen, bloom of fixtures/; the Llama family of fixtures-today), built
 * by its architecture straight from the checkpoint with the fixture's interface, gives PyTorch's outputs in ONNX
 * Runtime within 1e-5; with-past fixtures feed the cache of a real prefix.
 */
class DecoderFixturesTest {
    static final List<String> FAMILY = List.of("bloom", "codegen", "gpt-neo", "gpt2", "gptj");
    /** The Llama family's types of fixtures-today (Optimum 1.25.3's interface). */
    static final List<String> TODAY_FAMILY = List.of("gemma", "gemma2", "gemma3-text", "granite", "llama", "mistral",
            "mixtral", "olmo", "phi3", "qwen2", "qwen3", "starcoder2");

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return Stream.concat(Fixture.of(FAMILY).stream(), Fixture.ofToday(TODAY_FAMILY).stream())
                .map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
            ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                    .withOverrides(fixture.valuesOverride());
            Path out = folder.resolve(fixture.toString());
            try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
                OnnxModel model = ModelTypes.architecture(fixture.modelType()).build(config, weights,
                        DecoderRuns.variant(fixture), DecoderRuns.graphInterface(fixture));
                new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
            }
            Map<String, DecoderRuns.Tensor> outputs;
            try (DecoderRuns.Session session = new DecoderRuns.Session(out.resolve("model.onnx"))) {
                assertEquals(fixture.inputNames(), session.inputNames());
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
