package org.exporters4j.models.bart;

import java.util.Objects;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Multi-head attention as {@code BartAttention} computes it, for self-attention, cross-attention and their caches:
 * keys and values are kept as {@code [batch, heads, length, head_dim]} (the layout of Transformers' and Optimum's
 * {@code past_key_values}), queries come as rows {@code [batch × target, hidden]}, the result is rows again. The
 * caller projects keys and values ({@link #split} lays them out), so a cached cross-attention step, which reuses
 * them, reads no key or value weights.
 *
 * @param scaling where {@code 1/√head_dim} enters
 */
record BartAttention(Linear query, Linear output, int heads, long headSize, Scaling scaling) {

    /** Where the {@code 1/√head_dim} factor enters (the float32 roundings differ). */
    enum Scaling {
        /** {@code q_proj(x) · head_dim^-0.5} before the product ({@code BartAttention}). */
        QUERY,
        /** {@code (q · kᵀ) / √head_dim} after the product (BigBirdPegasus's {@code original_full} self-attention). */
        SCORES
    }

    BartAttention {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(scaling, "scaling");
        if (heads <= 0 || headSize <= 0) {
            throw new IllegalArgumentException("attention needs heads and a head size, got " + heads + " × " + headSize);
        }
    }

    /** {@code projection} of {@code rows} (laid out on {@code grid}) as {@code [batch, heads, length, head_dim]}. */
    Value project(OnnxGraphBuilder graph, Linear projection, Value rows, TokenGrid grid) {
        return split(graph, projection.apply(graph, rows), grid);
    }

    /**
     * The projected attention output of the query rows over {@code keys} and {@code values}; {@code additiveMask}
     * (broadcast to {@code [batch, heads, target, length]}) may be null for none.
     */
    Value attend(OnnxGraphBuilder graph, Value queryRows, TokenGrid queryGrid, Value keys, Value values,
                 Value additiveMask) {
        Value projected = query.apply(graph, queryRows);
        if (scaling == Scaling.QUERY) {
            projected = graph.mul(projected, graph.scalar(ElementType.FLOAT, Math.pow(headSize, -0.5)));
        }
        ScaledDotProductAttention attention = new ScaledDotProductAttention(heads, headSize);
        Value context = ScaledDotProductAttention.attend(graph, attention.split(graph, projected, queryGrid),
                graph.transpose(keys, 0, 1, 3, 2), values, scaling == Scaling.SCORES
                        ? ScoreScale.bySquareRootOf(headSize) : ScoreScale.none(),
                ScaledDotProductAttention.additive(graph, additiveMask));
        return output.apply(graph, attention.merge(graph, context));
    }

    private Value split(OnnxGraphBuilder graph, Value projectedRows, TokenGrid grid) {
        return new ScaledDotProductAttention(heads, headSize).split(graph, projectedRows, grid);
    }
}
