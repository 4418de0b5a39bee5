package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * {@link CachedAttention} with {@link CachedAttention.Masking#VISIBLE_OR_MINIMUM} masking in the fused form
 * ({@code --optimize}) for grouped-query decoders (fewer key/value heads than query heads) in a graph without a past
 * input: ONNX Runtime's {@code GroupQueryAttention} reads each key/value head once for its group of query heads and
 * scores only the keys up to each query, where the plain graph scores every key for every query head (ONNX Runtime
 * 1.29 on CPU, attention alone, 14 query over 2 key/value heads of 64: as fast at a 128-token prompt, 1.15× faster
 * at 512, 1.6× to 1.85× at 2048).
 *
 * <p>A graph with a past keeps the broadcast attention: for a step over a cache the CPU kernel, which writes its
 * present as a copy of the past, was 1.25× to 1.55× slower than the broadcast attention (one token, past 128 to
 * 4000), it refuses a batch above 1 with several tokens over a past ("batch_size must be 1 when sequence_length > 1
 * and past context is given"), and a graph choosing between the two from the past length at run time (the kernel
 * for a prompt over an empty cache) measured slower than the broadcast attention alone, per decoding step and on a
 * 512-token prompt.
 *
 * <p>The same numbers as the plain graph for any {@code attention_mask}:
 * <ul>
 *   <li>every row is given as full ({@code seqlens_k} = {@code sequence − 1}, so the kernel's own causal limit is
 *       the plain graph's), and the mask (padding, causality, the sliding window) is the additive score bias
 *       {@link FusedCachedAttention#scoreBias}: a hidden key's score becomes float32's minimum, whose exponential is
 *       0 after the softmax's maximum is subtracted, as the plain graph's {@code where} gives it. The kernel's
 *       {@code local_window_size} is not used: the window is in the bias;</li>
 *   <li>a query that sees no key at all (a padding token at the start of a left-padded row) gets, in the plain
 *       graph and in Transformers' eager attention, equal scores over all keys, so the mean of the values; the
 *       kernel would spread it over the keys up to its position only. Such rows are replaced by that mean
 *       ({@link MaskInputs#unattended}).</li>
 * </ul>
 */
public final class FusedGroupedAttention {
    private final int heads;
    private final int kvHeads;
    private final long headDim;
    private final ScoreScale scale;

    public FusedGroupedAttention(int heads, int kvHeads, long headDim, ScoreScale scale) {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || headDim <= 0) {
            throw new IllegalArgumentException("grouped-query attention needs query heads in equal groups per "
                    + "key/value head and a head size, got " + heads + " over " + kvHeads + " × " + headDim);
        }
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.scale = Objects.requireNonNull(scale, "scale");
    }

    /**
     * What every layer of one graph (and one sliding window) shares: built once with {@link #maskInputs}.
     *
     * @param bias float {@code [batch, 1, sequence, sequence]}: 0 where the key is visible, float32's minimum
     *     elsewhere
     * @param unattended bool {@code [batch, sequence, 1]}: the query sees no key
     * @param sequenceLengthsK the kernel's int32 {@code seqlens_k} {@code [batch]}: {@code sequence − 1} on every row
     * @param totalSequenceLength the kernel's int32 scalar {@code sequence}
     */
    public record MaskInputs(Value bias, Value unattended, Value sequenceLengthsK, Value totalSequenceLength) {
        public MaskInputs {
            Objects.requireNonNull(bias, "bias");
            Objects.requireNonNull(unattended, "unattended");
            Objects.requireNonNull(sequenceLengthsK, "sequenceLengthsK");
            Objects.requireNonNull(totalSequenceLength, "totalSequenceLength");
        }
    }

    /** The shared part of a graph's attention for {@code window} (see {@link MaskInputs}); the graph takes no past. */
    public static MaskInputs maskInputs(OnnxGraphBuilder graph, DecoderInputs inputs, CausalMask mask,
                                        OptionalLong window) {
        if (inputs.hasPast()) {
            throw new IllegalArgumentException("GroupQueryAttention serves graphs without a past input; a graph with "
                    + "one keeps the broadcast attention (CachedAttention)");
        }
        Value bias = FusedCachedAttention.scoreBias(graph, mask, CachedAttention.Masking.VISIBLE_OR_MINIMUM, window);
        Value seesNothing = graph.equal(graph.reduceMax(graph.cast(mask.allowed(window), ElementType.FLOAT),
                KeepDims.NO, 4), graph.scalar(ElementType.FLOAT, 0.0));
        Value unattended = graph.reshape(seesNothing, 0, -1, 1);
        Value sequence = inputs.grid().sequenceLength(graph);
        Value batch = graph.gather(inputs.grid().batchAndSequence(), graph.scalar(0), 0);
        Value lengths = graph.expand(graph.unsqueeze(graph.sub(sequence, graph.scalar(1)), 0),
                graph.unsqueeze(batch, 0));
        return new MaskInputs(bias, unattended, graph.cast(lengths, ElementType.INT32),
                graph.cast(sequence, ElementType.INT32));
    }

    /**
     * The attention of one layer.
     *
     * @param query the rotated queries {@code [batch, heads, sequence, head_dim]}
     * @param key the rotated keys {@code [batch, kv_heads, sequence, head_dim]}
     * @param valueRows the values {@code [batch × sequence, kv_heads × head_dim]}
     * @return the context rows and the present key/value {@code [batch, kv_heads, sequence, head_dim]}
     */
    public CachedAttention.Result apply(OnnxGraphBuilder graph, Value query, Value key, Value valueRows,
                                        TokenGrid grid, MaskInputs maskInputs) {
        long width = heads * headDim;
        long kvWidth = kvHeads * headDim;
        // the kernel reads [batch, sequence, heads × head_dim]
        Value queryStates = new ScaledDotProductAttention(heads, headDim).mergeTokens(graph, query);
        Value keyStates = new ScaledDotProductAttention(kvHeads, headDim).mergeTokens(graph, key);
        List<Value> attended = graph.groupQueryAttention(queryStates, keyStates, grid.unflatten(graph, valueRows,
                kvWidth), null, null, maskInputs.sequenceLengthsK(), maskInputs.totalSequenceLength(),
                maskInputs.bias(), heads, kvHeads, scale.multiplier());
        // rows that see no key: the mean of every value of their key/value head (the plain graph's softmax of equal
        // minimum scores over all keys)
        Value mean = graph.reduceMean(attended.get(2), KeepDims.YES, 2);
        Value perQueryHead = graph.reshape(graph.expand(mean, graph.constant(new long[] {1, 1, heads / kvHeads, 1})),
                0, 1, width);
        Value context = graph.where(maskInputs.unattended(), perQueryHead, attended.get(0));
        return new CachedAttention.Result(graph.reshape(context, -1, width), attended.get(1), attended.get(2));
    }
}
