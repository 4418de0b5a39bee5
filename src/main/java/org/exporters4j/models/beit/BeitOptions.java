package org.exporters4j.models.beit;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.ImageSize;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.VisionTransformerLayer;
import org.exporters4j.models.blocks.VisionTransformerLayer.LayerScale;
import org.exporters4j.models.blocks.VisionTransformerLayer.QueryKeyValueBias;

/**
 * The config.json options the BEiT family builds from (BeitConfig / Data2VecVisionConfig, Transformers 4.25.1).
 *
 * @param window the patch grid of the config's image size ({@code patch_shape}), over which the relative position
 *     bias is defined
 */
record BeitOptions(VisionTransformerLayer.Dimensions dimensions, int layers, ImageSize imageSize, ImageSize patchSize,
                   long channels, ImageSize window, Switch absolutePositions, Switch relativeBias,
                   Switch sharedRelativeBias, Switch meanPooling) {

    /** An on/off option of the config, named where it is read. */
    enum Switch {
        ON, OFF;

        static Switch of(ModelConfig config, String key) {
            return config.booleanValue(key) ? ON : OFF;
        }

        boolean on() {
            return this == ON;
        }
    }

    static BeitOptions read(ModelConfig config) {
        String source = config.source();
        AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
        long hidden = split.width();
        int heads = split.heads();
        int layers = LayerStack.count(config, "num_hidden_layers");
        // BeitLayer creates lambda_1 / lambda_2 only when layer_scale_init_value > 0
        LayerScale layerScale = config.doubleValue("layer_scale_init_value") > 0 ? LayerScale.LAMBDAS : LayerScale.NONE;
        VisionTransformerLayer.Dimensions dimensions = new VisionTransformerLayer.Dimensions(hidden, heads,
                config.intValue("intermediate_size"), Activation.fromConfig(config, "hidden_act"),
                config.doubleValue("layer_norm_eps"), QueryKeyValueBias.QUERY_AND_VALUE, layerScale);
        ImageSize imageSize = ImageSize.fromConfig(config, "image_size");
        ImageSize patchSize = ImageSize.fromConfig(config, "patch_size");
        ImageSize window = imageSize.patchGrid(patchSize, source);
        return new BeitOptions(dimensions, layers, imageSize, patchSize, config.intValue("num_channels"), window,
                Switch.of(config, "use_absolute_position_embeddings"), Switch.of(config, "use_relative_position_bias"),
                Switch.of(config, "use_shared_relative_position_bias"), Switch.of(config, "use_mean_pooling"));
    }

    long hidden() {
        return dimensions.hidden();
    }

    /** The class token and the patches of an image of the config's size. */
    long tokens() {
        return 1 + window.area();
    }
}
