package org.exporters4j.models.layoutlmv3;

import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * {@code LayoutLMv3Encoder.relative_position_bucket} (Transformers 4.25.1, bidirectional, as T5's): a signed
 * distance maps to one of {@code num_buckets} buckets, half for each sign; distances below a quarter of the buckets
 * have a bucket each, longer ones share logarithmically wider buckets up to {@code max_distance}. The logarithm is
 * taken in float32 and truncated to an integer, as PyTorch computes it.
 *
 * @param buckets {@code rel_pos_bins} or {@code rel_2d_pos_bins}
 * @param maxDistance {@code max_rel_pos} or {@code max_rel_2d_pos}
 */
record RelativePositionBuckets(long buckets, long maxDistance) {
    RelativePositionBuckets {
        if (buckets < 4 || maxDistance <= buckets / 4) {
            throw new IllegalArgumentException("relative position buckets need at least 4 buckets and a maximum "
                    + "distance above a quarter of them, got " + buckets + " and " + maxDistance);
        }
    }

    /** The bucket (int64) of each int64 distance in {@code relative}. */
    Value apply(OnnxGraphBuilder graph, Value relative) {
        long half = buckets / 2;
        long maxExact = half / 2;
        Value base = graph.mul(graph.cast(graph.greater(relative, graph.scalar(0)), ElementType.INT64),
                graph.scalar(half));
        Value distance = graph.abs(relative);
        Value small = graph.less(distance, graph.scalar(maxExact));
        ElementType f = ElementType.FLOAT;
        Value logarithmic = graph.div(graph.log(graph.div(graph.cast(distance, f), graph.scalar(f, maxExact))),
                graph.scalar(f, Math.log((double) maxDistance / maxExact)));
        Value large = graph.add(graph.scalar(maxExact),
                graph.cast(graph.mul(logarithmic, graph.scalar(f, half - maxExact)), ElementType.INT64));
        Value capped = graph.min(large, graph.scalar(half - 1));
        return graph.add(base, graph.where(small, distance, capped));
    }
}
