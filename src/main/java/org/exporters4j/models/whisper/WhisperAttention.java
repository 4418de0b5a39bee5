package org.exporters4j.models.whisper;

import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * {@code WhisperAttention} (Transformers 4.25.1, BART's attention with a bias-free {@code k_proj}) on hidden states
 * {@code [batch, length, d_model]}: the query projection times {@code head_dim^-0.5}, keys and values split into
 * heads {@code [batch, heads, length, head_dim]}, {@code softmax(q · kᵀ + mask) · v}, heads merged, {@code out_proj}.
 * Keys and values are computed by the caller ({@link #keys}, {@link #values}) so self-attention can append them to
 * a cache and cross-attention can take them from one.
 */
final class WhisperAttention {
    private final OnnxGraphBuilder graph;
    private final Parameters parameters;
    private final String prefix;
    private final long modelSize;
    private final int heads;

    /** The attention module {@code prefix} (e.g. {@code "model.decoder.layers.0.self_attn"}). */
    WhisperAttention(OnnxGraphBuilder graph, Parameters parameters, String prefix, long modelSize, int heads) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.modelSize = modelSize;
        this.heads = heads;
    }

    /** The keys of {@code states}, split into heads. */
    Value keys(Value states) {
        return split(linear("k_proj", states, Bias.WITHOUT_BIAS));
    }

    /** The values of {@code states}, split into heads. */
    Value values(Value states) {
        return split(linear("v_proj", states, Bias.WITH_BIAS));
    }

    /**
     * The attention output for {@code states [batch, length, d_model]} over {@code keys} and {@code values}
     * {@code [batch, heads, key_length, head_dim]}, with {@code additiveMask} broadcast to the scores (null: none).
     */
    Value apply(Value states, Value keys, Value values, Value additiveMask) {
        long headSize = modelSize / heads;
        Value queries = split(graph.mul(linear("q_proj", states, Bias.WITH_BIAS),
                graph.scalar(ElementType.FLOAT, Math.pow(headSize, -0.5))));
        Value context = ScaledDotProductAttention.attend(graph, queries, graph.transpose(keys, 0, 1, 3, 2), values,
                ScoreScale.none(), ScaledDotProductAttention.additive(graph, additiveMask));
        Value merged = graph.reshape(graph.transpose(context, 0, 2, 1, 3), 0, 0, modelSize);
        return linear("out_proj", merged, Bias.WITH_BIAS);
    }

    /** {@code nn.Linear(d_model, d_model)} on the last axis, with or without its bias. */
    private Value linear(String name, Value states, Bias bias) {
        return Linear.load(parameters, prefix + "." + name, modelSize, modelSize, bias).applyToLastAxis(graph, states);
    }

    /** {@code [batch, length, d_model]} → {@code [batch, heads, length, head_dim]}. */
    private Value split(Value states) {
        return graph.transpose(graph.reshape(states, 0, 0, heads, modelSize / heads), 0, 2, 1, 3);
    }
}
