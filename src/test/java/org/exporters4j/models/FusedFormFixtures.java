package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.onnx.Initializer;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Node;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.OperatorDomain;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;

/**
 * Test helper for {@code --optimize} (issue 11 §2): every fixture of some model types built in the fused form and in
 * the plain form from the same weights, both run in ONNX Runtime on the fixture's inputs; the fused graph uses the
 * expected {@code com.microsoft} operators, has the plain graph's interface, and gives the plain graph's outputs and
 * PyTorch's within 1e-5.
 */
public final class FusedFormFixtures {
    /**
     * The cosine floors with PyTorch's float32 outputs that the quantized exports' tests hold (ExportQuantizeTest:
     * int8 0.99 on the BERT family, int4 0.9 on a Llama), by quantization (symmetric, block 32, LM head quantized).
     */
    public static final Map<WeightQuantization, Double> QUANTIZATION_FLOORS = Map.of(
            WeightQuantization.int8(WeightQuantization.Symmetry.SYMMETRIC), 0.99,
            WeightQuantization.int4(WeightQuantization.DEFAULT_INT4_BLOCK_SIZE, WeightQuantization.Symmetry.SYMMETRIC),
            0.9);

    private FusedFormFixtures() {}

    /** One dynamic test per fixture; {@code fusedOperators} must each appear in every fused graph. */
    public static Stream<DynamicTest> everyFixtureMatchesPlain(List<Fixture> fixtures, Set<String> fusedOperators,
                                                               Path folder) {
        return fixtures.stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(),
                () -> assertFusedMatchesPlain(fixture, fusedOperators, folder.resolve(fixture.toString()))));
    }

    /**
     * As {@link #everyFixtureMatchesPlain} for decoder fixtures ({@link DecoderRuns}): with-past fixtures feed the
     * cache of a real prefix, and the present cache is compared too.
     */
    public static Stream<DynamicTest> everyDecoderFixtureMatchesPlain(List<Fixture> fixtures,
                                                                      Set<String> fusedOperators, Path folder) {
        return fixtures.stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(),
                () -> assertDecoderFusedMatchesPlain(fixture, fusedOperators, folder.resolve(fixture.toString()))));
    }

    private static void assertDecoderFusedMatchesPlain(Fixture fixture, Set<String> fusedOperators, Path out)
            throws Exception {
        OnnxModel fused = writeBoth(fixture, DecoderRuns.variant(fixture), DecoderRuns.graphInterface(fixture),
                ModelForm.PLAIN, out);
        assertUses(fixture, fused, fusedOperators);
        Map<String, DecoderRuns.Tensor> fusedOutputs;
        Map<String, DecoderRuns.Tensor> plainOutputs;
        try (DecoderRuns.Session session = new DecoderRuns.Session(out.resolve("fused/model.onnx"))) {
            fusedOutputs = session.run(DecoderRuns.read(fixture.inputsFile()));
        }
        try (DecoderRuns.Session session = new DecoderRuns.Session(out.resolve("plain/model.onnx"))) {
            plainOutputs = session.run(DecoderRuns.read(fixture.inputsFile()));
        }
        assertEquals(List.copyOf(plainOutputs.keySet()), List.copyOf(fusedOutputs.keySet()));
        for (Map.Entry<String, DecoderRuns.Tensor> output : plainOutputs.entrySet()) {
            DecoderRuns.Tensor mine = fusedOutputs.get(output.getKey());
            org.junit.jupiter.api.Assertions.assertArrayEquals(output.getValue().shape(), mine.shape(),
                    fixture + " " + output.getKey());
            double diff = DecoderRuns.maxAbsDiff(output.getValue().floats(), mine.floats());
            assertTrue(diff <= ArchitectureFixtures.TOLERANCE, fixture + " " + output.getKey()
                    + ": fused vs. plain max abs diff " + diff);
        }
        Map<String, DecoderRuns.Tensor> expected = DecoderRuns.read(fixture.outputsFile());
        for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
            double diff = DecoderRuns.maxAbsDiff(expected.get(named.getValue()).floats(),
                    fusedOutputs.get(named.getKey()).floats());
            assertTrue(diff <= ArchitectureFixtures.TOLERANCE, fixture + " " + named.getKey()
                    + ": fused vs. PyTorch max abs diff " + diff);
        }
    }

    /**
     * Builds the fixture's graph in {@code plainForm} and in its fused form, checks they share the interface (and,
     * when quantized, that the fused graph quantizes exactly the weights the plain one quantizes: the same weights
     * read by the same quantized operator, as many of them, same scheme, since the initializer names say the scheme),
     * writes them to fused/ and plain/.
     */
    private static OnnxModel writeBoth(Fixture fixture, Variant variant, GraphInterface plainInterface,
                                       ModelForm plainForm, Path out) {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(fixture.valuesOverride());
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            Architecture architecture = ModelTypes.architecture(fixture.modelType());
            OnnxModel fused = architecture.build(config, weights, variant,
                    plainInterface.withForm(plainForm.withOperators(ModelForm.Operators.FUSED)));
            OnnxModel plain = architecture.build(config, weights, variant, plainInterface.withForm(plainForm));
            assertEquals(plain.inputs(), fused.inputs(), fixture + ": the fused graph's inputs");
            assertEquals(plain.outputs(), fused.outputs(), fixture + ": the fused graph's outputs");
            if (plainForm.quantization().quantized()) {
                Map<String, List<String>> plainWeights = quantizedWeights(plain);
                assertTrue(!plainWeights.isEmpty(), fixture + ": the plain graph quantizes its dense layers");
                assertEquals(plainWeights, quantizedWeights(fused), fixture + " " + plainForm.quantization()
                        + ": the weights the fused graph quantizes, by quantized operator");
                assertEquals(checkpointInitializers(plain, weights), checkpointInitializers(fused, weights),
                        fixture + " " + plainForm.quantization() + ": the checkpoint tensors the fused graph stores "
                                + "as they are (no dense weight left float32 beside its quantized copy)");
            }
            new ModelWriter(WeightsLocation.AUTOMATIC).write(fused, out.resolve("fused"));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(plain, out.resolve("plain"));
            return fused;
        }
    }

    /** The fused graph uses every one of {@code fusedOperators} (com.microsoft). */
    private static void assertUses(Fixture fixture, OnnxModel fused, Set<String> fusedOperators) {
        Map<String, Long> counts = new TreeMap<>();
        for (Node node : fused.nodes()) {
            if (node.domain() == OperatorDomain.MICROSOFT) {
                counts.merge(node.opType(), 1L, Long::sum);
            }
        }
        assertTrue(counts.keySet().containsAll(fusedOperators), fixture + ": fused operators " + counts
                + ", expected at least " + fusedOperators);
        assertTrue(fused.domains().contains(OperatorDomain.MICROSOFT), fixture.toString());
    }

    /**
     * {@code --optimize} with {@code --quantize} on decoder fixtures ({@link DecoderRuns}): for each fixture and each
     * of {@code quantizations}, the fused quantized graph quantizes exactly the weights the plain quantized graph
     * quantizes and stores the same checkpoint tensors as they are ({@link #writeBoth}), and uses
     * {@code fusedOperators}; both written and run on the fixture's inputs, each reference output of the fused graph
     * agrees with the plain quantized graph's and keeps the quantization's floor {@code minCosine} with PyTorch's
     * float32 output ({@link #assertQuantizedCosine}).
     */
    public static Stream<DynamicTest> everyDecoderFixtureQuantizesAsPlain(List<Fixture> fixtures,
                                                                          Map<WeightQuantization, Double> minCosine,
                                                                          Set<String> fusedOperators, Path folder) {
        return perQuantization(fixtures, minCosine, fusedOperators, folder,
                FusedFormFixtures::assertDecoderFusedQuantizesAsPlain);
    }

    /** One fixture checked in one quantization with its cosine floor. */
    private interface QuantizedCheck {
        void run(Fixture fixture, WeightQuantization quantization, double minCosine, Set<String> fusedOperators,
                 Path out) throws Exception;
    }

    /** One dynamic test per fixture and quantization, each writing under its own folder. */
    private static Stream<DynamicTest> perQuantization(List<Fixture> fixtures,
                                                       Map<WeightQuantization, Double> minCosine,
                                                       Set<String> fusedOperators, Path folder,
                                                       QuantizedCheck check) {
        return fixtures.stream().flatMap(fixture -> minCosine.entrySet().stream().map(bound -> DynamicTest.dynamicTest(
                fixture + " " + bound.getKey(), () -> check.run(fixture, bound.getKey(), bound.getValue(),
                        fusedOperators, folder.resolve(fixture + "-" + bound.getKey().scheme())))));
    }

    private static void assertDecoderFusedQuantizesAsPlain(Fixture fixture, WeightQuantization quantization,
                                                           double minCosine, Set<String> fusedOperators, Path out)
            throws Exception {
        OnnxModel fused = writeBoth(fixture, DecoderRuns.variant(fixture), DecoderRuns.graphInterface(fixture),
                ModelForm.PLAIN.withQuantization(quantization), out);
        assertUses(fixture, fused, fusedOperators);
        Map<String, DecoderRuns.Tensor> outputs;
        try (DecoderRuns.Session session = new DecoderRuns.Session(out.resolve("fused/model.onnx"))) {
            outputs = session.run(DecoderRuns.read(fixture.inputsFile()));
        }
        Map<String, DecoderRuns.Tensor> plainOutputs;
        try (DecoderRuns.Session session = new DecoderRuns.Session(out.resolve("plain/model.onnx"))) {
            plainOutputs = session.run(DecoderRuns.read(fixture.inputsFile()));
        }
        Map<String, DecoderRuns.Tensor> expected = DecoderRuns.read(fixture.outputsFile());
        for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
            DecoderRuns.Tensor reference = expected.get(named.getValue());
            DecoderRuns.Tensor mine = outputs.get(named.getKey());
            org.junit.jupiter.api.Assertions.assertArrayEquals(reference.shape(), mine.shape(),
                    fixture + " " + named.getKey());
            assertQuantizedCosine(fixture + " " + quantization + " " + named.getKey(), minCosine, reference.floats(),
                    mine.floats(), plainOutputs.get(named.getKey()).floats());
        }
    }

    /**
     * As {@link #everyDecoderFixtureQuantizesAsPlain} for encoder fixtures (run on the fixture's inputs as
     * {@link #everyFixtureMatchesPlain} runs them).
     */
    public static Stream<DynamicTest> everyFixtureQuantizesAsPlain(List<Fixture> fixtures,
                                                                   Map<WeightQuantization, Double> minCosine,
                                                                   Set<String> fusedOperators, Path folder) {
        return perQuantization(fixtures, minCosine, fusedOperators, folder,
                FusedFormFixtures::assertFusedQuantizesAsPlain);
    }

    private static void assertFusedQuantizesAsPlain(Fixture fixture, WeightQuantization quantization,
                                                    double minCosine, Set<String> fusedOperators, Path out)
            throws Exception {
        OnnxModel fused = writeBoth(fixture, fixture.variant(), fixture.graphInterface(fixture.defaultOpset()),
                ModelForm.PLAIN.withQuantization(quantization), out);
        assertUses(fixture, fused, fusedOperators);
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(out.resolve("fused/model.onnx"),
                fixture.inputsFile());
        Map<String, OnnxRuntimeRun.Output> plainOutputs = OnnxRuntimeRun.run(out.resolve("plain/model.onnx"),
                fixture.inputsFile());
        for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output reference = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
            OnnxRuntimeRun.Output mine = outputs.get(named.getKey());
            assertEquals(reference.shape(), mine.shape(), fixture + " " + named.getKey());
            assertQuantizedCosine(fixture + " " + quantization + " " + named.getKey(), minCosine, reference.values(),
                    mine.values(), plainOutputs.get(named.getKey()).values());
        }
    }

    /**
     * The fused quantized output {@code mine} keeps a cosine of at least {@link #FUSED_VS_PLAIN_QUANTIZED_COSINE}
     * with the plain quantized graph's output {@code plain} (both read the same quantized weights; they differ by the
     * fused operators' float32 rounding, which can move an activation across a step of its run-time int8
     * quantization), and at least
     * {@code minCosine} with PyTorch's float32 {@code reference}, or, where the plain quantized graph itself falls
     * below that floor, at most {@link #QUANTIZED_COSINE_SLACK} less than it.
     */
    private static void assertQuantizedCosine(String what, double minCosine, float[] reference, float[] mine,
                                              float[] plain) {
        double agreement = OnnxRuntimeRun.cosine(plain, mine);
        assertTrue(agreement >= FUSED_VS_PLAIN_QUANTIZED_COSINE, what + ": cosine with the plain quantized graph's "
                + "output " + agreement + ", below " + FUSED_VS_PLAIN_QUANTIZED_COSINE);
        double cosine = OnnxRuntimeRun.cosine(reference, mine);
        double plainCosine = OnnxRuntimeRun.cosine(reference, plain);
        double bound = Math.min(minCosine, plainCosine - QUANTIZED_COSINE_SLACK);
        assertTrue(cosine >= bound, what + ": cosine with PyTorch's float32 output " + cosine + ", below " + bound
                + " (floor " + minCosine + ", the plain quantized graph's cosine " + plainCosine + ")");
    }

    /**
     * The quantized weights each quantized operator reads (the table, GatherBlockQuantized's first input; the weight,
     * the matmuls' second), sorted, by operator.
     */
    private static Map<String, List<String>> quantizedWeights(OnnxModel graph) {
        Map<String, List<String>> weights = new TreeMap<>();
        for (Node node : graph.nodes()) {
            if (QUANTIZED_OPERATORS.contains(node.opType())) {
                int weight = node.opType().equals("GatherBlockQuantized") ? 0 : 1;
                weights.computeIfAbsent(node.opType(), op -> new java.util.ArrayList<>())
                        .add(node.inputs().get(weight));
            }
        }
        weights.values().forEach(java.util.Collections::sort);
        return weights;
    }

    /** The initializers of {@code graph} that are checkpoint tensors written as they are, sorted. */
    private static List<String> checkpointInitializers(OnnxModel graph, Weights weights) {
        return graph.initializers().stream().map(Initializer::name).filter(weights::contains).sorted().toList();
    }

    /** How much lower than the plain quantized graph's a fused quantized cosine may be, below the floor. */
    static final double QUANTIZED_COSINE_SLACK = 1e-3;

    /** The least cosine of a fused quantized output with the plain quantized graph's. */
    static final double FUSED_VS_PLAIN_QUANTIZED_COSINE = 0.9999;

    private static final Set<String> QUANTIZED_OPERATORS = Set.of("DynamicQuantizeMatMul", "GatherBlockQuantized",
            "MatMulNBits");

    /** Builds, writes and runs both forms of {@code fixture}'s graph and compares them (see the class comment). */
    public static void assertFusedMatchesPlain(Fixture fixture, Set<String> fusedOperators, Path out)
            throws Exception {
        OnnxModel fused = writeBoth(fixture, fixture.variant(), fixture.graphInterface(fixture.defaultOpset()),
                ModelForm.PLAIN, out);
        assertUses(fixture, fused, fusedOperators);
        Map<String, OnnxRuntimeRun.Output> fusedOutputs = OnnxRuntimeRun.run(out.resolve("fused/model.onnx"),
                fixture.inputsFile());
        Map<String, OnnxRuntimeRun.Output> plainOutputs = OnnxRuntimeRun.run(out.resolve("plain/model.onnx"),
                fixture.inputsFile());
        assertEquals(List.copyOf(plainOutputs.keySet()), List.copyOf(fusedOutputs.keySet()));
        for (Map.Entry<String, OnnxRuntimeRun.Output> output : plainOutputs.entrySet()) {
            OnnxRuntimeRun.Output mine = fusedOutputs.get(output.getKey());
            assertEquals(output.getValue().shape(), mine.shape(), fixture + " " + output.getKey());
            double diff = OnnxRuntimeRun.maxAbsDiff(output.getValue().values(), mine.values());
            assertTrue(diff <= ArchitectureFixtures.TOLERANCE, fixture + " " + output.getKey()
                    + ": fused vs. plain max abs diff " + diff);
        }
        ArchitectureFixtures.compare(fixture, fusedOutputs);
    }
}
