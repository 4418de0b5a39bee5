package org.exporters4j.models.vit;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.ImageSize;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.VisionTransformerLayer;
import org.exporters4j.models.blocks.VisionTransformerLayer.LayerScale;
import org.exporters4j.models.blocks.VisionTransformerLayer.QueryKeyValueBias;

/**
 * The config.json options the ViT family builds from, read and checked once.
 *
 * @param detectionTokens YOLOS's {@code num_detection_tokens} (0 for ViT and DeiT)
 * @param midPositionEmbeddings YOLOS's {@code use_mid_position_embeddings}
 */
record VitOptions(VisionTransformerLayer.Dimensions dimensions, int layers, ImageSize imageSize, ImageSize patchSize,
                  long channels, long encoderStride, int detectionTokens, MidPositions midPositionEmbeddings) {

    /** Whether YOLOS adds interpolated position embeddings after every layer but the last. */
    enum MidPositions { ABSENT, PRESENT }

    static VitOptions read(ModelConfig config, VitFlavor flavor) {
        String source = config.source();
        AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
        long hidden = split.width();
        int heads = split.heads();
        int layers = LayerStack.count(config, "num_hidden_layers");
        QueryKeyValueBias biases = config.optionalBoolean("qkv_bias").orElse(true)
                ? QueryKeyValueBias.ALL : QueryKeyValueBias.NONE;
        VisionTransformerLayer.Dimensions dimensions = new VisionTransformerLayer.Dimensions(hidden, heads,
                config.intValue("intermediate_size"), Activation.fromConfig(config, "hidden_act"),
                config.doubleValue("layer_norm_eps"), biases, LayerScale.NONE);
        ImageSize imageSize = ImageSize.fromConfig(config, "image_size");
        ImageSize patchSize = ImageSize.fromConfig(config, "patch_size");
        imageSize.patchGrid(patchSize, source);
        int detectionTokens = 0;
        MidPositions mid = MidPositions.ABSENT;
        if (flavor.tokens().hasDetectionTokens()) {
            detectionTokens = config.intValue("num_detection_tokens");
            if (detectionTokens < 1) {
                throw new UnsupportedConfigException(source + " sets num_detection_tokens " + detectionTokens
                        + "; YOLOS predicts one box per detection token, so it needs 1 or more");
            }
            if (config.optionalBoolean("use_mid_position_embeddings").orElse(true)) {
                mid = MidPositions.PRESENT;
            }
        }
        long encoderStride = config.optionalInt("encoder_stride").orElse(16);
        return new VitOptions(dimensions, layers, imageSize, patchSize, config.intValue("num_channels"),
                encoderStride, detectionTokens, mid);
    }

    long hidden() {
        return dimensions.hidden();
    }

    /** Patches of an image of the config's size. */
    long patches() {
        return imageSize.cells(patchSize).area();
    }
}
