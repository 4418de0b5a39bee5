package org.exporters4j.models.blocks;

import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * T5's relative position buckets ({@code T5Attention._relative_position_bucket}, Transformers 4.25.1; MPNet's
 * {@code MPNetEncoder.relative_position_bucket} computes the same bidirectional buckets): a relative
 * position {@code key − query} maps to one of {@code numBuckets} buckets, half per direction when bidirectional
 * (the encoder), only non-positive ones when causal (the decoder). Within a direction, distances below
 * {@code max_exact = buckets / 2} are their own bucket; larger ones share logarithmically wider buckets up to
 * {@code maxDistance}, beyond which all share the last.
 *
 * <p>The distance → bucket function is evaluated here, once, in the float32 arithmetic Transformers uses
 * ({@code log(d / max_exact) / log(max_distance / max_exact) · (buckets − max_exact)}, truncated), and written into
 * the graph as a small lookup table indexed by {@code min(distance, saturation)}: the function is non-decreasing
 * and constant from the first distance that reaches the last bucket, so the table is exact for every distance
 * while the graph holds only integer arithmetic (its buckets cannot drift with the runtime's {@code Log}).
 */
public record RelativePositionBuckets(int numBuckets, int maxDistance) {
    /** The largest relative distance table this exporter writes into a graph (as a constant). */
    public static final int MAX_DISTANCE_LIMIT = 1 << 20;

    public RelativePositionBuckets {
        if (numBuckets < 4 || maxDistance <= numBuckets / 2 || maxDistance > MAX_DISTANCE_LIMIT) {
            throw new IllegalArgumentException("relative position buckets need at least 4 buckets and a maximum "
                    + "distance above buckets / 2 (at most " + MAX_DISTANCE_LIMIT + "), got " + numBuckets
                    + " and " + maxDistance);
        }
    }

    /** The bucket of {@code relativePosition} ({@code key − query}), as Transformers computes it. */
    public long bucket(long relativePosition, AttentionDirection direction) {
        int buckets = bucketsPerDirection(direction);
        long offset = 0;
        long distance;
        if (direction == AttentionDirection.BIDIRECTIONAL) {
            offset = relativePosition > 0 ? buckets : 0;
            distance = Math.abs(relativePosition);
        } else {
            distance = -Math.min(relativePosition, 0);
        }
        return offset + distanceBucket(distance, buckets);
    }

    /**
     * The buckets of int64 {@code relativePositions} (any shape), as int64: the direction offset plus the table
     * entry of the clamped distance.
     */
    public Value apply(OnnxGraphBuilder graph, Value relativePositions, AttentionDirection direction) {
        int buckets = bucketsPerDirection(direction);
        Value distance;
        Value offset = null;
        if (direction == AttentionDirection.BIDIRECTIONAL) {
            offset = graph.mul(graph.cast(graph.greater(relativePositions, graph.scalar(0)), ElementType.INT64),
                    graph.scalar(buckets));
            distance = graph.abs(relativePositions);
        } else {
            distance = graph.max(graph.neg(relativePositions), graph.scalar(0));
        }
        int saturation = saturation(buckets);
        Value table = graph.constant(table(buckets, saturation));
        Value clamped = graph.min(distance, graph.scalar(saturation));
        Value bucket = graph.gather(table, clamped, 0);
        return offset == null ? bucket : graph.add(offset, bucket);
    }

    /**
     * {@code relative_attention_bias(buckets).permute(2, 0, 1)}: the bias of every (query, key) pair per head,
     * {@code [heads, queries, keys]}, for 1-D int64 query and key positions.
     *
     * @param embedding {@code relative_attention_bias.weight}, {@code [num_buckets, heads]}
     */
    public Value bias(OnnxGraphBuilder graph, Value embedding, Value queryPositions, Value keyPositions,
               AttentionDirection direction) {
        Value relative = graph.sub(graph.unsqueeze(keyPositions, 0), graph.unsqueeze(queryPositions, 1));
        Value values = graph.gather(embedding, apply(graph, relative, direction), 0);
        return graph.transpose(values, 2, 0, 1);
    }

    private int bucketsPerDirection(AttentionDirection direction) {
        return direction == AttentionDirection.BIDIRECTIONAL ? numBuckets / 2 : numBuckets;
    }

    /**
     * The bucket of a distance within one direction of {@code buckets} buckets. Float32 throughout, as PyTorch
     * computes {@code torch.log(relative_position.float() / max_exact) / math.log(max_distance / max_exact)
     * * (num_buckets - max_exact)} (the Python float divisor becomes a float32 operand), then
     * {@code .to(torch.long)} truncates toward zero.
     */
    private long distanceBucket(long distance, int buckets) {
        int maxExact = buckets / 2;
        if (distance < maxExact) {
            return distance;
        }
        float ratio = (float) distance / (float) maxExact;
        float logRatio = (float) Math.log(ratio);
        float logRange = (float) Math.log((double) maxDistance / maxExact);
        float scaled = logRatio / logRange * (float) (buckets - maxExact);
        long large = maxExact + (long) scaled;
        return Math.min(large, buckets - 1);
    }

    /** The first distance whose bucket is the last one; every larger distance shares it. */
    private int saturation(int buckets) {
        int distance = buckets / 2;
        while (distanceBucket(distance, buckets) < buckets - 1) {
            distance++;
        }
        return distance;
    }

    /** The buckets of distances {@code 0 … saturation}, int64. */
    private TensorData table(int buckets, int saturation) {
        long[] values = new long[saturation + 1];
        for (int distance = 0; distance <= saturation; distance++) {
            values[distance] = distanceBucket(distance, buckets);
        }
        return TensorData.ofLongs(values, values.length);
    }
}
