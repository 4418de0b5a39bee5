package org.exporters4j.models.t5;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fixture of the T5 family (t5, mt5, longt5; default, seq2seq-lm and their with-past steps), built by its
 * architecture straight from the checkpoint with Optimum's interface, gives PyTorch's outputs in ONNX Runtime within
 * 1e-5: the decoder's hidden state or logits, and every present key and value of the cached step.
 */
class T5FamilyFixturesTest {
    static final List<String> FAMILY = List.of("longt5", "mt5", "t5");

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return Fixture.of(FAMILY).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
            Path model = build(fixture, folder.resolve(fixture.toString()));
            Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model, fixture.inputsFile());
            ArchitectureFixtures.compare(fixture, outputs);
        }));
    }

    /** The fixture's graph, built from its checkpoint with Optimum's interface, written under {@code out}. */
    static Path build(Fixture fixture, Path out) {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(fixture.valuesOverride());
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            OnnxModel model = ModelTypes.architecture(fixture.modelType()).build(config, weights,
                    variant(fixture.task()), graphInterface(fixture));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        return out.resolve("model.onnx");
    }

    /** The variant of an Optimum v1.5.2 seq2seq task. */
    static Variant variant(String task) {
        Head head = task.startsWith("seq2seq-lm") ? Head.SEQ2SEQ_LM : Head.BASE;
        return task.endsWith("-with-past") ? Variant.withPast(head) : Variant.of(head);
    }

    /** Optimum's interface: token inputs int64, cache inputs and all outputs float32. */
    static GraphInterface graphInterface(Fixture fixture) {
        List<InterfaceTensor> inputs = fixture.inputNames().stream()
                .map(name -> Fixture.interfaceTensor(name, name.startsWith("past_key_values.") ? ElementType.FLOAT
                        : ElementType.INT64, fixture.dynamicAxes("inputs", name))).toList();
        List<InterfaceTensor> outputs = fixture.outputNames().stream()
                .map(name -> Fixture.interfaceTensor(name, ElementType.FLOAT, fixture.dynamicAxes("outputs", name)))
                .toList();
        return new GraphInterface(inputs, outputs, Opset.of(fixture.defaultOpset()));
    }
}
