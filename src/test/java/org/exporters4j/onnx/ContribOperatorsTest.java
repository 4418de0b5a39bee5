package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exporters4j.onnx.proto.OnnxProto.ModelProto;
import org.exporters4j.onnx.proto.OnnxProto.NodeProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's fused operators in the DSL: each node is checked when added (types, heads, epsilon), written in the
 * com.microsoft domain with that domain imported, an omitted optional output written as "", and ONNX Runtime runs
 * the result with the values the schema defines.
 */
class ContribOperatorsTest {
    @TempDir
    Path folder;

    @Test
    void skipLayerNormalizationRunsWithItsSumAndLeavesTheStatisticsOut() throws Exception {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 14);
        Shape shape = Shape.of(Dim.of(1), Dim.of(2), Dim.of(4));
        Value x = graph.input("x", ElementType.FLOAT, shape);
        Value skip = graph.input("skip", ElementType.FLOAT, shape);
        Value gamma = graph.constant(TensorData.ofFloats(new float[] {1, 1, 1, 1}, 4));
        Value beta = graph.constant(TensorData.ofFloats(new float[] {0, 0, 0, 0}, 4));
        List<Value> normalized = graph.skipLayerNormalization(x, skip, gamma, beta, null, 1e-5);
        graph.output("y", normalized.get(0), ElementType.FLOAT, shape);
        graph.output("sum", normalized.get(1), ElementType.FLOAT, shape);
        OnnxModel model = graph.build();
        assertEquals(List.of("x", "skip", gammaName(model), betaName(model)), model.nodes().stream()
                .filter(node -> node.opType().equals("SkipLayerNormalization")).findFirst().orElseThrow().inputs());
        Path file = new ModelWriter(WeightsLocation.EMBEDDED).write(model, folder).modelFile();
        ModelProto proto;
        try (InputStream in = Files.newInputStream(file)) {
            proto = ModelProto.parseFrom(in);
        }
        assertEquals(2, proto.getOpsetImportCount());
        assertEquals("com.microsoft", proto.getOpsetImport(1).getDomain());
        assertEquals(1, proto.getOpsetImport(1).getVersion());
        NodeProto node = proto.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("SkipLayerNormalization")).findFirst().orElseThrow();
        assertEquals("com.microsoft", node.getDomain());
        assertEquals(4, node.getOutputCount());
        assertEquals("", node.getOutput(1));
        assertEquals("", node.getOutput(2));

        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        float[] xs = {1, 2, 3, 4, -1, 0, 1, 2};
        float[] skips = {1, 0, -1, 0, 2, 2, 2, 2};
        try (OrtSession session = environment.createSession(file.toString());
             OnnxTensor xt = OnnxTensor.createTensor(environment, FloatBuffer.wrap(xs), new long[] {1, 2, 4});
             OnnxTensor st = OnnxTensor.createTensor(environment, FloatBuffer.wrap(skips), new long[] {1, 2, 4});
             OrtSession.Result result = session.run(Map.of("x", xt, "skip", st))) {
            float[][][] y = (float[][][]) result.get("y").orElseThrow().getValue();
            float[][][] sum = (float[][][]) result.get("sum").orElseThrow().getValue();
            assertEquals(2f, sum[0][0][0]);
            assertEquals(4f, sum[0][1][3]);
            // row 0's sum is [2, 2, 2, 4]: mean 2.5, variance 0.75
            assertEquals((2 - 2.5) / Math.sqrt(0.75 + 1e-5), y[0][0][0], 1e-5);
            assertEquals((4 - 2.5) / Math.sqrt(0.75 + 1e-5), y[0][0][3], 1e-5);
        }
    }

    @Test
    void nodesAreCheckedWhenAdded() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 14);
        Value x = graph.input("x", ElementType.FLOAT, Shape.of(Dim.of(1), Dim.of(2), Dim.of(8)));
        Value ids = graph.input("ids", ElementType.INT64, Shape.of(Dim.of(1), Dim.of(2)));
        OnnxGraphException type = assertThrows(OnnxGraphException.class, () -> graph.fastGelu(x, ids));
        assertTrue(type.getMessage().startsWith("FastGelu node '/FastGelu': inputs x (float) and ids (int64) must "
                + "have the same element type"), type.getMessage());
        OnnxGraphException heads = assertThrows(OnnxGraphException.class,
                () -> graph.multiHeadAttention(x, x, x, null, null, null, 0, Double.NaN,
                        AttentionCausality.BIDIRECTIONAL));
        assertEquals("MultiHeadAttention node '/MultiHeadAttention': num_heads must be positive, got 0",
                heads.getMessage());
        OnnxGraphException past = assertThrows(OnnxGraphException.class,
                () -> graph.multiHeadAttention(x, x, x, null, x, null, 2, Double.NaN,
                        AttentionCausality.BIDIRECTIONAL));
        assertTrue(past.getMessage().contains("past_key and past_value go together"), past.getMessage());
        Value lengths = graph.input("lengths", ElementType.INT32, Shape.of(Dim.of(1)));
        OnnxGraphException groups = assertThrows(OnnxGraphException.class,
                () -> graph.groupQueryAttention(x, x, x, null, null, lengths, lengths, null, 4, 3, Double.NaN));
        assertEquals("GroupQueryAttention node '/GroupQueryAttention': kv_num_heads must be positive and divide "
                + "num_heads 4, got 3", groups.getMessage());
        OnnxGraphException wideLengths = assertThrows(OnnxGraphException.class,
                () -> graph.groupQueryAttention(x, x, x, null, null, ids, lengths, null, 4, 2, Double.NaN));
        assertTrue(wideLengths.getMessage().contains("input seqlens_k (ids) is int64"), wideLengths.getMessage());
        OnnxGraphException gqaPast = assertThrows(OnnxGraphException.class,
                () -> graph.groupQueryAttention(x, x, x, x, null, lengths, lengths, null, 4, 2, Double.NaN));
        assertTrue(gqaPast.getMessage().contains("past_key and past_value go together"), gqaPast.getMessage());
        OnnxGraphException epsilon = assertThrows(OnnxGraphException.class,
                () -> graph.skipSimplifiedLayerNormalization(x, x, x, 0.0));
        assertTrue(epsilon.getMessage().endsWith("epsilon must be a positive number, got 0.0"),
                epsilon.getMessage());
        OnnxGraphException positions = assertThrows(OnnxGraphException.class,
                () -> graph.rotaryEmbedding(x, x, x, x));
        assertTrue(positions.getMessage().contains("input position_ids"), positions.getMessage());
    }

    /**
     * GroupQueryAttention as ONNX Runtime's CPU kernel computes it, against attention written out here: 4 query heads
     * over 2 key/value heads of size 8, each row's keys the past then the step's, query {@code i} seeing keys up to
     * {@code past + i}, the bias added to those scores (a float32 minimum hides a key), the present the past followed
     * by the step; on a step of one token over a past (batch 2), a first prompt without a past (batch 2) and a
     * prompt of three tokens over a past (batch 1, the only batch the kernel takes for that).
     */
    @Test
    void groupQueryAttentionAddsItsBiasToTheCausalScoresOverThePast() throws Exception {
        int heads = 4;
        int kvHeads = 2;
        int size = 8;
        double scale = 0.3;
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 14);
        Dim batch = Dim.symbolic("batch");
        Dim sequence = Dim.symbolic("sequence");
        Dim past = Dim.symbolic("past");
        Dim total = Dim.symbolic("total");
        Value query = graph.input("query", ElementType.FLOAT, Shape.of(batch, sequence, Dim.of(heads * size)));
        Value key = graph.input("key", ElementType.FLOAT, Shape.of(batch, sequence, Dim.of(kvHeads * size)));
        Value value = graph.input("value", ElementType.FLOAT, Shape.of(batch, sequence, Dim.of(kvHeads * size)));
        Shape pastShape = Shape.of(batch, Dim.of(kvHeads), past, Dim.of(size));
        Value pastKey = graph.input("past_key", ElementType.FLOAT, pastShape);
        Value pastValue = graph.input("past_value", ElementType.FLOAT, pastShape);
        Value bias = graph.input("bias", ElementType.FLOAT, Shape.of(batch, Dim.of(1), sequence, total));
        Value totalLength = graph.add(graph.gather(graph.shape(pastKey), graph.scalar(2), 0),
                graph.gather(graph.shape(query), graph.scalar(1), 0));
        Value lengths = graph.expand(graph.unsqueeze(graph.sub(totalLength, graph.scalar(1)), 0),
                graph.slice(graph.shape(query), 0, 0, 1));
        List<Value> attended = graph.groupQueryAttention(query, key, value, pastKey, pastValue,
                graph.cast(lengths, ElementType.INT32), graph.cast(totalLength, ElementType.INT32), bias, heads,
                kvHeads, scale);
        graph.output("output", attended.get(0), ElementType.FLOAT, Shape.of(batch, sequence, Dim.of(heads * size)));
        Shape presentShape = Shape.of(batch, Dim.of(kvHeads), total, Dim.of(size));
        graph.output("present_key", attended.get(1), ElementType.FLOAT, presentShape);
        graph.output("present_value", attended.get(2), ElementType.FLOAT, presentShape);
        OnnxModel model = graph.build();
        Node node = model.nodes().stream().filter(n -> n.opType().equals("GroupQueryAttention")).findFirst()
                .orElseThrow();
        assertEquals(OperatorDomain.MICROSOFT, node.domain());
        assertEquals(11, node.inputs().size());
        assertEquals(List.of("", "", ""), node.inputs().subList(7, 10));
        try (RuntimeSession session = RuntimeSession.of(model, folder)) {
            int[][] cases = {{2, 1, 3}, {2, 3, 0}, {1, 3, 2}};
            java.util.Random random = new java.util.Random(11);
            for (int[] shape : cases) {
                int b = shape[0];
                int s = shape[1];
                int p = shape[2];
                int t = p + s;
                float[] q = randoms(random, b * s * heads * size);
                float[] k = randoms(random, b * s * kvHeads * size);
                float[] v = randoms(random, b * s * kvHeads * size);
                float[] pk = randoms(random, b * kvHeads * p * size);
                float[] pv = randoms(random, b * kvHeads * p * size);
                float[] mask = new float[b * s * t];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = random.nextInt(4) == 0 ? -Float.MAX_VALUE : (float) (0.5 * random.nextGaussian());
                }
                for (int row = 0; row < b * s; row++) {
                    mask[row * t + p + row % s] = 0; // each query sees itself
                }
                session.feed("query", q, b, s, heads * size).feed("key", k, b, s, kvHeads * size)
                        .feed("value", v, b, s, kvHeads * size).feed("past_key", pk, b, kvHeads, p, size)
                        .feed("past_value", pv, b, kvHeads, p, size).feed("bias", mask, b, 1, s, t);
                Map<String, RuntimeSession.Output> outputs = session.run();
                float[] presentKey = new float[b * kvHeads * t * size];
                float[] presentValue = new float[presentKey.length];
                for (int r = 0; r < b; r++) {
                    for (int g = 0; g < kvHeads; g++) {
                        for (int j = 0; j < t; j++) {
                            for (int d = 0; d < size; d++) {
                                int at = ((r * kvHeads + g) * t + j) * size + d;
                                presentKey[at] = j < p ? pk[((r * kvHeads + g) * p + j) * size + d]
                                        : k[((r * s + j - p) * kvHeads + g) * size + d];
                                presentValue[at] = j < p ? pv[((r * kvHeads + g) * p + j) * size + d]
                                        : v[((r * s + j - p) * kvHeads + g) * size + d];
                            }
                        }
                    }
                }
                float[] expected = new float[b * s * heads * size];
                for (int r = 0; r < b; r++) {
                    for (int h = 0; h < heads; h++) {
                        int g = h / (heads / kvHeads);
                        for (int i = 0; i < s; i++) {
                            double[] scores = new double[p + i + 1];
                            for (int j = 0; j <= p + i; j++) {
                                double dot = 0;
                                for (int d = 0; d < size; d++) {
                                    dot += q[((r * s + i) * heads + h) * size + d]
                                            * presentKey[((r * kvHeads + g) * t + j) * size + d];
                                }
                                scores[j] = scale * dot + mask[(r * s + i) * t + j];
                            }
                            double[] weights = softmax(scores);
                            for (int d = 0; d < size; d++) {
                                double out = 0;
                                for (int j = 0; j <= p + i; j++) {
                                    out += weights[j] * presentValue[((r * kvHeads + g) * t + j) * size + d];
                                }
                                expected[((r * s + i) * heads + h) * size + d] = (float) out;
                            }
                        }
                    }
                }
                String name = "batch " + b + ", sequence " + s + ", past " + p;
                assertArrayEquals(new long[] {b, s, heads * size}, outputs.get("output").shape(), name);
                assertArrayEquals(new long[] {b, kvHeads, t, size}, outputs.get("present_key").shape(), name);
                assertArrayEquals(presentKey, outputs.get("present_key").values(), 0f, name);
                assertArrayEquals(presentValue, outputs.get("present_value").values(), 0f, name);
                assertArrayEquals(expected, outputs.get("output").values(), 1e-5f, name);
            }
            // what the Llama family's fused graph computes with plain attention instead: several tokens over a
            // past in a batch of 2
            session.feed("query", new float[2 * 3 * heads * size], 2, 3, heads * size)
                    .feed("key", new float[2 * 3 * kvHeads * size], 2, 3, kvHeads * size)
                    .feed("value", new float[2 * 3 * kvHeads * size], 2, 3, kvHeads * size)
                    .feed("past_key", new float[2 * kvHeads * 2 * size], 2, kvHeads, 2, size)
                    .feed("past_value", new float[2 * kvHeads * 2 * size], 2, kvHeads, 2, size)
                    .feed("bias", new float[2 * 3 * 5], 2, 1, 3, 5);
            OrtException refused = assertThrows(OrtException.class, session::run);
            assertTrue(refused.getMessage().contains("batch_size must be 1 when sequence_length > 1 and past context "
                    + "is given"), refused.getMessage());
        }
    }

    /**
     * {@code MultiHeadAttention} without a cache, as the BERT family's quantized fused layer uses it: the int32 key
     * padding mask adds -10000 to a masked key's scores, {@code unidirectional} hides the later keys, the scale is
     * 1/√head_size, and the present outputs are left out of the node.
     */
    @Test
    void uncachedMultiHeadAttentionMasksPaddedAndLaterKeys() throws Exception {
        int heads = 2;
        int size = 4;
        int b = 2;
        int s = 3;
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 14);
        Shape rows = Shape.of(Dim.of(b), Dim.of(s), Dim.of(heads * size));
        Value query = graph.input("query", ElementType.FLOAT, rows);
        Value key = graph.input("key", ElementType.FLOAT, rows);
        Value value = graph.input("value", ElementType.FLOAT, rows);
        Value mask = graph.cast(graph.input("mask", ElementType.INT64, Shape.of(Dim.of(b), Dim.of(s))),
                ElementType.INT32);
        for (AttentionCausality causality : AttentionCausality.values()) {
            graph.output(causality.name(), graph.uncachedMultiHeadAttention(query, key, value, mask, heads,
                    causality), ElementType.FLOAT, rows);
        }
        OnnxModel model = graph.build();
        List<Node> attentions = model.nodes().stream().filter(n -> n.opType().equals("MultiHeadAttention")).toList();
        assertEquals(2, attentions.size());
        String castMask = model.nodes().stream().filter(n -> n.opType().equals("Cast")).findFirst().orElseThrow()
                .outputs().get(0);
        assertEquals(List.of("query", "key", "value", "", castMask), attentions.get(0).inputs());
        assertEquals(1, attentions.get(0).outputs().stream().filter(name -> !name.isEmpty()).count());
        java.util.Random random = new java.util.Random(5);
        float[] q = randoms(random, b * s * heads * size);
        float[] k = randoms(random, b * s * heads * size);
        float[] v = randoms(random, b * s * heads * size);
        long[] keep = {1, 1, 1, 1, 0, 0}; // batch row 1 keeps its first key alone
        try (RuntimeSession session = RuntimeSession.of(model, folder)) {
            Map<String, RuntimeSession.Output> outputs = session.feed("query", q, b, s, heads * size)
                    .feed("key", k, b, s, heads * size).feed("value", v, b, s, heads * size).feed("mask", keep, b, s)
                    .run();
            for (AttentionCausality causality : AttentionCausality.values()) {
                float[] expected = new float[q.length];
                for (int r = 0; r < b; r++) {
                    for (int h = 0; h < heads; h++) {
                        for (int i = 0; i < s; i++) {
                            int last = causality == AttentionCausality.CAUSAL ? i : s - 1;
                            double[] scores = new double[last + 1];
                            for (int j = 0; j <= last; j++) {
                                double dot = 0;
                                for (int d = 0; d < size; d++) {
                                    dot += q[((r * s + i) * heads + h) * size + d]
                                            * k[((r * s + j) * heads + h) * size + d];
                                }
                                scores[j] = dot / Math.sqrt(size) + (keep[r * s + j] == 1 ? 0 : -10000);
                            }
                            double[] weights = softmax(scores);
                            for (int d = 0; d < size; d++) {
                                double out = 0;
                                for (int j = 0; j <= last; j++) {
                                    out += weights[j] * v[((r * s + j) * heads + h) * size + d];
                                }
                                expected[((r * s + i) * heads + h) * size + d] = (float) out;
                            }
                        }
                    }
                }
                assertArrayEquals(expected, outputs.get(causality.name()).values(), 1e-5f, causality.name());
            }
        }
    }

    /** The softmax of one query's scores over the keys it sees, in double precision: the reference's weights. */
    private static double[] softmax(double[] scores) {
        double max = java.util.Arrays.stream(scores).max().orElseThrow();
        double[] weights = java.util.Arrays.stream(scores).map(score -> Math.exp(score - max)).toArray();
        double sum = java.util.Arrays.stream(weights).sum();
        return java.util.Arrays.stream(weights).map(weight -> weight / sum).toArray();
    }

    private static float[] randoms(java.util.Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static String gammaName(OnnxModel model) {
        return model.nodes().stream().filter(node -> node.opType().equals("Constant")).toList().get(0).outputs()
                .get(0);
    }

    private static String betaName(OnnxModel model) {
        return model.nodes().stream().filter(node -> node.opType().equals("Constant")).toList().get(1).outputs()
                .get(0);
    }
}
