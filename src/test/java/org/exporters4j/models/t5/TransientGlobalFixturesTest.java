package org.exporters4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * LongT5 with {@code encoder_attention_type: "transient-global"} (fixtures-options: global block size 3, local radius
 * 3, gated-gelu; the second row padded): every task Optimum v1.5.2 exports (default, seq2seq-lm and their with-past
 * steps), built from the checkpoint with Optimum's interface, gives PyTorch's outputs within 1e-5, the encoder's last
 * hidden state and every present key and value included.
 */
class TransientGlobalFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyTransientGlobalFixtureMatchesPyTorch() {
        return Fixture.ofOptions(List.of("longt5")).stream().map(fixture -> DynamicTest.dynamicTest(
                fixture.toString(), () -> {
                    ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"));
                    assertEquals("transient-global", config.stringValue("encoder_attention_type"));
                    Path model = T5FamilyFixturesTest.build(fixture, folder.resolve(fixture.toString()));
                    Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model, fixture.inputsFile());
                    ArchitectureFixtures.compare(fixture, outputs);
                }));
    }

    /**
     * The encoder on its own terms: the graph of each fixture without past also returns
     * {@code encoder_last_hidden_state} (an output Optimum does not name), equal to PyTorch's within 1e-5, so the
     * transient-global layers are checked directly, not only through the decoder's cross-attention.
     */
    @TestFactory
    Stream<DynamicTest> theTransientGlobalEncoderMatchesPyTorch() {
        return Fixture.ofOptions(List.of("longt5")).stream().filter(fixture -> !fixture.task().endsWith("-with-past"))
                .map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
                    GraphInterface optimum = T5FamilyFixturesTest.graphInterface(fixture);
                    List<InterfaceTensor> outputs = new ArrayList<>(optimum.outputs());
                    outputs.add(Fixture.interfaceTensor("encoder_last_hidden_state", ElementType.FLOAT,
                            Map.of(0, "batch_size", 1, "encoder_sequence_length")));
                    Path out = folder.resolve(fixture + "-encoder");
                    ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"));
                    try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
                        OnnxModel model = ModelTypes.architecture(fixture.modelType()).build(config, weights,
                                T5FamilyFixturesTest.variant(fixture.task()),
                                new GraphInterface(optimum.inputs(), outputs, optimum.opset()));
                        new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
                    }
                    OnnxRuntimeRun.Output actual = OnnxRuntimeRun.run(out.resolve("model.onnx"), fixture.inputsFile())
                            .get("encoder_last_hidden_state");
                    OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(),
                            "encoder_last_hidden_state");
                    assertEquals(List.of(2L, 7L, 24L), expected.shape());
                    assertEquals(expected.shape(), actual.shape());
                    double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
                    assertTrue(diff <= 1e-5, fixture + " encoder_last_hidden_state: max abs diff " + diff);
                }));
    }
}
