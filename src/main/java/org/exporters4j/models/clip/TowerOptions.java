package org.exporters4j.models.clip;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.LayerStack;

/**
 * The options of one CLIP-style transformer tower (a {@code text_config} or {@code vision_config}), read and checked
 * once: sizes and the activation of the feed-forward block. The towers' layer norms use PyTorch's default ε, as
 * Transformers 4.25.1 builds them ({@code nn.LayerNorm(embed_dim)}: {@code layer_norm_eps} is not applied).
 *
 * @param hiddenSize {@code hidden_size}
 * @param layers {@code num_hidden_layers}
 * @param heads {@code num_attention_heads}
 * @param intermediateSize {@code intermediate_size} (the feed-forward width)
 * @param activation {@code hidden_act}
 */
public record TowerOptions(long hiddenSize, int layers, int heads, long intermediateSize, Activation activation) {
    /** PyTorch's default {@code nn.LayerNorm} epsilon, which CLIP-style towers use in Transformers 4.25.1. */
    public static final double LAYER_NORM_EPS = 1e-5;

    /** The tower options of {@code config} (a sub-configuration, resolved with its own model type's defaults). */
    public static TowerOptions read(ModelConfig config) {
        AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
        long hiddenSize = split.width();
        int heads = split.heads();
        int layers = LayerStack.count(config, "num_hidden_layers");
        return new TowerOptions(hiddenSize, layers, heads, config.intValue("intermediate_size"),
                Activation.fromConfig(config, "hidden_act"));
    }

    public long headSize() {
        return hiddenSize / heads;
    }
}
