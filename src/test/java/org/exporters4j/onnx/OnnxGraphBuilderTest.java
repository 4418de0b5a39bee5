package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The DSL's structure (forms per opset, names, deduplication) and its errors, without running anything. */
class OnnxGraphBuilderTest {
    private static final Shape ROW = Shape.of(Dim.symbolic("batch_size"), Dim.of(4));

    @Test
    void unsqueezeSqueezeAndReduceSumTakeAxesAsAttributesBeforeOpset13AndAsInputsFrom13() {
        for (int opset : new int[] {12, 13}) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opset);
            Value x = g.input("x", ElementType.FLOAT, ROW);
            Value y = g.reduceSum(g.squeeze(g.unsqueeze(x, 0), 0), KeepDims.YES, -1);
            g.output("y", y, ElementType.FLOAT, ROW);
            OnnxModel model = g.build();
            for (String op : List.of("Unsqueeze", "Squeeze", "ReduceSum")) {
                Node node = node(model, op);
                if (opset == 12) {
                    assertEquals(1, node.inputs().size(), op);
                    assertEquals(Optional.of(new Attribute.IntList("axes", List.of(op.equals("ReduceSum") ? -1L : 0L))),
                            attribute(node, "axes"), op);
                } else {
                    assertEquals(2, node.inputs().size(), op);
                    assertEquals(Optional.empty(), attribute(node, "axes"), op);
                    assertTrue(producer(model, node.inputs().get(1)).opType().equals("Constant"), op);
                }
            }
        }
    }

    @Test
    void reduceMeanAndReduceMaxTakeAxesAsInputsFromOpset18() {
        for (int opset : new int[] {17, 18}) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opset);
            Value x = g.input("x", ElementType.FLOAT, ROW);
            g.output("mean", g.reduceMean(x, KeepDims.NO, 1), ElementType.FLOAT, Shape.of(Dim.symbolic("batch_size")));
            g.output("max", g.reduceMax(x, KeepDims.NO, 1), ElementType.FLOAT, Shape.of(Dim.symbolic("batch_size")));
            OnnxModel model = g.build();
            for (String op : List.of("ReduceMean", "ReduceMax")) {
                assertEquals(opset == 18 ? 2 : 1, node(model, op).inputs().size(), op + " at " + opset);
                assertEquals(Optional.of(new Attribute.IntValue("keepdims", 0)), attribute(node(model, op), "keepdims"));
            }
        }
    }

    @Test
    void splitFormsFollowTheOpset() {
        int[][] expectations = {{12, 1}, {13, 2}, {18, 2}};
        for (int[] expectation : expectations) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", expectation[0]);
            Value x = g.input("x", ElementType.FLOAT, ROW);
            List<Value> sized = g.split(x, 1, 1, 3);
            List<Value> equal = g.splitEqually(x, 1, 2);
            g.output("a", g.concat(1, sized.get(1), sized.get(0), equal.get(0), equal.get(1)), ElementType.FLOAT,
                    Shape.of(Dim.symbolic("batch_size"), Dim.of(8)));
            OnnxModel model = g.build();
            Node sizedNode = model.nodes().stream().filter(n -> n.opType().equals("Split")).findFirst().orElseThrow();
            Node equalNode = model.nodes().stream().filter(n -> n.opType().equals("Split")).skip(1).findFirst().orElseThrow();
            assertEquals(expectation[1], sizedNode.inputs().size());
            assertEquals(2, equalNode.outputs().size());
            assertEquals(expectation[0] >= 18, attribute(equalNode, "num_outputs").isPresent());
        }
    }

    @Test
    void shapeWithStartAndEndIsAttributesFromOpset15AndShapeThenSliceBefore() {
        OnnxGraphBuilder old = new OnnxGraphBuilder("main_graph", 14);
        Value x = old.input("x", ElementType.FLOAT, ROW);
        old.output("dims", old.shape(x, 0, 1), ElementType.INT64, Shape.fixed(1));
        // starts [0] and axes [0] are one deduplicated Constant; ends [1] the other
        assertEquals(List.of("Shape", "Constant", "Constant", "Slice"), opTypes(old.build()));

        OnnxGraphBuilder recent = new OnnxGraphBuilder("main_graph", 15);
        Value y = recent.input("x", ElementType.FLOAT, ROW);
        recent.output("dims", recent.shape(y, 0, 1), ElementType.INT64, Shape.fixed(1));
        Node shape = node(recent.build(), "Shape");
        assertEquals(Optional.of(new Attribute.IntValue("end", 1)), attribute(shape, "end"));
    }

    @Test
    void layerNormalizationIsNativeWithItsAttributesFromOpset17() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 17);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        Value scale = g.initializer("ln.weight", TensorData.ofFloats(new float[] {1, 1, 1, 1}, 4));
        Value bias = g.initializer("ln.bias", TensorData.ofFloats(new float[] {0, 0, 0, 0}, 4));
        g.output("y", g.layerNormalization(x, scale, bias, 1e-5), ElementType.FLOAT, ROW);
        Node node = node(g.build(), "LayerNormalization");
        assertEquals(List.of("x", "ln.weight", "ln.bias"), node.inputs());
        assertEquals(Optional.of(new Attribute.FloatValue("epsilon", 1e-5f)), attribute(node, "epsilon"));
        assertEquals(Optional.of(new Attribute.IntValue("axis", -1)), attribute(node, "axis"));
    }

    @Test
    void float16LayerNormalizationDecomposesWithStatisticsInFloat32() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT16, ROW);
        Value scale = g.initializer("ln.weight", TensorData.ofFloats(new float[] {1, 1, 1, 1}, 4).convertedTo(ElementType.FLOAT16));
        Value bias = g.initializer("ln.bias", TensorData.ofFloats(new float[] {0, 0, 0, 0}, 4).convertedTo(ElementType.FLOAT16));
        Value y = g.layerNormalization(x, scale, bias, 1e-5);
        assertEquals(ElementType.FLOAT16, y.elementType());
        g.output("y", y, ElementType.FLOAT16, ROW);
        List<String> ops = opTypes(g.build()).stream().filter(op -> !op.equals("Constant")).toList();
        assertEquals(List.of("Cast", "ReduceMean", "Sub", "Pow", "ReduceMean", "Add", "Sqrt", "Div", "Cast", "Mul", "Add"),
                ops);
    }

    @Test
    void nodesAreNamedByScopeAndOutputsRenamedToGraphOutputs() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        Value y = g.inScope("encoder", () -> g.inScope("layer.0", () -> g.relu(g.relu(x))));
        Value z = g.relu(y);
        assertEquals("/encoder/layer.0/Relu_1_output_0", y.name());
        g.output("last_hidden_state", z, ElementType.FLOAT, ROW);
        g.output("input_echo", x, ElementType.FLOAT, ROW);
        assertEquals("last_hidden_state", z.name());
        OnnxModel model = g.build();
        assertEquals(List.of("/encoder/layer.0/Relu", "/encoder/layer.0/Relu_1", "/Relu", "/Identity"),
                model.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("last_hidden_state"), model.nodes().get(2).outputs());
        assertEquals(List.of("x"), model.nodes().get(3).inputs());
        assertEquals(List.of("input_echo"), model.nodes().get(3).outputs());
    }

    @Test
    void aScopeClosesWhenItsBodyThrowsAndNamesAreChecked() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        expectError(() -> g.inScope("encoder", () -> g.sqrt(g.cast(x, ElementType.INT64))),
                "Sqrt node '/encoder/Sqrt'");
        assertEquals("/Relu_output_0", g.relu(x).name(), "the failed scope is closed");
        expectError(() -> g.inScope("a/b", () -> x), "without '/'");
        expectError(() -> g.inScope(" ", () -> x), "non-blank");
    }

    @Test
    void tiedWeightsAreStoredOnceAndEqualConstantsShareANode() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        TensorData embedding = TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Value words = g.initializer("embeddings.word_embeddings.weight", embedding);
        Value head = g.initializer("lm_head.weight", embedding);
        assertSame(words, head);
        Value transposedOnce = g.initializer("a", embedding.transposed());
        Value transposedTwice = g.initializer("b", embedding.transposed());
        assertSame(transposedOnce, transposedTwice);
        assertSame(g.constant(0, 2), g.constant(0, 2));
        Value x = g.input("x", ElementType.FLOAT, Shape.fixed(1, 2));
        Value logits = g.matMul(g.matMul(x, transposedOnce), words);
        g.output("logits", g.reshape(logits, 0, 2), ElementType.FLOAT, Shape.fixed(1, 2));
        OnnxModel model = g.build();
        assertEquals(List.of("embeddings.word_embeddings.weight", "a"),
                model.initializers().stream().map(Initializer::name).toList());
        assertEquals(1, opTypes(model).stream().filter(op -> op.equals("Constant")).count());
    }

    @Test
    void anOperatorMissingFromTheOpsetIsRejectedNamingOpAndNode() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 13);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        expectError(() -> g.trilu(x, Triangle.LOWER),
                "Trilu node '/Trilu': the operator Trilu needs opset 14 or later, but this graph is built for opset 13");
        expectError(() -> g.trilu(x, Triangle.LOWER, 1), "Trilu needs opset 14");
        OnnxGraphBuilder eleven = new OnnxGraphBuilder("main_graph", 11);
        Value y = eleven.input("y", ElementType.FLOAT, ROW);
        expectError(() -> eleven.einsum("ij->ji", y), "Einsum needs opset 12");
        expectError(() -> eleven.unsqueeze(y, eleven.constant(0)), "axes as a tensor input need opset 13");
        expectError(() -> eleven.pad(y, PadMode.WRAP, 0, 1, 0, 1), "mode WRAP needs opset 19");
        expectError(() -> Opset.of(10), "choose an opset from 11 to 23");
        expectError(() -> Opset.of(24), "choose an opset from 11 to 23");
    }

    @Test
    void wrongArityAndInvalidAttributesAreRejected() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        expectError(() -> g.concat(0), "Concat node '/Concat': needs at least one input, got none");
        expectError(() -> g.max(), "Max node '/Max': needs at least one input");
        expectError(() -> g.einsum("ij,jk->ik", x), "has 2 input terms but 1 operands");
        expectError(() -> g.einsum("i j->1", x), "is not valid");
        expectError(() -> g.transpose(x, 0, 0), "Transpose node '/Transpose': perm [0, 0] must be a permutation");
        expectError(() -> g.unsqueeze(x), "Unsqueeze node '/Unsqueeze': needs at least one axis");
        expectError(() -> g.reduceMean(x, KeepDims.YES, 1, 1), "repeat axis 1");
        expectError(() -> g.reshape(x, -1, -1), "more than one -1");
        expectError(() -> g.split(x, 0), "needs at least one part size");
        expectError(() -> g.splitEqually(x, 0, 0), "needs at least one part");
        expectError(() -> g.slice(x, 0, 0, 1, 0), "step must not be 0");
        expectError(() -> g.clip(x, 2, 1), "min 2.0 is greater than max 1.0");
        expectError(() -> g.conv(x, x, Window.of(1), 0), "group must be 1 or more");
        expectError(() -> Window.of(3, 3).withPads(1, 1), "needs 2 strides, 2 dilations and 4 pads");
        expectError(() -> g.pad(x, PadMode.CONSTANT, 1, 2, 3), "even, non-zero count");
    }

    @Test
    void elementTypesAreCheckedWhenTheNodeIsAdded() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 11);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        Value ids = g.input("input_ids", ElementType.INT64, ROW);
        expectError(() -> g.add(x, ids), "Add node '/Add': inputs x (float) and input_ids (int64) must have the same"
                + " element type");
        expectError(() -> g.sqrt(ids), "Sqrt node '/Sqrt': input X (input_ids) is int64");
        expectError(() -> g.gather(x, x, 0), "input indices (x) is float");
        expectError(() -> g.where(x, x, x), "input condition (x) is float");
        expectError(() -> g.max(ids, ids), "Max at opset 11 accepts");
        expectError(() -> g.layerNormalization(ids, ids, ids, 1e-5), "must be a floating-point type");
        expectError(() -> g.layerNormalization(x, x, x, 0, 1e-5), "axis 0 must be negative");
        expectError(() -> g.scalar(ElementType.INT32, 1.5), "1.5 is not a int32 value");
        expectError(() -> g.constantOfShape(ids, ElementType.BOOL, 2), "2.0 is not a bool value");
        assertEquals(ElementType.BOOL, g.equal(ids, ids).elementType());
        assertEquals(ElementType.INT64, g.shape(x).elementType());
        assertEquals(ElementType.FLOAT16, g.cast(x, ElementType.FLOAT16).elementType());
    }

    @Test
    void valuesOfAnotherGraphAndNullsAreRejected() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        OnnxGraphBuilder other = new OnnxGraphBuilder("other_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        Value foreign = other.input("y", ElementType.FLOAT, ROW);
        expectError(() -> g.add(x, foreign), "Add node '/Add': input B is the value y: float of another graph"
                + " ('other_graph')");
        expectError(() -> g.relu(null), "Relu node '/Relu': input X is null");
        expectError(() -> g.output("z", foreign, ElementType.FLOAT, ROW), "of another graph");
    }

    @Test
    void duplicateNamesAreRejected() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        expectError(() -> g.input("x", ElementType.FLOAT, ROW), "cannot name a graph input 'x'");
        expectError(() -> g.initializer("x", TensorData.ofFloats(new float[] {1}, 1)), "cannot name an initializer 'x'");
        g.initializer("w", TensorData.ofFloats(new float[] {1}, 1));
        expectError(() -> g.initializer("w", TensorData.ofFloats(new float[] {2}, 1)), "'w', another value already");
        Value y = g.relu(x);
        g.output("y", y, ElementType.FLOAT, ROW);
        expectError(() -> g.output("y", x, ElementType.FLOAT, ROW), "graph output 'y' is declared twice");
        expectError(() -> g.output("x", y, ElementType.FLOAT, ROW), "cannot name a graph output 'x'");
        expectError(() -> g.output("z", y, ElementType.INT64, ROW), "is declared int64 but the value y is float");
    }

    @Test
    void danglingNodesAndUnusedInitializersFailTheBuild() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, ROW);
        g.output("y", g.relu(x), ElementType.FLOAT, ROW);
        g.sigmoid(x);
        expectError(g::build, "Sigmoid node '/Sigmoid' is dangling: its output /Sigmoid_output_0 is neither read");

        OnnxGraphBuilder h = new OnnxGraphBuilder("main_graph", 14);
        Value a = h.input("x", ElementType.FLOAT, ROW);
        h.initializer("pooler.dense.weight", TensorData.ofFloats(new float[] {1}, 1));
        h.output("y", h.relu(a), ElementType.FLOAT, ROW);
        expectError(h::build, "initializer 'pooler.dense.weight' is never read by a node");

        expectError(() -> new OnnxGraphBuilder("main_graph", 14).build(), "the graph has no outputs");
    }

    @Test
    void theModelValueChecksGraphsBuiltByHand() {
        TensorSpec x = new TensorSpec("x", ElementType.FLOAT, ROW);
        TensorSpec y = new TensorSpec("y", ElementType.FLOAT, ROW);
        Node relu = new Node("Relu", "/Relu", List.of("missing"), List.of("y"), List.of());
        expectError(() -> new OnnxModel("g", Opset.of(14), List.of(x), List.of(y), List.of(), List.of(relu)),
                "Relu node '/Relu' reads 'missing', which no graph input, initializer or earlier node defines");
        Node first = new Node("Relu", "/Relu", List.of("x"), List.of("x"), List.of());
        expectError(() -> new OnnxModel("g", Opset.of(14), List.of(x), List.of(x), List.of(), List.of(first)),
                "value name 'x' is defined twice: by graph input and by Relu node '/Relu'");
        Node a = new Node("Relu", "/Relu", List.of("x"), List.of("a"), List.of());
        Node b = new Node("Relu", "/Relu", List.of("a"), List.of("y"), List.of());
        expectError(() -> new OnnxModel("g", Opset.of(14), List.of(x), List.of(y), List.of(), List.of(a, b)),
                "two nodes are named '/Relu'");
        expectError(() -> new OnnxModel("g", Opset.of(14), List.of(x), List.of(y), List.of(), List.of(a)),
                "graph output 'y' is not defined");
    }

    private static void expectError(Executable action, String fragment) {
        OnnxGraphException error = assertThrows(OnnxGraphException.class, action);
        assertTrue(error.getMessage().contains(fragment), "message: " + error.getMessage());
        assertTrue(!error.getMessage().contains("\n"), "one line: " + error.getMessage());
    }

    private static Node node(OnnxModel model, String opType) {
        return model.nodes().stream().filter(n -> n.opType().equals(opType)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + opType + " node in " + opTypes(model)));
    }

    private static Node producer(OnnxModel model, String value) {
        return model.nodes().stream().filter(n -> n.outputs().contains(value)).findFirst().orElseThrow();
    }

    private static Optional<Attribute> attribute(Node node, String name) {
        return node.attributes().stream().filter(a -> a.name().equals(name)).findFirst();
    }

    private static List<String> opTypes(OnnxModel model) {
        return model.nodes().stream().map(Node::opType).toList();
    }
}
