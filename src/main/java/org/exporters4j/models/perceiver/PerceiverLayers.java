package org.exporters4j.models.perceiver;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * {@code PerceiverLayer} (Transformers 4.25.1) on states {@code [batch, length, channels]}: attention whose queries
 * come from the layer's states and whose keys and values come from the same states (self-attention) or from other
 * inputs (cross-attention), each side layer-normalized first; the output projection, the query residual when the
 * layer uses it; then {@code mlp(layernorm(x)) + x}. The query/key and value widths and the MLP's widening are read
 * from the weights' shapes, so every channel configuration Transformers builds is covered. Perceiver's layer norms
 * are {@code nn.LayerNorm(dim)} with PyTorch's default ε (1e-5); {@code layer_norm_eps} is not used by the model.
 */
final class PerceiverLayers {
    /** PyTorch's default {@code nn.LayerNorm} epsilon, which every Perceiver layer norm uses. */
    static final double LAYER_NORM_EPS = 1e-5;

    private final OnnxGraphBuilder graph;
    private final Parameters parameters;
    private final Activation activation;

    PerceiverLayers(OnnxGraphBuilder graph, Parameters parameters, Activation activation) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.activation = Objects.requireNonNull(activation, "activation");
    }

    /** Whether the attention output adds the layer's (un-normalized) input ({@code use_query_residual}). */
    enum QueryResidual { ADDED, OMITTED }

    /**
     * The layer {@code prefix} (e.g. {@code "perceiver.encoder.cross_attention."}) over {@code states}; keys and
     * values come from {@code inputs}, or from {@code states} when {@code inputs} is null.
     */
    Value layer(String prefix, Value states, Value inputs, int heads, QueryResidual residual) {
        String attention = prefix + "attention.";
        Value queries = norm(attention + "self.layernorm1", states);
        Value source = inputs == null ? queries : norm(attention + "self.layernorm2", inputs);
        Value context = attend(attention + "self.", queries, source, heads);
        Value attended = dense(attention + "output.dense", context);
        if (residual == QueryResidual.ADDED) {
            attended = graph.add(attended, states);
        }
        Value hidden = activation.apply(graph, dense(prefix + "mlp.dense1", norm(prefix + "layernorm", attended)));
        return graph.add(dense(prefix + "mlp.dense2", hidden), attended);
    }

    /** PerceiverSelfAttention without its layer norms: the merged context {@code [batch, queries, v_channels]}. */
    private Value attend(String prefix, Value queries, Value source, int heads) {
        long queryKeyChannels = parameters.dimension(prefix + "query.weight", 0);
        long valueChannels = parameters.dimension(prefix + "value.weight", 0);
        if (queryKeyChannels % heads != 0 || valueChannels % heads != 0) {
            throw new UnsupportedConfigException(prefix + "query/key have " + queryKeyChannels + " and values "
                    + valueChannels + " channels, which " + heads + " heads do not divide; Transformers refuses this "
                    + "model too (check qk_channels, v_channels and the head counts in config.json)");
        }
        long queryKeyPerHead = queryKeyChannels / heads;
        Value q = split(dense(prefix + "query", queries), heads, queryKeyPerHead);
        Value k = split(dense(prefix + "key", source), heads, queryKeyPerHead);
        Value v = split(dense(prefix + "value", source), heads, valueChannels / heads);
        Value context = ScaledDotProductAttention.attend(graph, q, graph.transpose(k, 0, 1, 3, 2), v,
                ScoreScale.bySquareRootOf(queryKeyPerHead), UnaryOperator.identity());
        return graph.reshape(graph.transpose(context, 0, 2, 1, 3), 0, 0, valueChannels);
    }

    /** {@code [batch, length, heads × size]} → {@code [batch, heads, length, size]}. */
    private Value split(Value x, int heads, long size) {
        return graph.transpose(graph.reshape(x, 0, 0, heads, size), 0, 2, 1, 3);
    }

    /** An {@code nn.Linear} on the last axis, its sizes from the checkpoint. */
    Value dense(String prefix, Value x) {
        return Linear.loadSizedByWeights(parameters, prefix).applyToLastAxis(graph, x);
    }

    private Value norm(String prefix, Value x) {
        long size = parameters.dimension(prefix + ".weight", 0);
        return LayerNorm.load(parameters, prefix, size, LAYER_NORM_EPS).apply(graph, x);
    }
}
