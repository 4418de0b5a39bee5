package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * {@link CachedAttention} with {@link CachedAttention.Masking#VISIBLE_OR_MINIMUM} masking in the fused form
 * ({@code --optimize}) for grouped-query decoders (fewer key/value heads than query heads): ONNX Runtime's
 * {@code GroupQueryAttention} reads each key/value head once for its group of query heads, where the plain graph
 * broadcasts every cached head over its group.
 *
 * <p>The same numbers as the plain graph for any {@code attention_mask}, by three rules:
 * <ul>
 *   <li>Every row is given as full ({@code seqlens_k} = {@code past + sequence − 1}, so the kernel's own causal
 *       limit is the plain graph's), and the mask (padding, causality, the sliding window) is the additive score
 *       bias {@link FusedCachedAttention#scoreBias}: a hidden key's score becomes float32's minimum, whose
 *       exponential is 0 after the softmax's maximum is subtracted, as the plain graph's {@code where} gives it.
 *       The kernel's {@code local_window_size} is not used: the window is in the bias.</li>
 *   <li>A query that sees no key at all (a padding token at the start of a left-padded row, no real key before
 *       it) gets, in the plain graph (and in Transformers' eager attention), equal scores over all
 *       {@code past + sequence} keys, so the mean of the values; the kernel would spread it over the keys up to its
 *       position only. Such rows are replaced by that mean ({@link Step#unattended}).</li>
 *   <li>The kernel refuses a batch above 1 when a step has several tokens and a past (ONNX Runtime 1.29:
 *       "batch_size must be 1 when sequence_length > 1 and past context is given"), a shape the interface allows
 *       (a batched prompt continued over a cache, and the export's own validation inputs). With a past the graph
 *       decides at run time, without control flow: the kernel takes the step's first {@code fused} tokens, the
 *       plain broadcast attention the remaining ones; {@code fused} is the whole step when the kernel accepts it
 *       (one token, a batch of 1, or an empty past), else the kernel gets one token whose result is dropped and the
 *       plain attention computes every token. The present cache is the plain graph's Concat in both cases.</li>
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
     * What every layer of one graph (and one sliding window) shares: built once with {@link #step}.
     *
     * @param bias float {@code [batch, 1, sequence, past + sequence]}: 0 where the key is visible, float32's minimum
     *     elsewhere
     * @param unattended bool {@code [batch, sequence, 1]}: the query sees no key
     * @param allowed bool {@code [batch, 1, 1, sequence, past + sequence]}: the plain graph's visibility
     * @param fusedLength rank-0 int64: how many of the step's first tokens the kernel computes (the whole step
     *     without a past)
     * @param keptLength rank-0 int64: how many of those results are kept; the plain attention computes the others
     * @param sequenceLengthsK the kernel's int32 {@code seqlens_k} {@code [batch]}: {@code past + fused − 1} on
     *     every row
     * @param totalSequenceLength the kernel's int32 scalar {@code past + fused}
     * @param fusedBias {@code bias} over the kernel's queries and keys, {@code [batch, 1, fused, past + fused]}
     */
    public record Step(Value bias, Value unattended, Value allowed, Value fusedLength, Value keptLength,
                       Value sequenceLengthsK, Value totalSequenceLength, Value fusedBias) {
        public Step {
            Objects.requireNonNull(bias, "bias");
            Objects.requireNonNull(unattended, "unattended");
            Objects.requireNonNull(allowed, "allowed");
            Objects.requireNonNull(fusedLength, "fusedLength");
            Objects.requireNonNull(keptLength, "keptLength");
            Objects.requireNonNull(sequenceLengthsK, "sequenceLengthsK");
            Objects.requireNonNull(totalSequenceLength, "totalSequenceLength");
            Objects.requireNonNull(fusedBias, "fusedBias");
        }
    }

    /** The shared part of a graph's attention for {@code window} (see {@link Step}). */
    public static Step step(OnnxGraphBuilder graph, DecoderInputs inputs, CausalMask mask, OptionalLong window) {
        Value bias = FusedCachedAttention.scoreBias(graph, mask, CachedAttention.Masking.VISIBLE_OR_MINIMUM, window);
        Value allowed = mask.allowed(window);
        Value seesNothing = graph.equal(graph.reduceMax(graph.cast(allowed, ElementType.FLOAT), KeepDims.NO, 4),
                graph.scalar(ElementType.FLOAT, 0.0));
        Value unattended = graph.reshape(seesNothing, 0, -1, 1);
        Value sequence = inputs.grid().sequenceLength(graph);
        Value batch = graph.gather(inputs.grid().batchAndSequence(), graph.scalar(0), 0);
        Value fused;
        Value kept;
        if (inputs.hasPast()) {
            Value one = graph.scalar(1);
            Value accepted = graph.or(graph.or(graph.equal(sequence, one), graph.equal(batch, one)),
                    graph.equal(inputs.pastLength(), graph.scalar(0)));
            fused = graph.where(accepted, sequence, one);
            kept = graph.where(accepted, sequence, graph.scalar(0));
        } else {
            fused = sequence;
            kept = sequence;
        }
        Value total = graph.add(inputs.pastLength(), fused);
        Value lengths = graph.expand(graph.unsqueeze(graph.sub(total, graph.scalar(1)), 0),
                graph.unsqueeze(batch, 0));
        Value fusedBias = inputs.hasPast() ? graph.slice(bias, graph.constant(new long[] {0, 0}),
                graph.concat(0, graph.unsqueeze(fused, 0), graph.unsqueeze(total, 0)),
                graph.constant(new long[] {2, 3})) : bias;
        return new Step(bias, unattended, allowed, fused, kept, graph.cast(lengths, ElementType.INT32),
                graph.cast(total, ElementType.INT32), fusedBias);
    }

    /**
     * The attention of one layer.
     *
     * @param query the rotated queries {@code [batch, heads, sequence, head_dim]}
     * @param key the rotated keys {@code [batch, kv_heads, sequence, head_dim]}
     * @param valueRows the values {@code [batch × sequence, kv_heads × head_dim]}
     * @return the context rows and the present key/value {@code [batch, kv_heads, past + sequence, head_dim]}
     */
    public CachedAttention.Result apply(OnnxGraphBuilder graph, Value query, Value key, Value valueRows,
                                        TokenGrid grid, Optional<DecoderInputs.LayerPast> past, Step step) {
        long width = heads * headDim;
        long kvWidth = kvHeads * headDim;
        Value queryRows = grid.unflatten(graph, graph.reshape(graph.transpose(query, 0, 2, 1, 3), -1, width), width);
        Value keyRows = grid.unflatten(graph, graph.reshape(graph.transpose(key, 0, 2, 1, 3), -1, kvWidth),
                kvWidth);
        Value values = grid.unflatten(graph, valueRows, kvWidth);
        double factor = switch (scale.operation()) {
            case NONE -> 1.0;
            case DIVIDE -> 1.0 / scale.factor();
            case MULTIPLY -> scale.factor();
        };
        if (past.isEmpty()) {
            List<Value> attended = graph.groupQueryAttention(queryRows, keyRows, values, null, null,
                    step.sequenceLengthsK(), step.totalSequenceLength(), step.fusedBias(), heads, kvHeads, factor);
            Value context = meanWhereUnattended(graph, attended.get(0), attended.get(2), step.unattended());
            return new CachedAttention.Result(graph.reshape(context, -1, width), attended.get(1), attended.get(2));
        }
        DecoderInputs.LayerPast cache = past.get();
        Value presentKey = CachedAttention.appendStep(graph, cache.key(), key, kvHeads, headDim);
        Value presentValue = graph.concat(2, cache.value(),
                CachedAttention.splitHeads(graph, valueRows, grid, kvHeads, headDim));
        Value zero = graph.constant(new long[] {0});
        Value fused = graph.unsqueeze(step.fusedLength(), 0);
        Value kept = graph.unsqueeze(step.keptLength(), 0);
        Value axis1 = graph.constant(new long[] {1});
        List<Value> attended = graph.groupQueryAttention(graph.slice(queryRows, zero, fused, axis1),
                graph.slice(keyRows, zero, fused, axis1), graph.slice(values, zero, fused, axis1), cache.key(),
                cache.value(), step.sequenceLengthsK(), step.totalSequenceLength(), step.fusedBias(), heads, kvHeads,
                factor);
        Value keptContext = meanWhereUnattended(graph, graph.slice(attended.get(0), zero, kept, axis1), presentValue,
                graph.slice(step.unattended(), zero, kept, axis1));
        // the plain broadcast attention of the tokens after the kept ones (none when the kernel took the step)
        long groups = heads / kvHeads;
        Value end = graph.constant(new long[] {Long.MAX_VALUE});
        Value queries = graph.reshape(graph.slice(query, kept, end, graph.constant(new long[] {2})), 0, kvHeads,
                groups, -1, headDim);
        Value allowed = graph.slice(step.allowed(), kept, end, graph.constant(new long[] {3}));
        Value keysTransposed = graph.transpose(graph.unsqueeze(presentKey, 2), 0, 1, 2, 4, 3);
        Value minimum = graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN);
        Value context = ScaledDotProductAttention.attend(graph, queries, keysTransposed,
                graph.unsqueeze(presentValue, 2), scale, scores -> graph.where(allowed, scores, minimum));
        Value plainContext = graph.reshape(graph.transpose(graph.reshape(context, 0, heads, -1, headDim), 0, 2, 1, 3),
                0, -1, width);
        Value rows = graph.reshape(graph.concat(1, keptContext, plainContext), -1, width);
        return new CachedAttention.Result(rows, presentKey, presentValue);
    }

    /**
     * {@code context} {@code [batch, sequence, heads × head_dim]} with the rows that see no key replaced by the mean
     * of every cached value of their key/value head (equal weights over all keys, as the plain graph's softmax of
     * equal minimum scores gives them).
     */
    private Value meanWhereUnattended(OnnxGraphBuilder graph, Value context, Value presentValue, Value unattended) {
        Value mean = graph.reduceMean(presentValue, KeepDims.YES, 2);
        Value perQueryHead = graph.expand(mean, graph.constant(new long[] {1, 1, heads / kvHeads, 1}));
        return graph.where(unattended, graph.reshape(perQueryHead, 0, 1, heads * headDim), context);
    }
}
