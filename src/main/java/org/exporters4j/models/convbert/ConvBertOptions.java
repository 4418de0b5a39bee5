package org.exporters4j.models.convbert;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.BertEmbeddings;
import org.exporters4j.models.blocks.BertStyleEncoder;
import org.exporters4j.models.blocks.LayerStack;

/**
 * The ConvBertConfig options the graph is built from, read and checked once (Transformers 4.25.1). Configurations
 * Transformers' own forward fails on are refused, naming the option.
 *
 * @param attentionHeads the self-attention heads, {@code num_attention_heads // head_ratio} (1 when that is 0)
 * @param headSize {@code hidden_size // num_attention_heads}, the width of a self-attention and of a convolution head
 */
record ConvBertOptions(long vocabSize, long embeddingSize, long hiddenSize, int layers, int attentionHeads,
                       long headSize, int convKernelSize, int groups, long intermediateSize,
                       Activation hiddenActivation, long typeVocabSize, long maxPositions, double layerNormEps,
                       AttentionDirection direction, EmbeddingTie tie) implements BertStyleEncoder.Options {

    ConvBertOptions {
        Objects.requireNonNull(hiddenActivation, "hiddenActivation");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(tie, "tie");
    }

    static ConvBertOptions read(ModelConfig config) {
        String source = config.source();
        long hidden = config.intValue("hidden_size");
        int heads = config.intValue("num_attention_heads");
        int headRatio = config.intValue("head_ratio");
        if (heads <= 0 || headRatio <= 0) {
            throw new UnsupportedConfigException(source + " sets num_attention_heads " + heads + " and head_ratio "
                    + headRatio + "; both must be 1 or more");
        }
        // ConvBertSelfAttention: num_attention_heads // head_ratio self-attention heads; below 1, one head and
        // head_ratio = num_attention_heads
        int attentionHeads = heads / headRatio;
        int effectiveRatio = headRatio;
        if (attentionHeads < 1) {
            attentionHeads = 1;
            effectiveRatio = heads;
        }
        long headSize = hidden / heads;
        long allHeads = attentionHeads * headSize;
        // the context is the attention heads and as many convolution heads, viewed as head_ratio × all_head_size
        // and read by a hidden_size → hidden_size dense layer
        if (effectiveRatio != 2 || 2 * allHeads != hidden) {
            throw new UnsupportedConfigException(source + " sets num_attention_heads " + heads + ", head_ratio "
                    + headRatio + " and hidden_size " + hidden + ": ConvBERT concatenates " + attentionHeads
                    + " attention heads with as many convolution heads (" + 2 * allHeads + " features) and views "
                    + "them as head_ratio × " + allHeads + " features for a " + hidden + "-wide dense layer, which "
                    + "Transformers' forward fails on unless head_ratio is 2 and num_attention_heads is even and "
                    + "divides hidden_size; use such a config");
        }
        int kernel = config.intValue("conv_kernel_size");
        if (kernel < 1 || kernel % 2 == 0) {
            throw new UnsupportedConfigException(source + " sets conv_kernel_size " + kernel + ": the separable "
                    + "convolution pads kernel // 2 on each side, so an even kernel lengthens the sequence by one "
                    + "and Transformers' forward fails; use an odd size");
        }
        int groups = config.intValue("num_groups");
        long intermediate = config.intValue("intermediate_size");
        if (groups < 1 || hidden % groups != 0 || intermediate % groups != 0) {
            throw new UnsupportedConfigException(source + " sets num_groups " + groups + ", which must divide "
                    + "hidden_size " + hidden + " and intermediate_size " + intermediate + " (GroupedLinearLayer "
                    + "splits both into equal groups)");
        }
        int layers = LayerStack.count(config, "num_hidden_layers");
        long typeVocabSize = BertEmbeddings.typeVocabSize(config);
        return new ConvBertOptions(config.intValue("vocab_size"), config.intValue("embedding_size"), hidden, layers,
                attentionHeads, headSize, kernel, groups, intermediate, Activation.fromConfig(config, "hidden_act"),
                typeVocabSize, config.intValue("max_position_embeddings"), config.doubleValue("layer_norm_eps"),
                config.optionalBoolean("is_decoder").orElse(false) ? AttentionDirection.CAUSAL
                        : AttentionDirection.BIDIRECTIONAL,
                EmbeddingTie.of(config));
    }

    /** {@code all_head_size}: the width of the query, key, value and convolution projections. */
    long allHeadSize() {
        return attentionHeads * headSize;
    }
}
