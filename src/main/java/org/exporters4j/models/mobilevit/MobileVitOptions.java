package org.exporters4j.models.mobilevit;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.VisionTransformerLayer.QueryKeyValueBias;

/**
 * The config.json options MobileViTConfig defines (Transformers 4.25.1).
 *
 * @param neckHiddenSizes the seven channel counts: stem, the five encoder layers, the final expansion
 * @param hiddenSizes the transformer widths of encoder layers 3, 4 and 5
 * @param layer4Dilation, layer5Dilation the dilation {@code output_stride} gives encoder layers 4 and 5 (8: 2 and 4;
 *     16: 1 and 2; 32: 1 and 1)
 */
record MobileVitOptions(long channels, List<Integer> neckHiddenSizes, List<Integer> hiddenSizes, int heads,
                        double mlpRatio, double expandRatio, Activation activation, long convKernelSize,
                        long patchSize, double layerNormEps, QueryKeyValueBias queryKeyValueBias,
                        long layer4Dilation, long layer5Dilation) {

    MobileVitOptions {
        neckHiddenSizes = List.copyOf(neckHiddenSizes);
        hiddenSizes = List.copyOf(hiddenSizes);
    }

    static MobileVitOptions read(ModelConfig config) {
        String source = config.source();
        List<Integer> neck = config.intList("neck_hidden_sizes");
        if (neck.size() != 7) {
            throw new UnsupportedConfigException(source + " sets neck_hidden_sizes " + neck + "; MobileViT needs 7 "
                    + "channel counts (stem, five encoder layers, expansion)");
        }
        List<Integer> hidden = config.intList("hidden_sizes");
        if (hidden.size() != 3) {
            throw new UnsupportedConfigException(source + " sets hidden_sizes " + hidden + "; MobileViT needs 3 "
                    + "transformer widths (encoder layers 3, 4 and 5)");
        }
        int heads = config.intValue("num_attention_heads");
        for (int size : hidden) {
            if (heads <= 0 || size % heads != 0) {
                throw new UnsupportedConfigException(source + ": hidden_sizes " + hidden + " are not all multiples "
                        + "of num_attention_heads " + heads + "; Transformers refuses this config too");
            }
        }
        int outputStride = config.intValue("output_stride");
        long layer4 = outputStride == 8 ? 2 : 1;
        long layer5 = outputStride == 8 ? 4 : outputStride == 16 ? 2 : 1;
        return new MobileVitOptions(config.intValue("num_channels"), neck, hidden, heads,
                config.doubleValue("mlp_ratio"), config.doubleValue("expand_ratio"),
                Activation.fromConfig(config, "hidden_act"), config.intValue("conv_kernel_size"),
                config.intValue("patch_size"), config.doubleValue("layer_norm_eps"),
                config.optionalBoolean("qkv_bias").orElse(true) ? QueryKeyValueBias.ALL : QueryKeyValueBias.NONE,
                layer4, layer5);
    }

    /**
     * MobileViT's {@code make_divisible(value, 8)}: the nearest multiple of 8 (at least 8), raised by 8 when rounding
     * down lost more than 10 %.
     */
    static long makeDivisible(double value) {
        long divisor = 8;
        long rounded = Math.max(divisor, (long) (value + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * value) {
            rounded += divisor;
        }
        return rounded;
    }
}
