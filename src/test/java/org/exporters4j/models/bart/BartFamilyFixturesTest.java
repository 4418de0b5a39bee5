package org.exporters4j.models.bart;

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
 * Every fixture of the BART family (bart, mbart, marian, m2m-100, blenderbot, blenderbot-small, bigbird-pegasus),
 * every task including the cached decoding steps, built by its architecture straight from the checkpoint with
 * Optimum's interface, gives PyTorch's outputs in ONNX Runtime within 1e-5.
 */
class BartFamilyFixturesTest {
    static final List<String> FAMILY = List.of("bart", "bigbird-pegasus", "blenderbot", "blenderbot-small",
            "m2m-100", "marian", "mbart");

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return Fixture.of(FAMILY).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
            ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                    .withOverrides(fixture.valuesOverride());
            Path out = folder.resolve(fixture.toString());
            try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
                OnnxModel model = ModelTypes.architecture(fixture.modelType()).build(config, weights,
                        variantOf(fixture.task()), graphInterface(fixture));
                new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
            }
            Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(out.resolve("model.onnx"),
                    fixture.inputsFile());
            ArchitectureFixtures.compare(fixture, outputs);
        }));
    }

    /** Optimum's interface of the fixture: token inputs int64, the cache inputs and every output float32. */
    static GraphInterface graphInterface(Fixture fixture) {
        List<InterfaceTensor> inputs = fixture.inputNames().stream()
                .map(name -> Fixture.interfaceTensor(name,
                        name.startsWith("past_key_values.") ? ElementType.FLOAT : ElementType.INT64,
                        fixture.dynamicAxes("inputs", name)))
                .toList();
        List<InterfaceTensor> outputs = fixture.outputNames().stream()
                .map(name -> Fixture.interfaceTensor(name, ElementType.FLOAT, fixture.dynamicAxes("outputs", name)))
                .toList();
        return new GraphInterface(inputs, outputs, Opset.of(fixture.defaultOpset()));
    }

    /** The graph of an Optimum v1.5.2 task name of this family. */
    static Variant variantOf(String task) {
        boolean cached = task.endsWith("-with-past");
        Head head = switch (cached ? task.substring(0, task.length() - "-with-past".length()) : task) {
            case "default" -> Head.BASE;
            case "causal-lm" -> Head.CAUSAL_LM;
            case "seq2seq-lm" -> Head.SEQ2SEQ_LM;
            case "sequence-classification" -> Head.SEQUENCE_CLASSIFICATION;
            case "question-answering" -> Head.QUESTION_ANSWERING;
            default -> throw new AssertionError("no BART-family head for fixture task " + task);
        };
        return cached ? Variant.withPast(head) : Variant.of(head);
    }
}
