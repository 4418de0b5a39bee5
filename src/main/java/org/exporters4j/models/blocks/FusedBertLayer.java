package org.exporters4j.models.blocks;

import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.Parameters.Source;
import org.exporters4j.onnx.AttentionCausality;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * BERT's layer ({@code BertLayer} under {@code prefix}: {@code attention.self.query/key/value},
 * {@code attention.output.dense} and {@code .LayerNorm}, {@code intermediate.dense}, {@code output.dense} and
 * {@code .LayerNorm}) in the fused form ({@code --optimize}): ONNX Runtime's {@code Attention} with the three
 * projections merged into one {@code [hidden, 3 × hidden]} weight, and each residual and its LayerNorm as one
 * {@code SkipLayerNormalization} taking the dense layer's bias. The feed-forward layer's {@code intermediate.dense} is
 * the plain graph's {@link Linear} (a {@code Gemm} keeping its bias) with its activation as the plain graph writes it,
 * which ONNX Runtime fuses to {@code Gelu}: {@code BiasGelu} after a bias-less MatMul took 5.4 ms per bert-base
 * 1 × 128 run against 1.8 ms for {@code Gelu} (ONNX Runtime 1.29's profiler, 2 cores), and the layer 3% longer. The
 * same function as {@link BertStyleLayer#afterAttention} after {@link ScaledDotProductAttention#context}; ONNX Runtime
 * masks a key with -10000 where Transformers adds {@code finfo(float32).min}, which gives the same probabilities in
 * float32.
 *
 * <p>With {@code --quantize} every dense layer is the plain graph's {@link Linear}, quantized as in the plain quantized
 * graph, since {@code Attention} cannot read a quantized weight: {@code MultiHeadAttention} takes the three quantized
 * projections, and the {@code SkipLayerNormalization} nodes the two quantized dense products, adding their biases.
 * Rows in, rows out.
 */
public final class FusedBertLayer {
    private FusedBertLayer() {}

    /**
     * The key mask {@code Attention} and {@code MultiHeadAttention} read: {@code attention_mask}
     * {@code [batch, sequence]} as int32, or null when the graph has no mask input (every key is attended).
     */
    public static Value keyMask(OnnxGraphBuilder graph, Value attentionMask) {
        return attentionMask == null ? null : graph.cast(attentionMask, ElementType.INT32);
    }

    /**
     * The layer under {@code prefix} on {@code rows} {@code [batch × sequence, hidden]}.
     *
     * @param keyMask {@link #keyMask}, or null
     */
    public static Value apply(OnnxGraphBuilder graph, Parameters parameters, String prefix, Value rows,
                              Value keyMask, TokenGrid grid, BertStyleLayer.Settings settings,
                              AttentionDirection direction) {
        long hidden = settings.hiddenSize();
        long inner = settings.intermediateSize();
        AttentionCausality causality = direction == AttentionDirection.CAUSAL ? AttentionCausality.CAUSAL
                : AttentionCausality.BIDIRECTIONAL;
        Value context = graph.denseWeightQuantizer().isPresent()
                ? projectedAttention(graph, parameters, prefix + "attention.self.", rows, keyMask, grid, settings,
                        causality)
                : mergedAttention(graph, parameters, prefix + "attention.self.", rows, keyMask, grid, settings,
                        causality);
        Value attended = skipNorm(graph, parameters, prefix + "attention.output.", graph.reshape(context, -1, hidden),
                rows, hidden, hidden, settings.layerNormEps());
        Value activated = settings.activation().apply(graph,
                Linear.load(parameters, prefix + "intermediate.dense", hidden, inner).apply(graph, attended));
        return skipNorm(graph, parameters, prefix + "output.", activated, attended, inner, hidden,
                settings.layerNormEps());
    }

    /** {@code Attention} on the three projections of {@code attention} merged into one float32 weight. */
    private static Value mergedAttention(OnnxGraphBuilder graph, Parameters parameters, String attention, Value rows,
                                         Value keyMask, TokenGrid grid, BertStyleLayer.Settings settings,
                                         AttentionCausality causality) {
        long hidden = settings.hiddenSize();
        Value weights = parameters.derived(attention + "query_key_value.weight_in_out",
                parts -> TensorData.concatenated(0, parts).transposed(),
                List.of(Source.of(attention + "query.weight", hidden, hidden),
                        Source.of(attention + "key.weight", hidden, hidden),
                        Source.of(attention + "value.weight", hidden, hidden)));
        Value bias = parameters.derived(attention + "query_key_value.bias",
                parts -> TensorData.concatenated(0, parts),
                List.of(Source.of(attention + "query.bias", hidden), Source.of(attention + "key.bias", hidden),
                        Source.of(attention + "value.bias", hidden)));
        return graph.fusedAttention(grid.unflatten(graph, rows, hidden), weights, bias, keyMask, settings.heads(),
                causality);
    }

    /**
     * {@code MultiHeadAttention} on the query, key and value projections of {@code attention} computed as the plain
     * graph's {@link Linear} layers, so {@code --quantize} quantizes them as in the plain quantized graph.
     */
    private static Value projectedAttention(OnnxGraphBuilder graph, Parameters parameters, String attention,
                                            Value rows, Value keyMask, TokenGrid grid,
                                            BertStyleLayer.Settings settings, AttentionCausality causality) {
        long hidden = settings.hiddenSize();
        List<Value> projected = Stream.of("query", "key", "value")
                .map(name -> grid.unflatten(graph, Linear.load(parameters, attention + name, hidden, hidden)
                        .apply(graph, rows), hidden))
                .toList();
        return graph.uncachedMultiHeadAttention(projected.get(0), projected.get(1), projected.get(2), keyMask,
                settings.heads(), causality);
    }

    /**
     * {@code LayerNorm(x · denseᵀ + dense.bias + residual)} under {@code module} ({@code dense}, {@code LayerNorm});
     * when the graph quantizes dense weights the product is the plain graph's {@link Linear}, quantized as there.
     */
    private static Value skipNorm(OnnxGraphBuilder graph, Parameters parameters, String module, Value x,
                                  Value residual, long inFeatures, long hidden, double epsilon) {
        Value dense = graph.denseWeightQuantizer().isPresent()
                ? Linear.load(parameters, module + "dense", inFeatures, hidden).productOnly().applyToLastAxis(graph, x)
                : graph.matMul(x, inOut(parameters, module + "dense", inFeatures, hidden));
        return graph.skipLayerNormalization(dense, residual, parameters.tensor(module + "LayerNorm.weight", hidden),
                parameters.tensor(module + "LayerNorm.bias", hidden), parameters.tensor(module + "dense.bias", hidden),
                epsilon).get(0);
    }

    /** The {@code nn.Linear} weight at {@code <prefix>.weight} ({@code [out, in]}) written as {@code [in, out]}. */
    static Value inOut(Parameters parameters, String prefix, long inFeatures, long outFeatures) {
        return parameters.derived(prefix + ".weight_in_out", parts -> parts.get(0).transposed(),
                List.of(Source.of(prefix + ".weight", outFeatures, inFeatures)));
    }
}
