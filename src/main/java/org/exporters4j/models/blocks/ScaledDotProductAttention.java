package org.exporters4j.models.blocks;

import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The core of BERT-style multi-head attention for models whose query, key and value come from different inputs
 * or whose context is combined with something else before the output projection (MobileBERT's bottlenecks,
 * ConvBERT's convolution heads): already-projected rows split into heads,
 * {@code softmax(q · kᵀ / √head_size + mask) · v}, heads merged. Computes exactly what {@link SelfAttention}
 * computes between its projections.
 */
public record ScaledDotProductAttention(int heads, long headSize) {
    public ScaledDotProductAttention {
        if (heads <= 0 || headSize <= 0) {
            throw new IllegalArgumentException("attention needs heads and a head size, got " + heads + " × " + headSize);
        }
    }

    /**
     * The merged context rows {@code [batch × sequence, heads × head_size]} of projected query, key and value rows
     * (each {@code [batch × sequence, heads × head_size]}), with {@code additiveMask} broadcast over heads
     * ({@link AttentionMask#additive}).
     */
    public Value context(OnnxGraphBuilder graph, Value queryRows, Value keyRows, Value valueRows, Value additiveMask,
                         TokenGrid grid) {
        Value headShape = grid.shapeWith(graph, heads, headSize);
        Value q = graph.transpose(graph.reshape(queryRows, headShape), 0, 2, 1, 3);
        Value kT = graph.transpose(graph.reshape(keyRows, headShape), 0, 2, 3, 1);
        Value v = graph.transpose(graph.reshape(valueRows, headShape), 0, 2, 1, 3);
        Value scores = graph.div(graph.matMul(q, kT), graph.scalar(ElementType.FLOAT, Math.sqrt(headSize)));
        Value probabilities = graph.softmax(graph.add(scores, additiveMask), -1);
        Value context = graph.transpose(graph.matMul(probabilities, v), 0, 2, 1, 3);
        return graph.reshape(context, -1, heads * headSize);
    }
}
