package org.exporters4j.models.clip;

import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.SelfAttention;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * A stack of {@code CLIPEncoderLayer}s (Transformers 4.25.1 {@code modeling_clip.py}; OWL-ViT's and GroupViT's
 * layers are the same module under their names): pre-LayerNorm residual blocks,
 * {@code x + attention(layer_norm1(x))}, then {@code x + fc2(act(fc1(layer_norm2(x))))}. Hidden states are rows
 * {@code [batch × sequence, hidden]}.
 */
public final class ClipEncoder {
    private ClipEncoder() {}

    /**
     * Runs {@code layers.0 … layers.(n−1)} under {@code prefix} (e.g. {@code "text_model.encoder."}) over
     * {@code rows}, with {@code additiveMask} added to every attention score (a zero scalar for none).
     */
    public static Value apply(OnnxGraphBuilder graph, Parameters parameters, String prefix, TowerOptions options,
                              Value rows, Value additiveMask, TokenGrid grid) {
        return new LayerStack(prefix, "layers", options.layers()).apply(graph, rows, (index, layerPrefix, input) ->
                layer(graph, parameters, layerPrefix, options, input, additiveMask, grid));
    }

    /** One CLIPEncoderLayer. */
    public static Value layer(OnnxGraphBuilder graph, Parameters parameters, String prefix, TowerOptions options,
                              Value rows, Value additiveMask, TokenGrid grid) {
        long hidden = options.hiddenSize();
        SelfAttention attention = SelfAttention.load(parameters, hidden, options.heads(),
                prefix + "self_attn.q_proj", prefix + "self_attn.k_proj",
                prefix + "self_attn.v_proj", prefix + "self_attn.out_proj");
        Value normalized = LayerNorm.load(parameters, prefix + "layer_norm1", hidden, TowerOptions.LAYER_NORM_EPS)
                .apply(graph, rows);
        Value attended = graph.add(rows, attention.apply(graph, normalized, additiveMask, grid));
        return graph.add(attended, feedForward(graph, parameters, prefix, options,
                LayerNorm.load(parameters, prefix + "layer_norm2", hidden, TowerOptions.LAYER_NORM_EPS)
                        .apply(graph, attended)));
    }

    /** CLIPMLP: {@code fc2(act(fc1(x)))}. */
    public static Value feedForward(OnnxGraphBuilder graph, Parameters parameters, String prefix, TowerOptions options,
                                    Value rows) {
        long hidden = options.hiddenSize();
        Value inner = options.activation().apply(graph,
                Linear.load(parameters, prefix + "mlp.fc1", hidden, options.intermediateSize()).apply(graph, rows));
        return Linear.load(parameters, prefix + "mlp.fc2", options.intermediateSize(), hidden).apply(graph, inner);
    }
}
