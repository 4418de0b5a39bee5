package org.exporters4j.models.blocks;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Which keys each query of a decoder step may attend to. Queries sit at absolute positions
 * {@code past … past + sequence − 1} of the concatenated cache, keys at {@code 0 … past + sequence − 1}: a key is
 * visible when it is not after the query ({@code key ≤ query}), within the sliding window when there is one
 * ({@code key > query − window}, as GPT-Neo's local layers and Mistral), and not padding ({@code attention_mask}).
 *
 * <p>Masks are shaped to broadcast over scores {@code [batch, kv_heads, heads per kv head, sequence, past +
 * sequence]}; each is built once per graph and shared by the layers that use it.
 */
public final class CausalMask {
    private final OnnxGraphBuilder graph;
    private final Value mask;
    private final Value queryPositions;
    private final Value keyPositions;
    private final Map<Long, Value> causal = new HashMap<>();
    private final Map<Long, Value> allowed = new HashMap<>();
    private Value padding;
    private Value paddingAdditive;
    private Value causalAndPaddingAdditive;

    /** @param inputs the decoder's inputs: the mask (or ones), the past length and the sequence length */
    public CausalMask(OnnxGraphBuilder graph, DecoderInputs inputs) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.mask = inputs.maskOrOnes(graph);
        Value total = inputs.totalLength(graph);
        this.queryPositions = queryPositions(graph, inputs.pastLength(), total);
        this.keyPositions = keyPositions(graph, total);
    }

    /** The queries' absolute positions {@code past … past + sequence − 1} as a column {@code [sequence, 1]}. */
    private static Value queryPositions(OnnxGraphBuilder graph, Value pastLength, Value total) {
        return graph.unsqueeze(graph.range(pastLength, total, graph.scalar(1)), 1);
    }

    /** The keys' positions {@code 0 … past + sequence − 1} as a row {@code [1, past + sequence]}. */
    private static Value keyPositions(OnnxGraphBuilder graph, Value total) {
        return graph.unsqueeze(graph.range(graph.scalar(0), total, graph.scalar(1)), 0);
    }

    /**
     * bool {@code [sequence, past + sequence]}: the key comes after the query, for queries at
     * {@code past … past + sequence − 1} (the one causal rule every family's mask is built from).
     */
    public static Value future(OnnxGraphBuilder graph, Value pastLength, Value sequenceLength) {
        Value total = graph.add(pastLength, sequenceLength);
        return graph.greater(keyPositions(graph, total), queryPositions(graph, pastLength, total));
    }

    /**
     * float {@code [1, 1, sequence, past + sequence]}: {@code finfo(float32).min} where the key comes after the
     * query, 0 elsewhere ({@code _make_causal_mask} with {@code past_key_values_length}, as BART and Whisper add it to
     * the scores).
     */
    public static Value additive(OnnxGraphBuilder graph, Value pastLength, Value sequenceLength) {
        Value additive = graph.where(future(graph, pastLength, sequenceLength),
                graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN), graph.scalar(ElementType.FLOAT, 0.0));
        return graph.unsqueeze(additive, 0, 1);
    }

    /** The 0/1 int64 mask {@code [batch, past + sequence]}. */
    public Value mask() {
        return mask;
    }

    /**
     * bool {@code [1, 1, 1, sequence, past + sequence]}: key not after the query and, with a window, fewer than
     * {@code window} positions before it.
     */
    public Value causal(OptionalLong window) {
        return causal.computeIfAbsent(window.orElse(-1), key -> {
            Value visible = graph.not(graph.greater(keyPositions, queryPositions));
            if (window.isPresent()) {
                Value start = graph.sub(queryPositions, graph.scalar(window.getAsLong()));
                visible = graph.and(visible, graph.greater(keyPositions, start));
            }
            return graph.unsqueeze(visible, 0, 1, 2);
        });
    }

    /** bool {@code [batch, 1, 1, 1, past + sequence]}: the key is a real token. */
    public Value padding() {
        if (padding == null) {
            padding = graph.unsqueeze(graph.cast(mask, ElementType.BOOL), 1, 2, 3);
        }
        return padding;
    }

    /** bool {@code [batch, 1, 1, sequence, past + sequence]}: causal (within the window) and not padding. */
    public Value allowed(OptionalLong window) {
        return allowed.computeIfAbsent(window.orElse(-1), key -> graph.and(causal(window), padding()));
    }

    /**
     * float {@code [batch, 1, 1, 1, past + sequence]}: {@code (1 − mask) · finfo(float32).min}, the additive
     * padding mask of Transformers 4.25.1's GPT-2 family.
     */
    public Value paddingAdditive() {
        if (paddingAdditive == null) {
            Value keep = graph.unsqueeze(graph.cast(mask, ElementType.FLOAT), 1, 2, 3);
            paddingAdditive = graph.mul(graph.sub(graph.scalar(ElementType.FLOAT, 1.0), keep),
                    graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN));
        }
        return paddingAdditive;
    }

    /**
     * float {@code [batch, 1, 1, sequence, past + sequence]}: {@code finfo(float32).min} where the key comes after
     * the query or is padding, 0 elsewhere: Transformers 4.51's eager 4-D mask
     * ({@code _prepare_4d_causal_attention_mask_with_cache_position}, no sliding window).
     */
    public Value causalAndPaddingAdditive() {
        if (causalAndPaddingAdditive == null) {
            causalAndPaddingAdditive = graph.where(allowed(OptionalLong.empty()),
                    graph.scalar(ElementType.FLOAT, 0.0), graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN));
        }
        return causalAndPaddingAdditive;
    }
}
