package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds small graphs with the DSL, writes them and runs them in ONNX Runtime against values computed by hand. */
class OperatorRuntimeTest {
    private static final Dim BATCH = Dim.symbolic("batch_size");
    private static final Dim SEQUENCE = Dim.symbolic("sequence_length");

    @TempDir
    Path folder;

    @Test
    void matMulPlusBiasComputesAnAffineMap() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, Shape.of(BATCH, Dim.of(2)));
        Value w = g.initializer("dense.weight", TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Value b = g.initializer("dense.bias", TensorData.ofFloats(new float[] {0.5f, -1, 10}, 3));
        g.output("y", g.add(g.matMul(x, w), b), ElementType.FLOAT, Shape.of(BATCH, Dim.of(3)));

        try (RuntimeSession session = RuntimeSession.of(g.build(), folder)) {
            RuntimeSession.Output y = session.feed("x", new float[] {1, 1, 2, -1}, 2, 2).run("y");
            // [1,1]·W = [5,7,9]; [2,-1]·W = [-2,-1,0]; plus the bias
            assertArrayEquals(new long[] {2, 3}, y.shape());
            assertArrayEquals(new float[] {5.5f, 6, 19, -1.5f, -2, 10}, y.values(), 0f);
        }
    }

    @Test
    void softmaxIsNativeAtOpset13AndDecomposedForInnerAxesBefore() throws Exception {
        float[] input = {1, 2, 3, 4, 0, 0, -1, 5};
        for (int opset : new int[] {11, 13}) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opset);
            Value x = g.input("x", ElementType.FLOAT, Shape.fixed(2, 2, 2));
            g.output("last", g.softmax(x, -1), ElementType.FLOAT, Shape.fixed(2, 2, 2));
            g.output("middle", g.softmax(x, 1), ElementType.FLOAT, Shape.fixed(2, 2, 2));
            OnnxModel model = g.build();
            long natives = model.nodes().stream().filter(n -> n.opType().equals("Softmax")).count();
            assertEquals(opset == 13 ? 2 : 1, natives, "opset " + opset);

            try (RuntimeSession session = RuntimeSession.of(model, folder.resolve("opset" + opset))) {
                var outputs = session.feed("x", input, 2, 2, 2).run();
                assertArrayEquals(softmax(input, 2, 2, 2, 2), outputs.get("last").values(), 1e-6f);
                assertArrayEquals(softmax(input, 2, 2, 2, 1), outputs.get("middle").values(), 1e-6f);
            }
        }
        // softmax([1, 2]) by hand: 1 / (1 + e)
        assertEquals(1 / (1 + Math.E), softmax(new float[] {1, 2}, 1, 1, 2, 2)[0], 1e-7);
    }

    @Test
    void layerNormalizationNativeAtOpset17EqualsItsDecompositionAtOpset11() throws Exception {
        float[] input = {1, 2, 3, 4, -2, 0.5f, 7, 3, 0, 0, 0, 1};
        float[] gamma = {1, 0.5f, -1, 2};
        float[] beta = {0, 1, 0.25f, -3};
        float[][] results = new float[2][];
        int[] opsets = {17, 11};
        for (int i = 0; i < opsets.length; i++) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opsets[i]);
            Value x = g.input("x", ElementType.FLOAT, Shape.of(BATCH, SEQUENCE, Dim.of(4)));
            Value scale = g.initializer("LayerNorm.weight", TensorData.ofFloats(gamma, 4));
            Value bias = g.initializer("LayerNorm.bias", TensorData.ofFloats(beta, 4));
            g.output("y", g.layerNormalization(x, scale, bias, 1e-12), ElementType.FLOAT,
                    Shape.of(BATCH, SEQUENCE, Dim.of(4)));
            OnnxModel model = g.build();
            List<String> ops = model.nodes().stream().map(Node::opType).filter(op -> !op.equals("Constant")).toList();
            if (opsets[i] == 17) {
                assertEquals(List.of("LayerNormalization"), ops);
            } else {
                assertEquals(List.of("ReduceMean", "Sub", "Pow", "ReduceMean", "Add", "Sqrt", "Div", "Mul", "Add"), ops);
            }
            try (RuntimeSession session = RuntimeSession.of(model, folder.resolve("opset" + opsets[i]))) {
                results[i] = session.feed("x", input, 1, 3, 4).run("y").values();
            }
        }
        assertArrayEquals(results[0], results[1], 1e-6f);
        // Row [1,2,3,4]: mean 2.5, variance 1.25, so x̂ = [-1.3416, -0.4472, 0.4472, 1.3416]
        double s = Math.sqrt(1.25 + 1e-12);
        float[] firstRow = {(float) (-1.5 / s), (float) (-0.5 / s * 0.5 + 1), (float) (-(0.5 / s) + 0.25),
            (float) (1.5 / s * 2 - 3)};
        assertArrayEquals(firstRow, java.util.Arrays.copyOf(results[0], 4), 1e-6f);
        // Row [0,0,0,1]: mean 0.25, variance 0.1875
        double t = Math.sqrt(0.1875 + 1e-12);
        assertEquals(0.75 / t * 2 - 3, results[1][11], 1e-5);
    }

    @Test
    void unsqueezeAndReductionsRunAtOpsets11And13And18() throws Exception {
        for (int opset : new int[] {11, 13, 18}) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opset);
            Value x = g.input("x", ElementType.FLOAT, Shape.of(BATCH, Dim.of(3)));
            Value expanded = g.unsqueeze(x, 1, -1);
            g.output("expanded", expanded, ElementType.FLOAT, Shape.of(BATCH, Dim.of(1), Dim.of(3), Dim.of(1)));
            g.output("squeezed", g.squeeze(expanded, 1, 3), ElementType.FLOAT, Shape.of(BATCH, Dim.of(3)));
            g.output("mean", g.reduceMean(x, KeepDims.NO, -1), ElementType.FLOAT, Shape.of(BATCH));
            g.output("sum", g.reduceSum(x, KeepDims.YES, 0), ElementType.FLOAT, Shape.of(Dim.of(1), Dim.of(3)));
            g.output("max", g.reduceMax(x, KeepDims.NO, 1), ElementType.FLOAT, Shape.of(BATCH));
            g.output("min", g.reduceMin(x, KeepDims.NO), ElementType.FLOAT, Shape.scalar());
            g.output("total", g.reduceSum(x, KeepDims.NO), ElementType.FLOAT, Shape.scalar());
            OnnxModel model = g.build();
            try (RuntimeSession session = RuntimeSession.of(model, folder.resolve("opset" + opset))) {
                var out = session.feed("x", new float[] {1, 2, 6, -3, 0, 9}, 2, 3).run();
                assertArrayEquals(new long[] {2, 1, 3, 1}, out.get("expanded").shape(), "opset " + opset);
                assertArrayEquals(new float[] {1, 2, 6, -3, 0, 9}, out.get("squeezed").values());
                assertArrayEquals(new float[] {3, 2}, out.get("mean").values(), 1e-6f);
                assertArrayEquals(new float[] {-2, 2, 15}, out.get("sum").values());
                assertArrayEquals(new float[] {6, 9}, out.get("max").values());
                assertArrayEquals(new float[] {-3}, out.get("min").values());
                assertArrayEquals(new float[] {15}, out.get("total").values());
            }
        }
    }

    @Test
    void gatherLooksUpEmbeddingRowsForTokenIds() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 11);
        Value ids = g.input("input_ids", ElementType.INT64, Shape.of(BATCH, SEQUENCE));
        Value table = g.initializer("embeddings.word_embeddings.weight",
                TensorData.ofFloats(new float[] {0, 0, 1, 10, 2, 20, 3, 30}, 4, 2));
        g.output("embeddings", g.gather(table, ids, 0), ElementType.FLOAT, Shape.of(BATCH, SEQUENCE, Dim.of(2)));
        g.output("second", g.gather(ids, g.scalar(1), 1), ElementType.INT64, Shape.of(BATCH));
        try (RuntimeSession session = RuntimeSession.of(g.build(), folder)) {
            var out = session.feed("input_ids", new long[] {3, 1, 0, 2}, 2, 2).run();
            assertArrayEquals(new long[] {2, 2, 2}, out.get("embeddings").shape());
            assertArrayEquals(new float[] {3, 30, 1, 10, 0, 0, 2, 20}, out.get("embeddings").values());
            assertArrayEquals(new float[] {1, 2}, out.get("second").values());
        }
    }

    @Test
    void attentionChainMatchesAHandComputedReferenceForTwoSequenceLengths() throws Exception {
        int heads = 2;
        int headSize = 2;
        int hidden = heads * headSize;
        float[] wq = sequence(hidden * hidden, 0.1f, 0.05f);
        float[] wk = sequence(hidden * hidden, -0.2f, 0.03f);
        float[] wv = sequence(hidden * hidden, 0.3f, -0.04f);
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("hidden_states", ElementType.FLOAT, Shape.of(BATCH, SEQUENCE, Dim.of(hidden)));
        Value mask = g.input("attention_mask", ElementType.INT64, Shape.of(BATCH, SEQUENCE));
        // nn.Linear weights are [out, in]; MatMul wants [in, out]
        Value q = g.inScope("attention", () -> g.inScope("query", () -> heads(g, g.matMul(x,
                g.initializer("query.weight", TensorData.ofFloats(wq, hidden, hidden).transposed())), heads, headSize)));
        Value k = g.inScope("attention", () -> g.inScope("key", () -> heads(g, g.matMul(x,
                g.initializer("key.weight", TensorData.ofFloats(wk, hidden, hidden).transposed())), heads, headSize)));
        Value v = g.inScope("attention", () -> heads(g, g.matMul(x,
                g.initializer("value.weight", TensorData.ofFloats(wv, hidden, hidden).transposed())), heads, headSize));
        Value scores = g.div(g.matMul(q, g.transpose(k, 0, 1, 3, 2)), g.scalar(ElementType.FLOAT, Math.sqrt(headSize)));
        // (1 - mask) × -10000 broadcast over heads and queries, as BERT's extended attention mask
        Value extended = g.mul(g.sub(g.scalar(ElementType.FLOAT, 1), g.cast(g.unsqueeze(mask, 1, 2), ElementType.FLOAT)),
                g.scalar(ElementType.FLOAT, -10000));
        Value probabilities = g.softmax(g.add(scores, extended), -1);
        Value context = g.reshape(g.transpose(g.matMul(probabilities, v), 0, 2, 1, 3), 0, 0, hidden);
        g.output("context", context, ElementType.FLOAT, Shape.of(BATCH, SEQUENCE, Dim.of(hidden)));
        OnnxModel model = g.build();
        assertTrue(model.nodes().stream().anyMatch(n -> n.name().equals("/attention/key/MatMul")));
        assertTrue(model.nodes().stream().anyMatch(n -> n.name().equals("/attention/MatMul")));

        try (RuntimeSession session = RuntimeSession.of(model, folder)) {
            for (int sequence : new int[] {3, 5}) {
                int batch = sequence == 3 ? 2 : 1;
                float[] input = sequence(batch * sequence * hidden, -1f, 0.17f);
                long[] maskValues = new long[batch * sequence];
                java.util.Arrays.fill(maskValues, 1);
                maskValues[sequence - 1] = 0; // the first sequence's last token is padding
                RuntimeSession.Output out = session.feed("hidden_states", input, batch, sequence, hidden)
                        .feed("attention_mask", maskValues, batch, sequence).run("context");
                assertArrayEquals(new long[] {batch, sequence, hidden}, out.shape());
                float[] expected = attention(input, maskValues, wq, wk, wv, batch, sequence, heads, headSize);
                assertArrayEquals(expected, out.values(), 1e-5f, "sequence length " + sequence);
            }
        }
    }

    @Test
    void geluNativeAtOpset20EqualsTheDecompositionsBefore() throws Exception {
        float[] input = {-3, -1, -0.5f, 0, 0.5f, 1, 2, 4};
        for (GeluApproximation approximation : GeluApproximation.values()) {
            float[][] results = new float[2][];
            int[] opsets = {20, 14};
            for (int i = 0; i < 2; i++) {
                OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opsets[i]);
                Value x = g.input("x", ElementType.FLOAT, Shape.of(SEQUENCE));
                g.output("y", g.gelu(x, approximation), ElementType.FLOAT, Shape.of(SEQUENCE));
                try (RuntimeSession session = RuntimeSession.of(g.build(), folder.resolve(approximation + "" + i))) {
                    results[i] = session.feed("x", input, input.length).run("y").values();
                }
            }
            assertArrayEquals(results[0], results[1], 1e-6f, approximation.toString());
            // gelu(1) = Φ(1) = 0.8413447; tanh form: 0.5 × (1 + tanh(√(2/π) × 1.044715)) = 0.8411920
            assertEquals(approximation == GeluApproximation.NONE ? 0.8413447f : 0.8411920f, results[1][5], 1e-6f);
        }
    }

    @Test
    void rmsNormalizationNativeAtOpset23EqualsTheDecompositionBefore() throws Exception {
        float[] input = {1, 2, 3, 4, -1, 0, 0, 1};
        float[][] results = new float[2][];
        int[] opsets = {23, 14};
        for (int i = 0; i < 2; i++) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opsets[i]);
            Value x = g.input("x", ElementType.FLOAT, Shape.of(SEQUENCE, Dim.of(4)));
            Value weight = g.initializer("norm.weight", TensorData.ofFloats(new float[] {1, 2, 0.5f, -1}, 4));
            g.output("y", g.rmsNormalization(x, weight, 1e-6), ElementType.FLOAT, Shape.of(SEQUENCE, Dim.of(4)));
            try (RuntimeSession session = RuntimeSession.of(g.build(), folder.resolve("opset" + opsets[i]))) {
                results[i] = session.feed("x", input, 2, 4).run("y").values();
            }
        }
        assertArrayEquals(results[0], results[1], 1e-6f);
        double rms = Math.sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-6);
        assertEquals(2 * 2 / rms, results[1][1], 1e-6);
    }

    @Test
    void shapeSliceSplitConcatAndMasksWorkAcrossOpsets() throws Exception {
        for (int opset : new int[] {11, 13, 15, 18, 21, 23}) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opset);
            Value x = g.input("x", ElementType.FLOAT, Shape.of(BATCH, Dim.of(4)));
            g.output("tail_dims", g.shape(x, 1), ElementType.INT64, Shape.fixed(1));
            g.output("columns", g.slice(x, 1, 1, 3), ElementType.FLOAT, Shape.of(BATCH, Dim.of(2)));
            g.output("reversed", g.slice(x, 1, -1, Long.MIN_VALUE, -1), ElementType.FLOAT, Shape.of(BATCH, Dim.of(4)));
            List<Value> parts = g.split(x, 1, 1, 3);
            List<Value> halves = g.splitEqually(x, 1, 2);
            g.output("rejoined", g.concat(1, halves.get(1), parts.get(0)), ElementType.FLOAT, Shape.of(BATCH, Dim.of(3)));
            g.output("rest", parts.get(1), ElementType.FLOAT, Shape.of(BATCH, Dim.of(3)));
            Value positive = g.greater(x, g.scalar(ElementType.FLOAT, 0));
            g.output("relu_by_where", g.where(positive, x, g.scalar(ElementType.FLOAT, 0)), ElementType.FLOAT,
                    Shape.of(BATCH, Dim.of(4)));
            Value positions = g.cumSum(g.cast(positive, ElementType.INT64), 1);
            g.output("positions", positions, ElementType.INT64, Shape.of(BATCH, Dim.of(4)));
            OnnxModel model = g.build();
            try (RuntimeSession session = RuntimeSession.of(model, folder.resolve("opset" + opset))) {
                var out = session.feed("x", new float[] {1, -2, 3, 4, -5, 6, 7, -8}, 2, 4).run();
                String at = "opset " + opset;
                assertArrayEquals(new float[] {4}, out.get("tail_dims").values(), at);
                assertArrayEquals(new float[] {-2, 3, 6, 7}, out.get("columns").values(), at);
                assertArrayEquals(new float[] {4, 3, -2, 1, -8, 7, 6, -5}, out.get("reversed").values(), at);
                assertArrayEquals(new float[] {3, 4, 1, 7, -8, -5}, out.get("rejoined").values(), at);
                assertArrayEquals(new float[] {-2, 3, 4, 6, 7, -8}, out.get("rest").values(), at);
                assertArrayEquals(new float[] {1, 0, 3, 4, 0, 6, 7, 0}, out.get("relu_by_where").values(), at);
                assertArrayEquals(new float[] {1, 1, 2, 3, 0, 1, 2, 2}, out.get("positions").values(), at);
            }
        }
    }

    @Test
    void causalMaskFromRangeTriluAndComparisons() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value ids = g.input("input_ids", ElementType.INT64, Shape.of(BATCH, SEQUENCE));
        Value length = g.gather(g.shape(ids), g.scalar(1), 0);
        Value positions = g.range(g.scalar(0), length, g.scalar(1));
        Value square = g.concat(0, g.unsqueeze(length, 0), g.unsqueeze(length, 0));
        Value ones = g.constantOfShape(square, ElementType.FLOAT, 1);
        g.output("upper", g.trilu(ones, Triangle.UPPER, 1), ElementType.FLOAT, Shape.of(SEQUENCE, SEQUENCE));
        Value causal = g.lessOrEqual(g.unsqueeze(positions, 0), g.unsqueeze(positions, 1));
        g.output("causal", g.cast(causal, ElementType.FLOAT), ElementType.FLOAT, Shape.of(SEQUENCE, SEQUENCE));
        Value expanded = g.expand(g.unsqueeze(positions, 0), g.shape(ids));
        g.output("position_ids", expanded, ElementType.INT64, Shape.of(BATCH, SEQUENCE));
        try (RuntimeSession session = RuntimeSession.of(g.build(), folder)) {
            var out = session.feed("input_ids", new long[] {5, 6, 7, 8, 9, 10}, 2, 3).run();
            assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1, 0, 0, 0}, out.get("upper").values());
            assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 1, 1, 1}, out.get("causal").values());
            assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2}, out.get("position_ids").values());
        }
    }

    @Test
    void einsumGemmTileAndElementwiseMath() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 13);
        Value a = g.input("a", ElementType.FLOAT, Shape.fixed(2, 2));
        Value b = g.initializer("b", TensorData.ofFloats(new float[] {1, 2, 3, 4}, 2, 2));
        Value c = g.initializer("c", TensorData.ofFloats(new float[] {10, 20}, 2));
        g.output("einsum", g.einsum("ij,jk->ik", a, b), ElementType.FLOAT, Shape.fixed(2, 2));
        g.output("gemm", g.gemm(a, b, c, 1, 1, Transposition.AS_IS, Transposition.TRANSPOSED), ElementType.FLOAT,
                Shape.fixed(2, 2));
        g.output("tiled", g.tile(a, 1, 2), ElementType.FLOAT, Shape.fixed(2, 4));
        Value math = g.add(g.mul(g.abs(g.neg(a)), g.exp(g.log(g.sqrt(g.pow(a, g.scalar(ElementType.FLOAT, 2)))))),
                g.max(g.floor(a), g.ceil(a)));
        g.output("math", math, ElementType.FLOAT, Shape.fixed(2, 2));
        g.output("clipped", g.clip(a, -1, 2.5), ElementType.FLOAT, Shape.fixed(2, 2));
        g.output("argmax", g.argMax(a, 1, KeepDims.NO), ElementType.INT64, Shape.fixed(2));
        g.output("mod", g.mod(g.cast(a, ElementType.INT64), g.scalar(3)), ElementType.INT64, Shape.fixed(2, 2));
        try (RuntimeSession session = RuntimeSession.of(g.build(), folder)) {
            var out = session.feed("a", new float[] {1.5f, -2, 0, 4}, 2, 2).run();
            assertArrayEquals(new float[] {-4.5f, -5, 12, 16}, out.get("einsum").values(), 1e-6f);
            assertArrayEquals(new float[] {7.5f, 16.5f, 18, 36}, out.get("gemm").values(), 1e-6f);
            assertArrayEquals(new float[] {1.5f, -2, 1.5f, -2, 0, 4, 0, 4}, out.get("tiled").values());
            // |x| × |x| + max(floor, ceil)
            assertArrayEquals(new float[] {2.25f + 2, 4 - 2, 0, 16 + 4}, out.get("math").values(), 1e-5f);
            assertArrayEquals(new float[] {1.5f, -1, 0, 2.5f}, out.get("clipped").values());
            assertArrayEquals(new float[] {0, 1}, out.get("argmax").values());
            // int64: 1 % 3, -2 % 3 (Python: 1), 0, 4 % 3
            assertArrayEquals(new float[] {1, 1, 0, 1}, out.get("mod").values());
        }
    }

    @Test
    void convolutionPoolingAndBatchNormalization() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 11);
        Value x = g.input("pixel_values", ElementType.FLOAT, Shape.of(BATCH, Dim.of(1), Dim.of(4), Dim.of(4)));
        // ViT-style patch embedding: kernel = stride = 2, one output channel summing each patch
        Value weight = g.initializer("patch.weight", TensorData.ofFloats(new float[] {1, 1, 1, 1}, 1, 1, 2, 2));
        Value bias = g.initializer("patch.bias", TensorData.ofFloats(new float[] {0.5f}, 1));
        Value patches = g.conv(x, weight, bias, Window.of(2, 2).withStrides(2, 2), 1);
        g.output("patches", patches, ElementType.FLOAT, Shape.of(BATCH, Dim.of(1), Dim.of(2), Dim.of(2)));
        g.output("max", g.maxPool(x, Window.of(3, 3).withStrides(2, 2).withPads(1, 1, 1, 1)), ElementType.FLOAT,
                Shape.of(BATCH, Dim.of(1), Dim.of(2), Dim.of(2)));
        g.output("average", g.averagePool(x, Window.of(2, 2).withStrides(2, 2), PadCounting.INCLUDE_PADDING),
                ElementType.FLOAT, Shape.of(BATCH, Dim.of(1), Dim.of(2), Dim.of(2)));
        Value pooled = g.flatten(g.globalAveragePool(x), 1);
        g.output("pooled", pooled, ElementType.FLOAT, Shape.of(BATCH, Dim.of(1)));
        Value one = g.initializer("bn.weight", TensorData.ofFloats(new float[] {2}, 1));
        Value shift = g.initializer("bn.bias", TensorData.ofFloats(new float[] {1}, 1));
        Value mean = g.initializer("bn.running_mean", TensorData.ofFloats(new float[] {8}, 1));
        Value variance = g.initializer("bn.running_var", TensorData.ofFloats(new float[] {4}, 1));
        g.output("normalized", g.batchNormalization(x, one, shift, mean, variance, 0), ElementType.FLOAT,
                Shape.of(BATCH, Dim.of(1), Dim.of(4), Dim.of(4)));
        g.output("padded", g.pad(x, PadMode.CONSTANT, 0, 0, 0, 1, 0, 0, 0, 0), ElementType.FLOAT,
                Shape.of(BATCH, Dim.of(1), Dim.of(4), Dim.of(5)));
        float[] image = new float[16];
        for (int i = 0; i < 16; i++) {
            image[i] = i;
        }
        try (RuntimeSession session = RuntimeSession.of(g.build(), folder)) {
            var out = session.feed("pixel_values", image, 1, 1, 4, 4).run();
            assertArrayEquals(new float[] {10.5f, 18.5f, 42.5f, 50.5f}, out.get("patches").values());
            assertArrayEquals(new float[] {5, 7, 13, 15}, out.get("max").values());
            assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, out.get("average").values());
            assertArrayEquals(new float[] {7.5f}, out.get("pooled").values());
            assertEquals((0 - 8) / 2f * 2 + 1, out.get("normalized").values()[0], 1e-6f);
            assertEquals((15 - 8) / 2f * 2 + 1, out.get("normalized").values()[15], 1e-6f);
            assertArrayEquals(new float[] {0, 0, 1, 2, 3}, java.util.Arrays.copyOf(out.get("padded").values(), 5));
        }
    }

    @Test
    void everySupportedOpsetLoadsInOnnxRuntime() throws Exception {
        for (int opset = Opset.MIN_VERSION; opset <= Opset.MAX_VERSION; opset++) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opset);
            Value x = g.input("x", ElementType.FLOAT, Shape.of(BATCH, Dim.of(2)));
            Value y = g.reduceSum(g.unsqueeze(g.softmax(x, 1), 0), KeepDims.NO, 0);
            g.output("y", y, ElementType.FLOAT, Shape.of(BATCH, Dim.of(2)));
            try (RuntimeSession session = RuntimeSession.of(g.build(), folder.resolve("opset" + opset))) {
                float[] values = session.feed("x", new float[] {0, 0}, 1, 2).run("y").values();
                assertArrayEquals(new float[] {0.5f, 0.5f}, values, 1e-7f, "opset " + opset);
            }
        }
    }

    private static Value heads(OnnxGraphBuilder g, Value projected, int heads, int headSize) {
        return g.transpose(g.reshape(projected, 0, 0, heads, headSize), 0, 2, 1, 3);
    }

    private static float[] sequence(int count, float start, float step) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = start + step * i;
        }
        return values;
    }

    /** Softmax over {@code axis} of a row-major [d0, d1, d2] tensor, in double. */
    private static float[] softmax(float[] x, int d0, int d1, int d2, int axis) {
        int[] dims = {d0, d1, d2};
        int[] strides = {d1 * d2, d2, 1};
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int index = (i / strides[axis]) % dims[axis];
            int base = i - index * strides[axis];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < dims[axis]; j++) {
                max = Math.max(max, x[base + j * strides[axis]]);
            }
            double sum = 0;
            for (int j = 0; j < dims[axis]; j++) {
                sum += Math.exp(x[base + j * strides[axis]] - max);
            }
            out[i] = (float) (Math.exp(x[i] - max) / sum);
        }
        return out;
    }

    /** Multi-head self-attention with a padding mask, straight from its definition, in double. */
    private static float[] attention(float[] x, long[] mask, float[] wq, float[] wk, float[] wv, int batch,
                                     int sequence, int heads, int headSize) {
        int hidden = heads * headSize;
        double[][] q = project(x, wq, batch * sequence, hidden);
        double[][] k = project(x, wk, batch * sequence, hidden);
        double[][] v = project(x, wv, batch * sequence, hidden);
        float[] out = new float[batch * sequence * hidden];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < sequence; i++) {
                    double[] scores = new double[sequence];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < sequence; j++) {
                        double dot = 0;
                        for (int d = 0; d < headSize; d++) {
                            dot += q[b * sequence + i][h * headSize + d] * k[b * sequence + j][h * headSize + d];
                        }
                        scores[j] = dot / Math.sqrt(headSize) + (1 - mask[b * sequence + j]) * -10000.0;
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < sequence; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int d = 0; d < headSize; d++) {
                        double value = 0;
                        for (int j = 0; j < sequence; j++) {
                            value += scores[j] / sum * v[b * sequence + j][h * headSize + d];
                        }
                        out[(b * sequence + i) * hidden + h * headSize + d] = (float) value;
                    }
                }
            }
        }
        return out;
    }

    /** rows × [out, in]ᵀ: a PyTorch Linear without bias. */
    private static double[][] project(float[] x, float[] weight, int rows, int size) {
        double[][] out = new double[rows][size];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < size; o++) {
                double sum = 0;
                for (int i = 0; i < size; i++) {
                    sum += x[r * size + i] * weight[o * size + i];
                }
                out[r][o] = sum;
            }
        }
        return out;
    }
}
