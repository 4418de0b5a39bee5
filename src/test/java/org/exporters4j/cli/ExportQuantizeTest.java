package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.onnx.proto.OnnxProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export onnx --quantize} (issue 11 §3): int8 exports of the BERT family's fixtures keep a cosine of at least
 * 0.99 with the PyTorch float32 outputs; an int4 export of a Llama fixture runs in ONNX Runtime with its top-1
 * agreement reported; options that do not fit together are refused naming the option and the fix.
 */
class ExportQuantizeTest {
    /** The model types BertArchitecture builds (the rows of the BERT family), two heads each. */
    private static final List<String> BERT_FAMILY = List.of("bert", "camembert", "data2vec-text", "electra", "ibert",
            "roberta", "xlm-roberta");
    private static final List<String> BERT_TASKS = List.of("sequence-classification", "masked-lm");
    private static final Pattern TOP_ONE = Pattern.compile("top-1 agreement (\\d+)/(\\d+)");

    @TempDir
    Path folder;

    @Test
    void int8ExportsOfTheBertFamilyStayWithinCosine099OfTheFloat32Outputs() throws Exception {
        List<String> failures = new ArrayList<>();
        Map<String, Double> cosines = new TreeMap<>();
        for (String modelType : BERT_FAMILY) {
            for (String task : BERT_TASKS) {
                Path fixtureFolder = SharedFiles.fixtures().resolve(modelType + "--" + task);
                Fixture fixture = Fixture.read(fixtureFolder);
                Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors",
                        folder.resolve(fixture.toString() + "-checkpoint"));
                Path output = folder.resolve(fixture + "-int8");
                MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", task,
                        "--quantize", "int8", output.toString());
                if (run.exitCode() != 0) {
                    failures.add(fixture + ": exit " + run.exitCode() + "\n" + run.err());
                    continue;
                }
                assertTrue(run.err().contains("(vs. float32, batch_size=2, sequence_length=16): cosine"), run.err());
                assertTrue(run.out().contains("validated in ONNX Runtime against its float32 graph (int8 symmetric"),
                        run.out());
                Map<String, Long> ops = operatorCounts(output.resolve("model.onnx"));
                assertEquals(0, ops.getOrDefault("Gemm", 0L) + ops.getOrDefault("MatMulInteger", 0L), fixture
                        + ": every dense layer is a DynamicQuantizeMatMul: " + ops);
                assertTrue(ops.getOrDefault("DynamicQuantizeMatMul", 0L) >= 12, fixture + ": " + ops);
                var outputs = OnnxRuntimeRun.run(output.resolve("model.onnx"), fixture.inputsFile());
                for (var named : fixture.referenceOutputs().entrySet()) {
                    OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
                    OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
                    assertEquals(expected.shape(), actual.shape(), fixture + " " + named.getKey());
                    double cosine = OnnxRuntimeRun.cosine(expected.values(), actual.values());
                    cosines.put(fixture + " " + named.getKey(), cosine);
                    if (!(cosine >= 0.99)) {
                        failures.add(fixture + " " + named.getKey() + ": cosine " + cosine + " with PyTorch's float32");
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures) + "\nall cosines: " + cosines);
        assertEquals(BERT_FAMILY.size() * BERT_TASKS.size(), cosines.size(), cosines.toString());
    }

    @Test
    void int4LlamaRunsInOnnxRuntimeAndReportsTopOneAgreement() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixturesToday().resolve("llama--text-generation-with-past"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors", folder.resolve("llama"));
        Path output = folder.resolve("llama-int4");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "text-generation-with-past", "--quantize", "int4", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        Matcher topOne = TOP_ONE.matcher(run.err());
        assertTrue(topOne.find(), run.err());
        int positions = Integer.parseInt(topOne.group(2));
        assertEquals(2 * 16, positions, "the logits of every position of Optimum's batch: " + run.err());
        assertTrue(run.out().contains("int4 blocks of 32 symmetric weights"), run.out());
        Map<String, Long> ops = operatorCounts(output.resolve("model.onnx"));
        // per layer q, k, v, o, gate, up, down; plus the LM head
        assertEquals(2 * 7 + 1, ops.getOrDefault("MatMulNBits", 0L), ops.toString());
        // against PyTorch's float32 outputs on the fixture's inputs (past of 5 tokens, 4 new)
        assertLogitsCosineAtLeast(0.9, fixture, output.resolve("model.onnx"));
    }

