package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Multi-head self-attention as BERT computes it ({@code BertSelfAttention} + the output projection): query, key and
 * value projections split into heads, {@code softmax(q · kᵀ / √head_size + mask) · v}, heads merged, then the
 * output projection. Rows in, rows out: {@code [batch × sequence, hidden]}.
 */
public record SelfAttention(Linear query, Linear key, Linear value, Linear output, int heads, long headSize) {
    public SelfAttention {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(output, "output");
        if (heads <= 0 || headSize <= 0) {
            throw new IllegalArgumentException("attention needs heads and a head size, got " + heads + " × " + headSize);
        }
    }

    /**
     * The {@code nn.Linear} projections at {@code <query>}, {@code <key>}, {@code <value>} and {@code <output>}
     * (weights and biases, {@code [hidden, hidden]}), split into {@code heads} heads.
     */
    public static SelfAttention load(Parameters parameters, long hidden, int heads, String query, String key,
                                     String value, String output) {
        return new SelfAttention(Linear.load(parameters, query, hidden, hidden),
                Linear.load(parameters, key, hidden, hidden), Linear.load(parameters, value, hidden, hidden),
                Linear.load(parameters, output, hidden, hidden), heads, hidden / heads);
    }

    /**
     * The projected attention output for {@code rows}, with {@code additiveMask} broadcast over heads
     * ({@link AttentionMask#additive}).
     */
    public Value apply(OnnxGraphBuilder graph, Value rows, Value additiveMask, TokenGrid grid) {
        Objects.requireNonNull(additiveMask, "additiveMask");
        return attend(graph, rows, additiveMask, grid);
    }

    /** The projected attention output for {@code rows} where every position attends to every other (no mask). */
    public Value apply(OnnxGraphBuilder graph, Value rows, TokenGrid grid) {
        return attend(graph, rows, null, grid);
    }

    private Value attend(OnnxGraphBuilder graph, Value rows, Value additiveMask, TokenGrid grid) {
        Value headShape = grid.shapeWith(graph, heads, headSize);
        // [batch, heads, sequence, head_size]
        Value q = graph.transpose(graph.reshape(query.apply(graph, rows), headShape), 0, 2, 1, 3);
        // [batch, heads, head_size, sequence]
        Value kT = graph.transpose(graph.reshape(key.apply(graph, rows), headShape), 0, 2, 3, 1);
        Value v = graph.transpose(graph.reshape(value.apply(graph, rows), headShape), 0, 2, 1, 3);
        Value scores = graph.div(graph.matMul(q, kT), graph.scalar(ElementType.FLOAT, Math.sqrt(headSize)));
        Value probabilities = graph.softmax(additiveMask == null ? scores : graph.add(scores, additiveMask), -1);
        Value context = graph.transpose(graph.matMul(probabilities, v), 0, 2, 1, 3);
        Value merged = graph.reshape(context, -1, heads * headSize);
        return output.apply(graph, merged);
    }
}
