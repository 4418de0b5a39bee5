package org.exporters4j.models.segformer;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;

/**
 * The config.json options SegformerConfig defines (Transformers 4.25.1), one list entry per encoder stage.
 *
 * @param lastStage whether the last stage's output is reshaped to an image ({@code reshape_last_stage}, default true)
 */
record SegformerOptions(long channels, List<Integer> depths, List<Integer> srRatios, List<Integer> hiddenSizes,
                        List<Integer> patchSizes, List<Integer> strides, List<Integer> heads, List<Integer> mlpRatios,
                        Activation activation, long decoderHiddenSize, LastStage lastStage) {

    /** The shape of the last stage's output. */
    enum LastStage {
        /** {@code [batch, channels, height, width]}. */
        IMAGE,
        /** {@code [batch, tokens, channels]} ({@code reshape_last_stage: false}). */
        TOKENS
    }

    SegformerOptions {
        depths = List.copyOf(depths);
        srRatios = List.copyOf(srRatios);
        hiddenSizes = List.copyOf(hiddenSizes);
        patchSizes = List.copyOf(patchSizes);
        strides = List.copyOf(strides);
        heads = List.copyOf(heads);
        mlpRatios = List.copyOf(mlpRatios);
    }

    static SegformerOptions read(ModelConfig config) {
        String source = config.source();
        int stages = config.intValue("num_encoder_blocks");
        List<Integer> depths = stageList(config, "depths", stages);
        List<Integer> sizes = stageList(config, "hidden_sizes", stages);
        List<Integer> heads = stageList(config, "num_attention_heads", stages);
        for (int stage = 0; stage < stages; stage++) {
            if (heads.get(stage) <= 0 || sizes.get(stage) % heads.get(stage) != 0) {
                throw new UnsupportedConfigException(source + ": hidden_sizes[" + stage + "] " + sizes.get(stage)
                        + " is not a multiple of num_attention_heads[" + stage + "] " + heads.get(stage)
                        + "; Transformers refuses this config too");
            }
        }
        LastStage lastStage = config.optionalBoolean("reshape_last_stage").orElse(true) ? LastStage.IMAGE
                : LastStage.TOKENS;
        return new SegformerOptions(config.intValue("num_channels"), depths, stageList(config, "sr_ratios", stages),
                sizes, stageList(config, "patch_sizes", stages), stageList(config, "strides", stages), heads,
                stageList(config, "mlp_ratios", stages), Activation.fromConfig(config, "hidden_act"),
                config.intValue("decoder_hidden_size"), lastStage);
    }

    int stages() {
        return depths.size();
    }

    private static List<Integer> stageList(ModelConfig config, String key, int stages) {
        List<Integer> values = config.intList(key);
        if (stages < 1 || values.size() < stages) {
            throw new UnsupportedConfigException(config.source() + " sets " + key + " " + values + " for "
                    + "num_encoder_blocks " + stages + "; SegformerEncoder needs one entry per stage");
        }
        return values.subList(0, stages);
    }
}
