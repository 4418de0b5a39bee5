package org.exporters4j.models.dinov2;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.ImageSize;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear.Bias;

/**
 * The config.json options of {@code Dinov2Config} the graph is built from, read and checked once. The backbone
 * options ({@code out_features}, {@code apply_layernorm}, {@code reshape_hidden_states}) shape only
 * {@code Dinov2Backbone}, which no exported task uses; {@code use_mask_token} only adds a parameter used with
 * {@code bool_masked_pos}, which Optimum's interface does not pass; {@code drop_path_rate} and the dropouts are the
 * identity in eval mode; {@code layerscale_value} only initialises {@code lambda1}, which the checkpoint stores.
 *
 * @param patchSize {@code patch_size}, one integer (Transformers' position interpolation divides by it as such)
 * @param positionGrid the side of the square grid of the stored position embeddings ({@code image_size // patch_size})
 * @param feedForward {@code use_swiglu_ffn}: {@code Dinov2MLP} or {@code Dinov2SwiGLUFFN}
 * @param feedForwardSize {@code int(hidden_size · mlp_ratio)} for the MLP;
 *     {@code (int(that · 2 / 3) + 7) // 8 · 8} for SwiGLU, as its {@code __init__} computes
 */
record Dinov2Options(AttentionHeads attention, int layers, Activation activation, double layerNormEps,
                     Bias queryKeyValueBias, long channels, long patchSize, long positionGrid, FeedForward feedForward,
                     long feedForwardSize) {

    /** The feed-forward block of each layer. */
    enum FeedForward {
        /** {@code mlp.fc1}, {@code hidden_act}, {@code mlp.fc2}. */
        MLP,
        /** {@code mlp.weights_in} split in two halves, {@code silu(x1) · x2}, {@code mlp.weights_out}. */
        SWIGLU
    }

    static Dinov2Options read(ModelConfig config) {
        String source = config.source();
        AttentionHeads attention = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
        ImageSize patch = ImageSize.fromConfig(config, "patch_size");
        if (patch.height() != patch.width()) {
            throw new UnsupportedConfigException(source + " sets patch_size " + patch + ": Dinov2Embeddings"
                    + ".interpolate_pos_encoding divides the image by patch_size as one integer, so Transformers"
                    + " fails on a [height, width] pair; use one integer");
        }
        ImageSize grid = ImageSize.fromConfig(config, "image_size").patchGrid(patch, source);
        if (grid.height() != grid.width()) {
            throw new UnsupportedConfigException(source + " sets image_size " + ImageSize.fromConfig(config,
                    "image_size") + " with patch_size " + patch + ": the position embeddings form a " + grid.height()
                    + " x " + grid.width() + " grid, but Transformers interpolates them as a square grid (it fails "
                    + "on this config); use an image_size that gives a square patch grid");
        }
        FeedForward feedForward = config.optionalBoolean("use_swiglu_ffn").orElse(false)
                ? FeedForward.SWIGLU : FeedForward.MLP;
        double ratio = config.doubleValue("mlp_ratio");
        long hiddenFeatures = (long) (attention.width() * ratio);
        if (feedForward == FeedForward.SWIGLU) {
            hiddenFeatures = ((long) (hiddenFeatures * 2 / 3.0) + 7) / 8 * 8;
        }
        if (hiddenFeatures <= 0) {
            throw new UnsupportedConfigException(source + " sets mlp_ratio " + ratio + ", which gives a feed-forward"
                    + " of " + hiddenFeatures + " features for hidden_size " + attention.width() + "; it must give"
                    + " at least one");
        }
        Activation activation = Activation.fromConfig(config, "hidden_act");
        return new Dinov2Options(attention, LayerStack.count(config, "num_hidden_layers"), activation,
                config.doubleValue("layer_norm_eps"),
                Bias.when(config.optionalBoolean("qkv_bias").orElse(true)),
                config.intValue("num_channels"), patch.height(), grid.height(), feedForward, hiddenFeatures);
    }

    long hidden() {
        return attention.width();
    }
}
