package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.models.Parameters;
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
        Value context = new ScaledDotProductAttention(heads, headSize).context(graph, query.apply(graph, rows),
                key.apply(graph, rows), value.apply(graph, rows), additiveMask, grid);
        return output.apply(graph, context);
    }
}
