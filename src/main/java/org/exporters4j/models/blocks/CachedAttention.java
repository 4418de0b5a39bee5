package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Causal self-attention of one decoder layer over the key/value cache: the step's keys and values are appended to
 * the past ones (the present cache), queries attend to every visible key ({@link CausalMask}), and grouped-query
 * models share each key/value head among {@code heads / kvHeads} query heads (Transformers' {@code repeat_kv},
 * computed by broadcasting instead of copying). Works for an empty past as for a long one.
 *
 * @param heads query heads
 * @param kvHeads key/value heads (equal to {@code heads} without grouped-query attention)
 * @param headDim width of one head
 * @param scale how raw scores {@code q · kᵀ} are scaled
 * @param masking how invisible keys are removed, as the family's Transformers code does it
 * @param window the sliding window of this layer, if any
 * @param softCap Gemma 2's {@code attn_logit_softcapping}: scaled scores become {@code cap · tanh(score / cap)}
 *     before the mask, if set
 */
public record CachedAttention(int heads, int kvHeads, long headDim, ScoreScale scale, Masking masking,
                              OptionalLong window, OptionalDouble softCap) {

    /** How the family removes invisible keys from the scores before the softmax. */
    public enum Masking {
        /**
         * Transformers 4.25.1's GPT-2, GPT-Neo, GPT-J, CodeGen: {@code where(causal, scores, min)}, then the additive
         * padding mask {@code (1 − mask) · min}.
         */
        CAUSAL_THEN_ADDITIVE_PADDING,
        /**
         * Transformers 4.51's GPT-Neo ({@code GPTNeoSelfAttention._attn} after {@code GPTNeoModel._update_causal_mask}):
         * {@code where(causal within the layer's window, scores, min)}, then the additive 4-D mask that is
         * {@code min} wherever the key is after the query or is padding (the global causal mask and the padding,
         * without the window). A query that sees no real key (a left-padding position) then attends only to the keys
         * within its window, where 4.25.1's additive padding mask alone spread it over every key.
         */
        CAUSAL_THEN_ADDITIVE_CAUSAL_AND_PADDING,
        /**
         * BLOOM's {@code masked_fill(min)} and Llama's additive mask clamped at {@code min}: {@code where(causal and
         * not padding, scores, min)}.
         */
        VISIBLE_OR_MINIMUM
    }

    public CachedAttention {
        Objects.requireNonNull(scale, "scale");
        Objects.requireNonNull(masking, "masking");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(softCap, "softCap");
        if (softCap.isPresent() && !(softCap.getAsDouble() > 0)) {
            throw new IllegalArgumentException("a score soft cap must be positive, got " + softCap.getAsDouble());
        }
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || headDim <= 0) {
            throw new IllegalArgumentException("attention needs the query heads (" + heads + ") to be a multiple of "
                    + "the key/value heads (" + kvHeads + ") and a positive head width (" + headDim + ")");
        }
    }

    /** Attention without soft-capping. */
    public CachedAttention(int heads, int kvHeads, long headDim, ScoreScale scale, Masking masking,
                           OptionalLong window) {
        this(heads, kvHeads, headDim, scale, masking, window, OptionalDouble.empty());
    }

    /** Attention over every earlier key (no sliding window), without soft-capping. */
    public CachedAttention(int heads, int kvHeads, long headDim, ScoreScale scale, Masking masking) {
        this(heads, kvHeads, headDim, scale, masking, OptionalLong.empty());
    }

    /** {@code cap · tanh(x / cap)} in float32, as Gemma 2 caps scores and logits. */
    public static Value softCap(OnnxGraphBuilder graph, Value x, double cap) {
        Value limit = graph.scalar(ElementType.FLOAT, (float) cap);
        return graph.mul(graph.tanh(graph.div(x, limit)), limit);
    }

    /** The attention of one step: the context rows and the present cache. */
    public record Result(Value contextRows, Value presentKey, Value presentValue) {}

    /**
     * @param query {@code [batch, heads, sequence, head_dim]}
     * @param key the step's keys {@code [batch, kv_heads, sequence, head_dim]}
     * @param value the step's values, same shape as {@code key}
     * @param past the layer's cache in the common layout, if the graph takes one
     * @param bias an additive score bias {@code [batch, heads, 1, past + sequence]} (BLOOM's ALiBi), if any
     * @return context rows {@code [batch × sequence, heads × head_dim]} and the present key/value
     *         {@code [batch, kv_heads, past + sequence, head_dim]}
     */
    public Result apply(OnnxGraphBuilder graph, Value query, Value key, Value value,
                        Optional<DecoderInputs.LayerPast> past, Optional<Value> bias, CausalMask mask) {
        Value presentKey = past.map(cache -> appendStep(graph, cache.key(), key, kvHeads, headDim)).orElse(key);
        Value presentValue = past.map(cache -> graph.concat(2, cache.value(), value)).orElse(value);
        long groups = heads / kvHeads;
        // Scores [b, heads, s, T] = q [b, heads, s, d] · kᵀ [b, heads, d, T] without grouped-query attention; with it,
        // [b, kv, groups, s, d] · [b, kv, 1, d, T] → [b, kv, groups, s, T], each key/value head broadcast over its
        // query heads. The key's Transpose swaps only the last two axes and feeds the MatMul directly (after the
        // Unsqueeze that adds the groups axis, never before it), as in the graphs PyTorch traces for Optimum: ONNX
        // Runtime's MatmulTransposeFusion folds it into FusedMatMul's transB, so the cache is read where the Concat
        // wrote it. OnnxRuntimeFusionTest checks the optimized graph.
        boolean grouped = groups > 1;
        Value queries = grouped ? graph.reshape(query, 0, kvHeads, groups, -1, headDim) : query;
        Value keys = grouped ? graph.unsqueeze(presentKey, 2) : presentKey;
        Value values = grouped ? graph.unsqueeze(presentValue, 2) : presentValue;
        Value keysTransposed = grouped ? graph.transpose(keys, 0, 1, 2, 4, 3) : graph.transpose(keys, 0, 1, 3, 2);
        // the masks broadcast over [b, kv, groups, s, T]; without groups the scores have no groups axis, nor do they
        UnaryOperator<Value> fitted = grouped ? UnaryOperator.identity() : m -> graph.squeeze(m, 2);
        Value context = ScaledDotProductAttention.attend(graph, queries, keysTransposed, values, scale, scaled -> {
            Value scores = softCap.isPresent() ? softCap(graph, scaled, softCap.getAsDouble()) : scaled;
            Value biased = bias.map(b -> graph.add(scores, grouped ? graph.reshape(b, 0, kvHeads, groups, 1, -1) : b))
                    .orElse(scores);
            Value minimum = graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN);
            return switch (masking) {
                case CAUSAL_THEN_ADDITIVE_PADDING -> graph.add(graph.where(fitted.apply(mask.causal(window)), biased,
                        minimum), fitted.apply(mask.paddingAdditive()));
                case CAUSAL_THEN_ADDITIVE_CAUSAL_AND_PADDING -> graph.add(graph.where(
                        fitted.apply(mask.causal(window)), biased, minimum),
                        fitted.apply(mask.causalAndPaddingAdditive()));
                case VISIBLE_OR_MINIMUM -> graph.where(fitted.apply(mask.allowed(window)), biased, minimum);
            };
        });
        // [b, kv, groups, s, d] → [b, heads, s, d] → [b, s, heads, d] → rows
        Value headsFirst = grouped ? graph.reshape(context, 0, heads, -1, headDim) : context;
        Value merged = graph.transpose(headsFirst, 0, 2, 1, 3);
        Value rows = graph.reshape(merged, -1, heads * headDim);
        return new Result(rows, presentKey, presentValue);
    }

    /** {@link #apply(OnnxGraphBuilder, Value, Value, Value, Optional, Optional, CausalMask)} without a score bias. */
    public Result apply(OnnxGraphBuilder graph, Value query, Value key, Value value,
                        Optional<DecoderInputs.LayerPast> past, CausalMask mask) {
        return apply(graph, query, key, value, past, Optional.empty(), mask);
    }

    /**
     * The present keys: {@code past} {@code [batch, heads, past, head_dim]} with the step's {@code step}
     * {@code [batch, heads, sequence, head_dim]} appended on the sequence axis. The step enters the Concat through a
     * Reshape that keeps its shape (no copy in ONNX Runtime): fed straight from its heads-first Transpose, ONNX
     * Runtime's transpose optimizer (whose cost is a rank estimate) pushes that Transpose through the Concat onto the
     * past and out to the present, which transposes the whole cache twice per layer and step, and keeps the scores'
     * MatMul from reading the cache in place. Behind the Reshape the Transpose stays on the step's few tokens.
     */
    public static Value appendStep(OnnxGraphBuilder graph, Value past, Value step, long heads, long headDim) {
        return graph.concat(2, past, graph.reshape(step, 0, heads, -1, headDim));
    }

    /**
     * Rows {@code [batch × sequence, heads × head_dim]} as {@code [batch, heads, sequence, head_dim]}, for a
     * projection's output.
     */
    public static Value splitHeads(OnnxGraphBuilder graph, Value rows, TokenGrid grid, int heads, long headDim) {
        return graph.transpose(graph.reshape(rows, grid.shapeWith(graph, heads, headDim)), 0, 2, 1, 3);
    }
}
