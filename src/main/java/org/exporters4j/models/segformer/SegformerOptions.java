package org.exporters4j.models.segformer;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.Stages;

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
        Stages stages = new Stages(config.intValue("num_encoder_blocks"), "num_encoder_blocks", "SegformerEncoder");
        List<Integer> depths = stages.intList(config, "depths");
        List<Integer> sizes = stages.intList(config, "hidden_sizes");
        List<Integer> heads = stages.intList(config, "num_attention_heads");
        for (int stage = 0; stage < stages.count(); stage++) {
            if (heads.get(stage) <= 0 || sizes.get(stage) % heads.get(stage) != 0) {
                throw new UnsupportedConfigException(source + ": hidden_sizes[" + stage + "] " + sizes.get(stage)
                        + " is not a multiple of num_attention_heads[" + stage + "] " + heads.get(stage)
                        + "; Transformers refuses this config too");
            }
        }
        LastStage lastStage = config.optionalBoolean("reshape_last_stage").orElse(true) ? LastStage.IMAGE
                : LastStage.TOKENS;
        return new SegformerOptions(config.intValue("num_channels"), depths, stages.intList(config, "sr_ratios"),
                sizes, stages.intList(config, "patch_sizes"), stages.intList(config, "strides"), heads,
                stages.intList(config, "mlp_ratios"), Activation.fromConfig(config, "hidden_act"),
                config.intValue("decoder_hidden_size"), lastStage);
    }

    int stages() {
        return depths.size();
    }
}
