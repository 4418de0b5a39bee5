package org.exporters4j.onnx;

/**
 * Builds one ONNX graph for a fixed opset, one typed method per operator.
 *
 * <p>Each method checks its operands when the node is added (that the operator exists in the graph's opset, the
 * number of inputs, attribute values, element types) and emits the form the opset defines: axes as an attribute or
 * as an input, a native operator or its exact decomposition. Errors name the operator and the node. Values are
 * {@link Value} handles; their element types are inferred as nodes are added.
 *
 * <p>Nodes are named like PyTorch's exporter names them: the current scope path ({@link #inScope}) and the operator
 * ({@code /encoder/layer.0/attention/self/MatMul}, then {@code ..._1} for the next one), and their outputs
 * {@code <node>_output_<i>}. Small constants are Constant nodes, deduplicated by content; weights are initializers
 * (stored once per identity, so tied weights share one tensor). {@link #build()} returns the checked, immutable
 * {@link OnnxModel}.
 *
 * <p>Callers see one type with every operator ({@code g.add(a, b)}, {@code g.reshape(x, 0, 0, -1)}). The source
 * keeps one file per operator family, each a package-private superclass that builds on the ones before it:
 * {@link GraphBuilderCore} (inputs, outputs, initializers, constants, scopes, per-node checks, build),
 * {@link ElementwiseOperators} (arithmetic, math, activations, comparison, logic), {@link ShapeOperators} (shapes,
 * indexing, layout), {@link ReductionOperators} (reductions, softmax, normalizations), {@link MatrixOperators}
 * (MatMul, Gemm, Einsum), {@link SpatialOperators} (convolution, pooling, resize) and {@link ContribOperators}
 * (ONNX Runtime's com.microsoft fused operators, for {@code --optimize}). The chain is sealed: this
 * class is its only public, instantiable end.
 *
 * <p>A builder is used by one thread; it holds no static state.
 */
public final class OnnxGraphBuilder extends ContribOperators {
    /**
     * A builder for the graph {@code graphName} (PyTorch names its graphs {@code main_graph}) at {@code opset}.
     */
    public OnnxGraphBuilder(String graphName, Opset opset) {
        super(graphName, opset);
    }

    public OnnxGraphBuilder(String graphName, int opset) {
        this(graphName, Opset.of(opset));
    }
}
