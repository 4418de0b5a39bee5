package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.exporters4j.onnx.AttentionCausality;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * {@link CachedAttention} in the fused form ({@code --optimize}), for decoders whose key/value heads are the query
 * heads: ONNX Runtime's {@code MultiHeadAttention} takes the projected rows, the additive score bias of the family's
 * masking ({@link #scoreBias}) and the past cache, and returns the context and the present cache (the past followed
 * by the step, as the plain graph's Concat), so the scores, softmax and cache append run in one kernel.
 */
public final class FusedCachedAttention {
    private FusedCachedAttention() {}

    /**
     * float {@code [batch, 1, sequence, past + sequence]} added to the scaled scores: the same function of the scores
     * as the plain graph's masking. For {@link CachedAttention.Masking#CAUSAL_THEN_ADDITIVE_PADDING},
     * {@code where(causal, 0, min) + (1 − mask) · min}: a future key gets {@code score + min}, which rounds to
     * {@code min} in float32 as the plain graph's {@code where(causal, score, min)} gives it exactly; for
     * {@link CachedAttention.Masking#VISIBLE_OR_MINIMUM}, {@code min} where the key is not visible (the plain graph's
     * {@code where}, again up to the same rounding).
     */
    public static Value scoreBias(OnnxGraphBuilder graph, CausalMask mask, CachedAttention.Masking masking,
                                  OptionalLong window) {
        Value minimum = graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN);
        Value zero = graph.scalar(ElementType.FLOAT, 0.0);
        Value bias = switch (masking) {
            case CAUSAL_THEN_ADDITIVE_PADDING -> graph.add(graph.where(mask.causal(window), zero, minimum),
                    mask.paddingAdditive());
            case CAUSAL_THEN_ADDITIVE_CAUSAL_AND_PADDING -> graph.add(graph.where(mask.causal(window), zero, minimum),
                    mask.causalAndPaddingAdditive());
            case VISIBLE_OR_MINIMUM -> graph.where(mask.allowed(window), zero, minimum);
        };
        return graph.squeeze(bias, 2);
    }

    /**
     * The attention of one step from projected rows {@code [batch × sequence, heads × head_dim]}.
     *
     * @param scoreBias {@link #scoreBias}
     * @param scale the factor the raw scores {@code q · kᵀ} are multiplied by
     * @return the context rows and the present key/value {@code [batch, heads, past + sequence, head_dim]}
     */
    public static CachedAttention.Result apply(OnnxGraphBuilder graph, Value queryRows, Value keyRows,
                                               Value valueRows, TokenGrid grid, Optional<DecoderInputs.LayerPast> past,
                                               Value scoreBias, int heads, long headDim, double scale) {
        long width = heads * headDim;
        List<Value> attended = graph.multiHeadAttention(grid.unflatten(graph, queryRows, width),
                grid.unflatten(graph, keyRows, width), grid.unflatten(graph, valueRows, width), scoreBias,
                past.map(DecoderInputs.LayerPast::key).orElse(null),
                past.map(DecoderInputs.LayerPast::value).orElse(null), heads, scale,
                AttentionCausality.BIDIRECTIONAL);
        return new CachedAttention.Result(graph.reshape(attended.get(0), -1, width), attended.get(1),
                attended.get(2));
    }
}
