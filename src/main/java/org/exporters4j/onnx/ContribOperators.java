package org.exporters4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ONNX Runtime's fused {@code com.microsoft} operators (version 1 of that domain), as ContribOperators.md of the
 * ONNX Runtime release the project runs documents them: each method checks its operands as the operator's schema
 * states (inputs, optional inputs, element types, required attributes) and emits the node in that domain; the
 * written model then imports {@code com.microsoft} version 1. Only ONNX Runtime runs these graphs ({@code --optimize}).
 */
abstract sealed class ContribOperators extends SpatialOperators permits OnnxGraphBuilder {
    /** The {@code T} of the attention and normalization schemas. */
    private static final Set<ElementType> ATTENTION_FLOATS = EnumSet.of(ElementType.FLOAT, ElementType.FLOAT16,
            ElementType.BFLOAT16);

    ContribOperators(String graphName, Opset opset) {
        super(graphName, opset);
    }

    /**
     * {@code com.microsoft.Attention}: self-attention with the query, key and value projections merged.
     *
     * @param input {@code [batch, sequence, input_hidden]}
     * @param weights {@code [input_hidden, 3 × hidden]}: the query, key and value weights side by side
     * @param bias {@code [3 × hidden]}
     * @param maskIndex the raw int32 key mask {@code [batch, total_sequence]} (1 attends, 0 is masked: the
     *     operator adds {@code mask_filter_value}, -10000, to masked scores), or null for none
     * @param heads {@code num_heads}; scores are scaled by 1/√(hidden / heads), the operator's default
     * @return {@code [batch, sequence, hidden]}
     */
    public Value fusedAttention(Value input, Value weights, Value bias, Value maskIndex, long heads,
                                AttentionCausality causality) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "Attention");
        d.input("input", input, ATTENTION_FLOATS);
        d.inputLike("weights", weights, input);
        d.inputLike("bias", bias, input);
        optionalKeyMask(d, "mask_index", maskIndex);
        requireHeads(d, heads);
        List<Value> operands = maskIndex == null ? List.of(input, weights, bias)
                : List.of(input, weights, bias, maskIndex);
        return d.emit(input.elementType(), operands, Attribute.of("num_heads", heads),
                Attribute.of("unidirectional", causality == AttentionCausality.CAUSAL ? 1L : 0L));
    }

    /** The raw int32 key mask {@code [batch, total_sequence]} the attention operators take, when given. */
    private static void optionalKeyMask(Draft d, String input, Value mask) {
        if (mask != null) {
            d.input(input, mask, EnumSet.of(ElementType.INT32));
        }
    }

    /**
     * {@code com.microsoft.MultiHeadAttention} on projected queries, keys and values, with an additive bias on the
     * scores and, when {@code pastKey} is given, the cache: the present key and value are the past ones followed by
     * this step's, {@code [batch, heads, past + kv_sequence, head_size]}.
     *
     * @param query {@code [batch, sequence, hidden]}
     * @param key {@code [batch, kv_sequence, hidden]}
     * @param value {@code [batch, kv_sequence, v_hidden]}
     * @param attentionBias added to the scaled scores, {@code [batch or 1, heads or 1, sequence, total_sequence]};
     *     null for none
     * @param pastKey {@code [batch, heads, past, head_size]}, or null (then {@code pastValue} is null too, and the
     *     present key and value are this step's alone)
     * @param scale the score scale; NaN for the operator's default 1/√head_size
     * @return the output {@code [batch, sequence, v_hidden]}, the present key and the present value
     */
    public List<Value> multiHeadAttention(Value query, Value key, Value value, Value attentionBias, Value pastKey,
                                          Value pastValue, long heads, double scale, AttentionCausality causality) {
        ElementType type = query.elementType();
        return multiHeadAttentionNode(query, key, value, null, attentionBias, pastKey, pastValue, heads, scale,
                causality, Arrays.asList(type, type, type));
    }

    /**
     * {@code com.microsoft.MultiHeadAttention} without a cache (an encoder's self-attention): the operator's default
     * 1/√head_size score scale, and only the output (the optional present key and value are left out, so the kernel
     * does not copy them).
     *
     * @param query {@code [batch, sequence, hidden]}
     * @param key {@code [batch, kv_sequence, hidden]}
     * @param value {@code [batch, kv_sequence, v_hidden]}
     * @param keyPaddingMask the raw int32 key mask {@code [batch, kv_sequence]} (1 attends, 0 is masked: the operator
     *     adds {@code mask_filter_value}, -10000, to masked scores, as {@code Attention} does), or null for none
     * @return {@code [batch, sequence, v_hidden]}
     */
    public Value uncachedMultiHeadAttention(Value query, Value key, Value value, Value keyPaddingMask, long heads,
                                            AttentionCausality causality) {
        return multiHeadAttentionNode(query, key, value, keyPaddingMask, null, null, null, heads, Double.NaN,
                causality, Arrays.asList(query.elementType(), null, null)).get(0);
    }

    /** The {@code MultiHeadAttention} node; a null output type leaves that optional output out. */
    private List<Value> multiHeadAttentionNode(Value query, Value key, Value value, Value keyPaddingMask,
                                               Value attentionBias, Value pastKey, Value pastValue, long heads,
                                               double scale, AttentionCausality causality,
                                               List<ElementType> outputTypes) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "MultiHeadAttention");
        d.input("query", query, ATTENTION_FLOATS);
        d.inputLike("key", key, query);
        d.inputLike("value", value, query);
        optionalKeyMask(d, "key_padding_mask", keyPaddingMask);
        List<Value> operands = new ArrayList<>(Arrays.asList(query, key, value, null, keyPaddingMask,
                attentionBias));
        if (attentionBias != null) {
            d.inputLike("attention_bias", attentionBias, query);
        }
        optionalPast(d, query, pastKey, pastValue);
        if (pastKey != null) {
            operands.add(pastKey);
            operands.add(pastValue);
        }
        while (operands.get(operands.size() - 1) == null) {
            operands.remove(operands.size() - 1);
        }
        requireHeads(d, heads);
        List<Attribute> attributes = new ArrayList<>(List.of(Attribute.of("num_heads", heads),
                Attribute.of("unidirectional", causality == AttentionCausality.CAUSAL ? 1L : 0L)));
        if (!Double.isNaN(scale)) {
            attributes.add(Attribute.of("scale", (float) scale));
        }
        return d.emitAll(outputTypes, operands, attributes);
    }

    /**
     * {@code com.microsoft.GroupQueryAttention} (ONNX Runtime 1.29's CPU kernel) on projected, already rotated queries
     * and keys ({@code do_rotary} 0): causal attention of {@code heads} query heads over {@code kvHeads} key/value
     * heads (query head {@code h} reads key/value head {@code h / (heads / kvHeads)}), the past cache followed by the
     * step's keys and values. For batch row {@code b} the kernel reads {@code seqlens_k[b] + 1} keys and lets query
     * {@code i} see keys {@code 0 … seqlens_k[b] + 1 − sequence + i} (the first prompt, {@code sequence ==
     * total_sequence_length}: keys {@code 0 … i}); {@code attentionBias} is added to those scores and the softmax
     * runs over them alone, so a later key is never read. The kernel refuses a batch above 1 when the step has
     * several tokens and a past ({@code sequence > 1} and {@code sequence ≠ total_sequence_length}). The
     * {@code attention_bias} input needs ONNX Runtime 1.22 or later on CPU (microsoft/onnxruntime#23944); an older
     * runtime refuses a graph that passes it.
     *
     * @param query {@code [batch, sequence, heads × head_size]}
     * @param key {@code [batch, sequence, kv_heads × head_size]}
     * @param value {@code [batch, sequence, kv_heads × head_size]}
     * @param pastKey {@code [batch, kv_heads, past, head_size]}, or null (then {@code pastValue} is null too)
     * @param sequenceLengthsK int32 {@code [batch]}: each row's {@code past + sequence − 1}
     * @param totalSequenceLength int32 scalar: {@code past + sequence}
     * @param attentionBias added to the scaled scores, {@code [batch or 1, heads or 1, sequence,
     *     total_sequence_length]}; null for none
     * @param scale the score scale; NaN for the operator's default 1/√head_size
     * @return the output {@code [batch, sequence, heads × head_size]}, the present key and the present value
     *     {@code [batch, kv_heads, past + sequence, head_size]}
     */
    public List<Value> groupQueryAttention(Value query, Value key, Value value, Value pastKey, Value pastValue,
                                           Value sequenceLengthsK, Value totalSequenceLength, Value attentionBias,
                                           long heads, long kvHeads, double scale) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "GroupQueryAttention");
        d.input("query", query, EnumSet.of(ElementType.FLOAT, ElementType.FLOAT16));
        d.inputLike("key", key, query);
        d.inputLike("value", value, query);
        optionalPast(d, query, pastKey, pastValue);
        d.input("seqlens_k", sequenceLengthsK, EnumSet.of(ElementType.INT32));
        d.input("total_sequence_length", totalSequenceLength, EnumSet.of(ElementType.INT32));
        // inputs 7-9 (cos_cache, sin_cache, position_ids) serve do_rotary only
        List<Value> operands = new ArrayList<>(Arrays.asList(query, key, value, pastKey, pastValue, sequenceLengthsK,
                totalSequenceLength));
        if (attentionBias != null) {
            d.inputLike("attention_bias", attentionBias, query);
            operands.addAll(Arrays.asList(null, null, null, attentionBias));
        }
        requireHeads(d, heads);
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw d.error("kv_num_heads must be positive and divide num_heads " + heads + ", got " + kvHeads);
        }
        List<Attribute> attributes = new ArrayList<>(List.of(Attribute.of("kv_num_heads", kvHeads),
                Attribute.of("num_heads", heads)));
        if (!Double.isNaN(scale)) {
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw d.error("scale must be a positive number (or NaN for 1/sqrt(head_size)), got " + scale);
            }
            attributes.add(Attribute.of("scale", (float) scale));
        }
        ElementType type = query.elementType();
        return d.emitAll(List.of(type, type, type), operands, attributes);
    }

    /**
     * {@code com.microsoft.SkipLayerNormalization}: {@code LayerNorm(input + skip + bias) · gamma + beta} over the
     * last axis, and the sum itself (its fourth output, {@code input_skip_bias_sum}; the training statistics are
     * left out).
     *
     * @param input {@code [batch, sequence, hidden]} or rows {@code [tokens, hidden]} (ONNX Runtime's CPU kernel
     *     normalizes the last axis of either)
     * @param skip the residual, of {@code input}'s shape
     * @param bias {@code [hidden]} added with the skip, or null
     * @return the normalized value, then the sum
     */
    public List<Value> skipLayerNormalization(Value input, Value skip, Value gamma, Value beta, Value bias,
                                              double epsilon) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "SkipLayerNormalization");
        d.input("input", input, ATTENTION_FLOATS);
        d.inputLike("skip", skip, input);
        d.inputLike("gamma", gamma, input);
        d.inputLike("beta", beta, input);
        List<Value> operands = new ArrayList<>(List.of(input, skip, gamma, beta));
        if (bias != null) {
            d.input("bias", bias);
            d.requireSameType(input, bias);
            operands.add(bias);
        }
        requireEpsilon(d, epsilon);
        List<Value> outputs = d.emitAll(Arrays.asList(input.elementType(), null, null, input.elementType()),
                operands, Attribute.of("epsilon", (float) epsilon));
        return List.of(outputs.get(0), outputs.get(3));
    }

    /**
     * {@code com.microsoft.SkipSimplifiedLayerNormalization}: RMS normalization of {@code input + skip} scaled by
     * {@code gamma} ({@code x / √(mean(x²) + ε) · gamma}), and the sum itself.
     *
     * @param input {@code [batch, sequence, hidden]} or rows {@code [tokens, hidden]}
     * @return the normalized value, then the sum
     */
    public List<Value> skipSimplifiedLayerNormalization(Value input, Value skip, Value gamma, double epsilon) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "SkipSimplifiedLayerNormalization");
        d.input("input", input, ATTENTION_FLOATS);
        d.inputLike("skip", skip, input);
        d.inputLike("gamma", gamma, input);
        requireEpsilon(d, epsilon);
        List<Value> outputs = d.emitAll(Arrays.asList(input.elementType(), null, null, input.elementType()),
                List.of(input, skip, gamma), Attribute.of("epsilon", (float) epsilon));
        return List.of(outputs.get(0), outputs.get(3));
    }

    /** {@code com.microsoft.BiasGelu}: the exact (erf) GELU of {@code a + bias}, {@code bias} over the last axis. */
    public Value biasGelu(Value a, Value bias) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "BiasGelu");
        d.input("A", a, ATTENTION_FLOATS);
        d.inputLike("B", bias, a);
        return d.emit(a.elementType(), List.of(a, bias));
    }

    /**
     * {@code com.microsoft.FastGelu}: the tanh approximation of GELU,
     * {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, of {@code x + bias} ({@code bias} over the last axis).
     */
    public Value fastGelu(Value x, Value bias) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "FastGelu");
        d.input("X", x, ATTENTION_FLOATS);
        d.inputLike("bias", bias, x);
        return d.emit(x.elementType(), List.of(x, bias));
    }

    /**
     * {@code com.microsoft.RotaryEmbedding}: rotates the first {@code rotaryDimension} features of each head of
     * {@code input} by the angles of {@code positionIds}, the halves not interleaved (Transformers' rotate_half).
     *
     * @param input {@code [batch, heads, sequence, head_size]}
     * @param positionIds int64 {@code [batch, sequence]}
     * @param cosCache {@code [max_positions, rotaryDimension / 2]}
     * @param sinCache {@code [max_positions, rotaryDimension / 2]}
     */
    public Value rotaryEmbedding(Value input, Value positionIds, Value cosCache, Value sinCache) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "RotaryEmbedding");
        d.input("input", input, ATTENTION_FLOATS);
        d.input("position_ids", positionIds, EnumSet.of(ElementType.INT64));
        d.inputLike("cos_cache", cosCache, input);
        d.inputLike("sin_cache", sinCache, input);
        return d.emit(input.elementType(), List.of(input, positionIds, cosCache, sinCache),
                Attribute.of("interleaved", 0L));
    }

    private static void requireHeads(Draft d, long heads) {
        if (heads <= 0) {
            throw d.error("num_heads must be positive, got " + heads);
        }
    }

    /**
     * The cache inputs of the attention operators, of {@code query}'s element type: given whole ({@code past_key} and
     * {@code past_value}) or not at all.
     */
    private static void optionalPast(Draft d, Value query, Value pastKey, Value pastValue) {
        if ((pastKey == null) != (pastValue == null)) {
            throw d.error("past_key and past_value go together (the schema uses both or neither)");
        }
        if (pastKey != null) {
            d.inputLike("past_key", pastKey, query);
            d.inputLike("past_value", pastValue, query);
        }
    }

    private static void requireEpsilon(Draft d, double epsilon) {
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw d.error("epsilon must be a positive number, got " + epsilon);
        }
    }
}
