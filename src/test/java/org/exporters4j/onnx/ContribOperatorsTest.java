package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
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
        OnnxGraphException epsilon = assertThrows(OnnxGraphException.class,
                () -> graph.skipSimplifiedLayerNormalization(x, x, x, 0.0));
        assertTrue(epsilon.getMessage().endsWith("epsilon must be a positive number, got 0.0"),
                epsilon.getMessage());
        OnnxGraphException positions = assertThrows(OnnxGraphException.class,
                () -> graph.rotaryEmbedding(x, x, x, x));
        assertTrue(positions.getMessage().contains("input position_ids"), positions.getMessage());
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
