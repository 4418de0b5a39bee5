package org.exporters4j.models.clip;

import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.blocks.TransformerLayer;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * A stack of {@code CLIPEncoderLayer}s (Transformers 4.25.1 {@code modeling_clip.py}; OWL-ViT's and GroupViT's
 * layers are the same module under their names): pre-LayerNorm residual blocks,
 * {@code x + attention(layer_norm1(x))}, then {@code x + fc2(act(fc1(layer_norm2(x))))}. Hidden states are rows
 * {@code [batch × sequence, hidden]}.
 */
public final class ClipEncoder {
    private static final TransformerLayer.Names LAYER = new TransformerLayer.Names("self_attn.q_proj",
            "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "layer_norm1", "mlp.fc1", "mlp.fc2",
            "layer_norm2");

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

    /** One CLIPEncoderLayer; its CLIPMLP is {@code fc2(act(fc1(x)))}. */
    public static Value layer(OnnxGraphBuilder graph, Parameters parameters, String prefix, TowerOptions options,
                              Value rows, Value additiveMask, TokenGrid grid) {
        TransformerLayer.Settings settings = new TransformerLayer.Settings(options.hiddenSize(), options.heads(),
                options.intermediateSize(), options.activation(), TowerOptions.LAYER_NORM_EPS,
                TransformerLayer.Norms.PRE);
        return TransformerLayer.load(parameters, prefix, LAYER, settings).apply(graph, rows, additiveMask, grid);
    }
}
