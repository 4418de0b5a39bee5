package org.exporters4j.models.wav2vec2;

import java.util.ArrayList;
import java.util.List;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * WavLM's relative position buckets ({@code WavLMAttention._relative_positions_bucket}, Transformers 4.51): a
 * relative position {@code key − query} falls in one of {@code num_buckets / 2} buckets per direction (the positive
 * ones offset by that half); distances below a quarter of {@code num_buckets} are their own bucket, larger ones share
 * logarithmically wider buckets up to {@code max_bucket_distance}, beyond which all share the last.
 *
 * <p>The distance → bucket function is evaluated here in the float32 arithmetic Transformers uses
 * ({@code log(d / max_exact) / log(max_distance / max_exact) · (half − max_exact)}, truncated) and written into the
 * graph as a lookup table indexed by the distance clamped where the table saturates, so the graph holds only integer
 * arithmetic.
 */
record WavLmBuckets(int numBuckets, int maxDistance) {

    /** The bucket of a distance within one direction. */
    long distanceBucket(long distance) {
        int half = numBuckets / 2;
        int maxExact = half / 2;
        if (distance < maxExact) {
            return distance;
        }
        float scaled = (float) Math.log((float) distance / maxExact);
        scaled = scaled / (float) Math.log((double) maxDistance / maxExact);
        scaled = scaled * (half - maxExact);
        long large = (long) (maxExact + scaled);
        return Math.min(large, half - 1);
    }

    /** The bucket of {@code relativePosition} ({@code key − query}). */
    long bucket(long relativePosition) {
        return (relativePosition > 0 ? numBuckets / 2 : 0) + distanceBucket(Math.abs(relativePosition));
    }

    /** The buckets of int64 {@code relativePositions} (any shape), as int64. */
    Value apply(OnnxGraphBuilder graph, Value relativePositions) {
        int half = numBuckets / 2;
        List<Long> entries = new ArrayList<>();
        long distance = 0;
        // the function is non-decreasing: once it reaches the last bucket every larger distance stays there
        while (true) {
            long bucket = distanceBucket(distance);
            entries.add(bucket);
            if (bucket >= half - 1 || distance > (long) maxDistance + numBuckets) {
                break;
            }
            distance++;
        }
        Value table = graph.constant(entries.stream().mapToLong(Long::longValue).toArray());
        Value offset = graph.mul(graph.cast(graph.greater(relativePositions, graph.scalar(0)), ElementType.INT64),
                graph.scalar(half));
        Value clamped = graph.min(graph.abs(relativePositions), graph.scalar(entries.size() - 1));
        return graph.add(offset, graph.gather(table, clamped, 0));
    }
}
