package org.exporters4j.models.clip;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;

/**
 * The options of one CLIP-style transformer tower (a {@code text_config} or {@code vision_config}), read and checked
 * once: sizes, the activation of the feed-forward block and the layer norm epsilon.
 *
 * @param hiddenSize {@code hidden_size}
 * @param layers {@code num_hidden_layers}
 * @param heads {@code num_attention_heads}
 * @param intermediateSize {@code intermediate_size} (the feed-forward width)
 * @param activation {@code hidden_act}
 * @param layerNormEps {@code layer_norm_eps}
 */
public record TowerOptions(long hiddenSize, int layers, int heads, long intermediateSize, Activation activation,
                           double layerNormEps) {

    /** The tower options of {@code config} (a sub-configuration, resolved with its own model type's defaults). */
    public static TowerOptions read(ModelConfig config) {
        long hiddenSize = config.intValue("hidden_size");
        int heads = config.intValue("num_attention_heads");
        if (heads <= 0 || hiddenSize % heads != 0) {
            // as CLIPAttention.__init__, which raises for this
            throw new UnsupportedConfigException(config.source() + ": hidden_size " + hiddenSize + " is not a "
                    + "multiple of num_attention_heads " + heads + "; Transformers refuses this config too");
        }
        int layers = config.intValue("num_hidden_layers");
        if (layers < 0) {
            throw new UnsupportedConfigException(config.source() + " sets num_hidden_layers " + layers
                    + "; it must be 0 or more");
        }
        return new TowerOptions(hiddenSize, layers, heads, config.intValue("intermediate_size"),
                Activation.fromConfig(config, "hidden_act"), config.doubleValue("layer_norm_eps"));
    }

    public long headSize() {
        return hiddenSize / heads;
    }
}
