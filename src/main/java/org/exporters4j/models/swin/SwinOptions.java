package org.exporters4j.models.swin;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.ImageSize;
import org.exporters4j.models.blocks.Linear.Bias;

/**
 * The config.json options of {@code SwinConfig} the graph is built from, read and checked once. The backbone options
 * ({@code out_features}, {@code out_indices}) shape only {@code SwinBackbone}; {@code drop_path_rate} and the dropouts
 * are the identity in eval mode; {@code image_size} only sizes the absolute position embeddings (refused, below) and
 * the masked-image-modelling loss.
 *
 * @param depths {@code depths}: blocks per stage
 * @param heads {@code num_heads}: attention heads per stage
 * @param window {@code window_size}
 */
record SwinOptions(long embedDim, List<Integer> depths, List<Integer> heads, long window, double mlpRatio,
                   Bias queryKeyValueBias, Activation activation, double layerNormEps, ImageSize patch, long channels,
                   long encoderStride) {

    /** {@code nn.LayerNorm}'s default epsilon, which the embeddings' and patch merging's norms keep. */
    static final double TORCH_LAYER_NORM_EPS = 1e-5;

    SwinOptions {
        depths = List.copyOf(depths);
        heads = List.copyOf(heads);
    }

    static SwinOptions read(ModelConfig config) {
        String source = config.source();
        if (config.optionalBoolean("use_absolute_embeddings").orElse(false)) {
            throw new UnsupportedConfigException(source + " sets use_absolute_embeddings true: Transformers 4.51's "
                    + "SwinEmbeddings adds a table of num_patches + 1 rows to num_patches tokens and fails on any "
                    + "image; only false (Swin's default) is supported");
        }
        List<Integer> depths = config.intList("depths");
        List<Integer> heads = config.intList("num_heads");
        if (depths.isEmpty() || depths.size() != heads.size()) {
            throw new UnsupportedConfigException(source + " sets depths " + depths + " and num_heads " + heads
                    + ": Swin needs one head count per stage and at least one stage");
        }
        long embedDim = config.intValue("embed_dim");
        for (int stage = 0; stage < depths.size(); stage++) {
            long dim = embedDim << stage;
            if (depths.get(stage) < 0 || heads.get(stage) <= 0 || dim % heads.get(stage) != 0) {
                throw new UnsupportedConfigException(source + ": stage " + stage + " has width " + dim
                        + " (embed_dim · 2^stage), depth " + depths.get(stage) + " and " + heads.get(stage)
                        + " heads; the width must split into the heads (Transformers refuses it too)");
            }
        }
        long window = config.positiveInt("window_size");
        double mlpRatio = config.doubleValue("mlp_ratio");
        if ((long) (mlpRatio * embedDim) < 1) {
            throw new UnsupportedConfigException(source + " sets mlp_ratio " + mlpRatio + ", which leaves no "
                    + "feed-forward features; it must be positive");
        }
        return new SwinOptions(embedDim, depths, heads, window, mlpRatio,
                Bias.when(config.optionalBoolean("qkv_bias").orElse(true)),
                Activation.fromConfig(config, "hidden_act"), config.doubleValue("layer_norm_eps"),
                ImageSize.fromConfig(config, "patch_size"), config.intValue("num_channels"),
                config.intValue("encoder_stride"));
    }

    int stages() {
        return depths.size();
    }

    /** The width of stage {@code stage}: {@code int(embed_dim · 2^stage)}. */
    long width(int stage) {
        return embedDim << stage;
    }

    /** The last stage's width ({@code SwinModel.num_features}). */
    long features() {
        return width(stages() - 1);
    }
}