    @Test
    void int4EmbeddingsAreReadByGatherBlockQuantized() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixturesToday().resolve("llama--text-generation"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors", folder.resolve("llama"));
        Path output = folder.resolve("llama-int4-embeddings");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", "text-generation",
                "--quantize", "int4", "--quantize-embeddings", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("int4 blocks of 32 symmetric, embeddings int4 weights"), run.out());
        Map<String, Long> ops = operatorCounts(output.resolve("model.onnx"));
        assertEquals(1, ops.getOrDefault("GatherBlockQuantized", 0L), ops.toString());
        OnnxProto.GraphProto graph = graph(output.resolve("model.onnx"));
        assertTrue(graph.getInitializerList().stream().noneMatch(t -> t.getName().equals("model.embed_tokens.weight")),
                "the float table is left out: nothing reads it");
        assertLogitsCosineAtLeast(0.9, fixture, output.resolve("model.onnx"));
    }

    @Test
    void anEncoderDecoderSplitIsComparedFileByFileWithItsFloat32Graphs() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("bart--seq2seq-lm-with-past"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors", folder.resolve("bart"));
        Path output = folder.resolve("bart-int8");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "text2text-generation-with-past", "--layout", "optimum", "--quantize", "int8", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        for (String file : List.of("encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx")) {
            assertTrue(run.err().contains("[ok] " + (file.startsWith("encoder") ? "last_hidden_state" : "logits")
                    + " (" + file + " vs. float32"), file + ": " + run.err());
            assertTrue(operatorCounts(output.resolve(file)).getOrDefault("DynamicQuantizeMatMul", 0L) > 0, file);
        }
        assertTrue(run.err().contains("note: the quantized decoder_model_merged.onnx was not run on its own"),
                run.err());
    }

    @Test
    void theLanguageModelHeadCanStayFloat32() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixturesToday().resolve("llama--text-generation"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors", folder.resolve("llama"));
        Path output = folder.resolve("llama-int8");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", "text-generation",
                "--quantize", "int8", "--quantize-zero-points", "--no-quantize-lm-head", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("int8 asymmetric, LM head float32 weights"), run.out());
        Map<String, Long> ops = operatorCounts(output.resolve("model.onnx"));
        assertEquals(2 * 7, ops.getOrDefault("DynamicQuantizeMatMul", 0L), ops.toString());
        assertEquals(1, ops.getOrDefault("Gemm", 0L) + ops.getOrDefault("MatMul", 0L)
                - matMulsOfActivations(output.resolve("model.onnx")), ops.toString());
    }

    @Test
    void quantizedEmbeddingsOutsideTheLlamaFamilyAreNotedAsFloat32() throws Exception {
        Path model = SharedFiles.fixtures().resolve("bert--default").resolve("checkpoint");
        Path output = folder.resolve("bert-int4-embeddings");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", model.toString(), "--quantize", "int4",
                "--quantize-embeddings", "--no-validate", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("note: --quantize-embeddings: the bert default graph keeps its embedding tables "
                + "float32"), run.err());
        Map<String, Long> ops = operatorCounts(output.resolve("model.onnx"));
        assertEquals(0, ops.getOrDefault("GatherBlockQuantized", 0L), ops.toString());
        assertTrue(ops.getOrDefault("MatMulNBits", 0L) > 0, ops.toString());
    }

    /**
     * {@code --optimize --quantize int4} and {@code int8} on GPT-2: one graph with the fused operators and every
     * dense layer quantized (c_attn, both c_proj, c_fc per layer and the LM head), checked by
     * {@link #assertOptimizedAndQuantized}; the LM top-1 agreement reported.
     */
    @Test
    void gpt2OptimizedAndQuantizedHasTheFusedAndTheQuantizedOperators() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("gpt2--causal-lm-with-past"));
        // per layer c_attn, attn.c_proj, c_fc, mlp.c_proj; plus the LM head (tied to wte)
        for (MainTest.Run run : assertOptimizedAndQuantized(fixture, "causal-lm-with-past", 2 * 4 + 1,
                Map.of("MultiHeadAttention", 2L, "SkipLayerNormalization", 2L, "FastGelu", 2L))) {
            assertTrue(TOP_ONE.matcher(run.err()).find(), run.err());
            assertTrue(!run.err().contains("no fused form"), run.err());
        }
    }

    /**
     * {@code --optimize --quantize int8} and {@code int4} on BERT: MultiHeadAttention on the quantized query, key and
     * value projections, SkipLayerNormalization after the quantized dense products, no Attention (which reads float32
     * weights alone), checked by {@link #assertOptimizedAndQuantized}.
     */
    @Test
    void bertOptimizedAndQuantizedHasTheFusedAndTheQuantizedOperators() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("bert--masked-lm"));
        // per layer query, key, value, attention.output.dense, intermediate.dense, output.dense; the head's
        // transform.dense and its decoder (tied to the word embeddings)
        assertOptimizedAndQuantized(fixture, "masked-lm", 2 * 6 + 2,
                Map.of("MultiHeadAttention", 2L, "SkipLayerNormalization", 4L, "Attention", 0L));
    }

    /**
     * Exports {@code fixture}'s checkpoint with {@code --optimize --quantize int4}, then {@code int8}: each validated
     * against the plain float32 graph, with {@code quantizedLayers} quantized matmuls of its scheme, the
     * {@code operators} counts, no Gemm or MatMul of a weight left, and every output within the quantized tests'
     * cosine floor of PyTorch's float32 output (int4 0.9, int8 0.99).
     *
     * @return the two exports' runs, int4's first
     */
    private List<MainTest.Run> assertOptimizedAndQuantized(Fixture fixture, String task, long quantizedLayers,
                                                           Map<String, Long> operators) throws Exception {
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors",
                folder.resolve(fixture + "-checkpoint"));
        List<MainTest.Run> runs = new ArrayList<>();
        for (var scheme : List.of(List.of("int4", "MatMulNBits", "int4 blocks of 32 symmetric", "0.9"),
                List.of("int8", "DynamicQuantizeMatMul", "int8 symmetric", "0.99"))) {
            Path output = folder.resolve(fixture + "-optimized-" + scheme.get(0));
            MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", task,
                    "--optimize", "--quantize", scheme.get(0), output.toString());
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.err().contains("(vs. plain float32, batch_size=2, sequence_length=16"), run.err());
            assertTrue(run.out().contains("validated in ONNX Runtime against its plain float32 graph (fused operators, "
                    + scheme.get(2) + " weights"), run.out());
            Map<String, Long> ops = operatorCounts(output.resolve("model.onnx"));
            assertEquals(quantizedLayers, ops.getOrDefault(scheme.get(1), 0L), ops.toString());
            operators.forEach((op, count) -> assertEquals(count, ops.getOrDefault(op, 0L), op + ": " + ops));
            assertEquals(0, ops.getOrDefault("Gemm", 0L), ops.toString());
            assertEquals(ops.getOrDefault("MatMul", 0L), matMulsOfActivations(output.resolve("model.onnx")),
                    "no MatMul of a weight is left: " + ops);
            assertOutputsCosineAtLeast(Double.parseDouble(scheme.get(3)), fixture, output.resolve("model.onnx"));
            runs.add(run);
        }
        return runs;
    }

    /**
     * {@code --optimize} with int4, quantized embeddings and a float32 LM head on a Llama with past:
     * SkipSimplifiedLayerNormalization beside the layers' MatMulNBits, the table read by GatherBlockQuantized and the
     * head's one float32 product, as the plain graph with the same options; validated against the plain float32 graph.
     */
    @Test
    void llamaOptimizedKeepsTheQuantizationOptions() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixturesToday().resolve("llama--text-generation-with-past"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors", folder.resolve("llama"));
        Path output = folder.resolve("llama-optimized-int4");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "text-generation-with-past", "--optimize", "--quantize", "int4", "--quantize-embeddings",
                "--no-quantize-lm-head", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("(vs. plain float32, batch_size=2, sequence_length=16"), run.err());
        assertTrue(run.out().contains("against its plain float32 graph (fused operators, int4 blocks of 32 symmetric, "
                + "LM head float32, embeddings int4 weights"), run.out());
        Map<String, Long> ops = operatorCounts(output.resolve("model.onnx"));
        assertEquals(2 * 7, ops.getOrDefault("MatMulNBits", 0L), ops.toString());
        assertEquals(1, ops.getOrDefault("GatherBlockQuantized", 0L), ops.toString());
        // a graph with a past keeps the broadcast attention (GroupQueryAttention serves the graphs without past)
        assertEquals(0, ops.getOrDefault("GroupQueryAttention", 0L), ops.toString());
        assertTrue(ops.getOrDefault("SkipSimplifiedLayerNormalization", 0L) >= 2, ops.toString());
        assertLogitsCosineAtLeast(0.9, fixture, output.resolve("model.onnx"));
    }

    @Test
    void aFamilyWithoutAFusedFormIsQuantizedWithANoteUnderOptimize() throws Exception {
        Path model = SharedFiles.fixtures().resolve("vit--default").resolve("checkpoint");
        Path output = folder.resolve("vit-optimized-int8");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", model.toString(), "--optimize", "--quantize",
                "int8", "--no-validate", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("note: --optimize: the vit default graph has no fused form"), run.err());
        assertTrue(operatorCounts(output.resolve("model.onnx")).getOrDefault("DynamicQuantizeMatMul", 0L) > 0);
    }

    @Test
    void optionsThatDoNotFitTogetherAreRefusedNamingTheOptionAndTheFix() {
        String model = SharedFiles.fixtures().resolve("bert--default").resolve("checkpoint").toString();
        String out = folder.resolve("never").toString();
        MainTest.Run orphan = MainTest.run("export", "onnx", "--model", model, "--quantize-zero-points", out);
        assertEquals(2, orphan.exitCode(), orphan.err());
        assertTrue(orphan.err().contains("--quantize-zero-points only applies to quantized weights; add --quantize "
                + "int8 or --quantize int4"), orphan.err());
        MainTest.Run blocks = MainTest.run("export", "onnx", "--model", model, "--quantize", "int8",
                "--quantize-block-size", "64", out);
        assertEquals(2, blocks.exitCode(), blocks.err());
        assertTrue(blocks.err().contains("--quantize-block-size applies to --quantize int4"), blocks.err());
        MainTest.Run size = MainTest.run("export", "onnx", "--model", model, "--quantize", "int4",
                "--quantize-block-size", "48", out);
        assertEquals(2, size.exitCode(), size.err());
        assertTrue(size.err().contains("--quantize-block-size: the int4 block size must be a power of two from 16 to"
                + " 256"), size.err());
        MainTest.Run scheme = MainTest.run("export", "onnx", "--model", model, "--quantize", "int3", out);
        assertEquals(2, scheme.exitCode(), scheme.err());
        assertTrue(scheme.err().contains("--quantize takes int8 or int4, got 'int3'"), scheme.err());
        MainTest.Run cosine = MainTest.run("export", "onnx", "--model", model, "--quantize", "int8", "--min-cosine",
                "2", out);
        assertEquals(2, cosine.exitCode(), cosine.err());
        assertTrue(cosine.err().contains("--min-cosine must be in (0, 1], got 2.0"), cosine.err());
        MainTest.Run atol = MainTest.run("export", "onnx", "--model", model, "--quantize", "int8", "--atol", "1e-3",
                out);
        assertEquals(2, atol.exitCode(), atol.err());
        assertTrue(atol.err().contains("--atol does not apply to --quantize: a quantized model is checked against its "
                + "float32 graph with --min-cosine and --min-top1-agreement"), atol.err());
        MainTest.Run embeddings = MainTest.run("export", "onnx", "--model", model, "--quantize", "int8",
                "--quantize-embeddings", out);
        assertEquals(2, embeddings.exitCode(), embeddings.err());
        assertTrue(embeddings.err().contains("--quantize-embeddings: embedding tables are quantized as int4 symmetric"
                + " blocks"), embeddings.err());
        assertTrue(Files.notExists(Path.of(out)));
    }

    /** How many nodes of each operator the graph has. */
    static Map<String, Long> operatorCounts(Path model) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        for (OnnxProto.NodeProto node : graph(model).getNodeList()) {
            counts.merge(node.getOpType(), 1L, Long::sum);
        }
        return counts;
    }

    /** MatMul nodes neither of whose inputs is an initializer (attention's products of activations). */
    private static long matMulsOfActivations(Path model) throws Exception {
        OnnxProto.GraphProto graph = graph(model);
        var initializers = graph.getInitializerList().stream().map(OnnxProto.TensorProto::getName).toList();
        return graph.getNodeList().stream().filter(node -> node.getOpType().equals("MatMul"))
                .filter(node -> node.getInputList().stream().noneMatch(initializers::contains)).count();
    }

    private static OnnxProto.GraphProto graph(Path model) throws Exception {
        try (var in = Files.newInputStream(model)) {
            return OnnxProto.ModelProto.parseFrom(in).getGraph();
        }
    }

    /**
     * Each of {@code model}'s outputs on the fixture's inputs against PyTorch's float32 output: the same shape, and a
     * cosine of at least {@code floor}.
     */
    private static void assertOutputsCosineAtLeast(double floor, Fixture fixture, Path model) throws Exception {
        var outputs = OnnxRuntimeRun.run(model, fixture.inputsFile());
        for (var named : fixture.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
            OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
            assertEquals(expected.shape(), actual.shape(), fixture + " " + named.getKey());
            double cosine = OnnxRuntimeRun.cosine(expected.values(), actual.values());
            assertTrue(cosine >= floor, fixture + " " + named.getKey() + ": cosine " + cosine
                    + " with PyTorch's float32, below " + floor);
        }
    }

    /**
     * {@code model}'s logits on the fixture's inputs against PyTorch's float32 logits: the same shape, and a cosine
     * of at least {@code floor}.
     */
    private static void assertLogitsCosineAtLeast(double floor, Fixture fixture, Path model) throws Exception {
        OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(),
                fixture.referenceOutputs().get("logits"));
        OnnxRuntimeRun.Output actual = OnnxRuntimeRun.run(model, fixture.inputsFile()).get("logits");
        assertEquals(expected.shape(), actual.shape(), fixture + " logits");
        double cosine = OnnxRuntimeRun.cosine(expected.values(), actual.values());
        assertTrue(cosine >= floor, fixture + ": logits cosine " + cosine + " with PyTorch's float32, below " + floor);
    }
}
