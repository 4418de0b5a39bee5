package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.exporters4j.SharedFiles;
import org.exporters4j.onnx.proto.OnnxProto.AttributeProto;
import org.exporters4j.onnx.proto.OnnxProto.GraphProto;
import org.exporters4j.onnx.proto.OnnxProto.ModelProto;
import org.exporters4j.onnx.proto.OnnxProto.NodeProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 §1, plain graphs ONNX Runtime runs as fast as Optimum's: a with-past decoder exported with the default
 * interface is loaded by ONNX Runtime at its extended optimization level (the level of its fusions), the optimized
 * graph it saves is read back with the project's ONNX classes, and its structure is checked. The key cache reaches
 * the score MatMul without a copy (FusedMatMul with transB, no Transpose on a past or present tensor), no Identity
 * copies a cache into its present output, and every LayerNorm (GPT-2, BART's decoder) or RMSNorm (Llama) became one
 * fused node.
 * Structure only: timings live in bench/profile-gpt2-decoding.sh.
 */
class OnnxRuntimeFusionTest {
    @TempDir
    Path folder;

    @Test
    void gpt2DecodingStepReadsTheCachesWithoutCopiesAndFusesEveryLayerNorm() throws Exception {
        Path model = export("fixtures/gpt2--causal-lm-with-past/checkpoint", "causal-lm-with-past", "gpt2");
        GraphProto exported = read(model).getGraph();
        GraphProto optimized = optimized(model, "gpt2-optimized.onnx").getGraph();
        for (GraphProto graph : List.of(exported, optimized)) {
            assertPresentsAreTheConcats(graph, 2, "");
        }
        assertNoTransposedCaches(optimized);
        assertKeysFeedFusedMatMul(optimized, 2, "", false);
        // two per layer (ln_1, ln_2) and ln_f, each one node; nothing of their decomposition is left
        Map<String, Long> ops = opCounts(optimized);
        assertEquals(5, ops.getOrDefault("LayerNormalization", 0L), ops.toString());
        assertFalse(ops.containsKey("ReduceMean"), ops.toString());
        assertFalse(ops.containsKey("Pow"), ops.toString());
        assertFalse(ops.containsKey("Identity"), ops.toString());
        // and gelu_new as one FastGelu, as for Optimum's graph
        assertEquals(2, ops.getOrDefault("com.microsoft:FastGelu", 0L), ops.toString());
    }

    @Test
    void llamaGroupedQueryDecodingStepReadsTheCachesWithoutCopiesAndFusesEveryRmsNorm() throws Exception {
        // 4 query heads sharing 2 key/value heads: the grouped key is unsqueezed, then its last two axes swapped
        Path model = export("fixtures-today/llama--text-generation-with-past/checkpoint",
                "text-generation-with-past", "llama");
        GraphProto exported = read(model).getGraph();
        GraphProto optimized = optimized(model, "llama-optimized.onnx").getGraph();
        for (GraphProto graph : List.of(exported, optimized)) {
            assertPresentsAreTheConcats(graph, 2, "");
        }
        assertNoTransposedCaches(optimized);
        assertKeysFeedFusedMatMul(optimized, 2, "", true);
        // input_layernorm and post_attention_layernorm per layer, and model.norm
        Map<String, Long> ops = opCounts(optimized);
        assertEquals(5, ops.getOrDefault("SimplifiedLayerNormalization", 0L), ops.toString());
        assertFalse(ops.containsKey("ReduceMean"), ops.toString());
        assertFalse(ops.containsKey("Identity"), ops.toString());
    }

    @Test
    void bartDecoderStepReadsTheCachesWithoutCopiesAndFusesEveryLayerNorm() throws Exception {
        // the decoder of an encoder-decoder with its own attention code (BART's), cross-attention caches as inputs
        Path model = export("fixtures/bart--default-with-past/checkpoint", "default-with-past", "bart");
        GraphProto exported = read(model).getGraph();
        GraphProto optimized = optimized(model, "bart-optimized.onnx").getGraph();
        for (GraphProto graph : List.of(exported, optimized)) {
            assertPresentsAreTheConcats(graph, 2, ".decoder");
        }
        assertNoTransposedCaches(optimized);
        assertKeysFeedFusedMatMul(optimized, 2, ".decoder", false);
        // layernorm_embedding, and self_attn_layer_norm, encoder_attn_layer_norm, final_layer_norm per layer
        Map<String, Long> ops = opCounts(optimized);
        assertEquals(7, ops.getOrDefault("LayerNormalization", 0L), ops.toString());
        assertFalse(ops.containsKey("ReduceMean"), ops.toString());
    }

    private Path export(String checkpoint, String task, String name) {
        ExportResult result = Exporter.export(ExportRequest.of(SharedFiles.require(checkpoint).toString(),
                folder.resolve(name)).withTask(task).withValidation(ExportRequest.Validation.SKIP));
        return result.modelFile();
    }

    /** What ONNX Runtime runs: the model after its graph optimizations up to the extended level. */
    private ModelProto optimized(Path model, String fileName) throws OrtException, IOException {
        Path optimized = folder.resolve(fileName);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
            options.setOptimizedModelFilePath(optimized.toString());
            OrtEnvironment.getEnvironment().createSession(model.toString(), options).close();
        }
        return read(optimized);
    }

    private static ModelProto read(Path file) throws IOException {
        return ModelProto.parseFrom(Files.readAllBytes(file));
    }

    /** No Transpose reads or writes a cache tensor. */
    private static void assertNoTransposedCaches(GraphProto graph) {
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("Transpose")) {
                boolean cacheIn = node.getInputList().stream().anyMatch(OnnxRuntimeFusionTest::isCache);
                boolean cacheOut = node.getOutputList().stream().anyMatch(OnnxRuntimeFusionTest::isCache);
                assertFalse(cacheIn || cacheOut, "a Transpose copies a cache: " + describe(node));
            }
        }
    }

    /**
     * Each present output of the (decoder) self-attention is the Concat that appends the step to its past (no
     * Identity copies it there); {@code attention} is {@code ""} for a decoder alone, {@code ".decoder"} for an
     * encoder-decoder.
     */
    private static void assertPresentsAreTheConcats(GraphProto graph, int layers, String attention) {
        for (int layer = 0; layer < layers; layer++) {
            for (String part : List.of("key", "value")) {
                String present = "present." + layer + attention + "." + part;
                NodeProto producer = producer(graph, present);
                assertEquals("Concat", producer.getOpType(), present + " is made by " + describe(producer));
                assertTrue(producer.getInputList().contains("past_key_values." + layer + attention + "." + part),
                        present + " appends to its past: " + describe(producer));
            }
        }
    }

    /**
     * Each layer's present key is the right operand of a FusedMatMul with transB (directly, or through one Unsqueeze
     * for grouped-query attention): the scores read the cache where the Concat wrote it.
     */
    private static void assertKeysFeedFusedMatMul(GraphProto graph, int layers, String attention, boolean grouped) {
        for (int layer = 0; layer < layers; layer++) {
            String key = "present." + layer + attention + ".key";
            String operand = key;
            if (grouped) {
                List<NodeProto> unsqueezes = consumers(graph, key).stream()
                        .filter(node -> node.getOpType().equals("Unsqueeze")).toList();
                assertEquals(1, unsqueezes.size(), key + " is read by " + describeAll(consumers(graph, key)));
                operand = unsqueezes.get(0).getOutput(0);
            }
            String right = operand;
            List<NodeProto> matMuls = consumers(graph, operand).stream()
                    .filter(node -> node.getOpType().equals("FusedMatMul") && node.getInput(1).equals(right))
                    .toList();
            assertEquals(1, matMuls.size(), operand + " is read by " + describeAll(consumers(graph, operand)));
            long transB = matMuls.get(0).getAttributeList().stream().filter(a -> a.getName().equals("transB"))
                    .mapToLong(AttributeProto::getI).findFirst().orElse(0);
            assertEquals(1, transB, describe(matMuls.get(0)));
        }
    }

    private static boolean isCache(String name) {
        return name.startsWith("past_key_values.") || name.startsWith("present.");
    }

    private static NodeProto producer(GraphProto graph, String value) {
        return graph.getNodeList().stream().filter(node -> node.getOutputList().contains(value)).findFirst()
                .orElseThrow(() -> new AssertionError("no node makes " + value));
    }

    private static List<NodeProto> consumers(GraphProto graph, String value) {
        return graph.getNodeList().stream().filter(node -> node.getInputList().contains(value)).toList();
    }

    /** Node counts by {@code op_type}, prefixed {@code domain:} outside the default domain. */
    static Map<String, Long> opCounts(GraphProto graph) {
        return graph.getNodeList().stream().collect(Collectors.groupingBy(
                node -> node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx") ? node.getOpType()
                        : node.getDomain() + ":" + node.getOpType(), TreeMap::new, Collectors.counting()));
    }

    private static String describe(NodeProto node) {
        return node.getOpType() + " " + node.getInputList() + " -> " + node.getOutputList();
    }

    private static String describeAll(List<NodeProto> nodes) {
        return nodes.stream().map(OnnxRuntimeFusionTest::describe).toList().toString();
    }
}
