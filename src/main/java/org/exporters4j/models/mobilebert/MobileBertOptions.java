package org.exporters4j.models.mobilebert;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.BertEmbeddings;
import org.exporters4j.models.blocks.BertStyleEncoder;
import org.exporters4j.models.blocks.LayerStack;

/**
 * The MobileBertConfig options the graph is built from, read and checked once (Transformers 4.25.1). Configurations
 * Transformers' own forward fails on are refused, naming the option.
 *
 * @param trueHiddenSize the width inside each layer ({@code intra_bottleneck_size} with a bottleneck)
 * @param feedForwardNetworks {@code num_feedforward_networks}: the extra FFN layers are this minus one
 */
record MobileBertOptions(long vocabSize, long embeddingSize, long hiddenSize, long trueHiddenSize,
                         long intraBottleneckSize, int layers, int heads, long intermediateSize,
                         Activation hiddenActivation, long typeVocabSize, long maxPositions, double layerNormEps,
                         Normalization.Kind normalization, TokenInput tokenInput, AttentionInputs attentionInputs,
                         int feedForwardNetworks, Pooling pooling, AttentionDirection direction, EmbeddingTie tie)
        implements BertStyleEncoder.Options {

    /** How token embeddings enter ({@code trigram_input}). */
    enum TokenInput {
        /** Each token's embedding concatenated with its right and left neighbours' (zero at the ends). */
        TRIGRAM,
        /** The token's embedding alone. */
        SINGLE
    }

    /** Where a layer's attention inputs come from ({@code use_bottleneck}, {@code use_bottleneck_attention}, …). */
    enum AttentionInputs {
        /** {@code use_bottleneck: false}: query, key, value and residual are the layer input. */
        NO_BOTTLENECK,
        /** {@code use_bottleneck_attention}: all four are the input bottleneck's output. */
        BOTTLENECKED,
        /**
         * {@code key_query_shared_bottleneck}: query and key through {@code bottleneck.attention}, value from the
         * layer input, residual through {@code bottleneck.input}.
         */
        SHARED_QUERY_KEY_BOTTLENECK,
        /** Query, key and value from the layer input; only the residual goes through {@code bottleneck.input}. */
        RESIDUAL_BOTTLENECK
    }

    /** The pooler ({@code classifier_activation}). */
    enum Pooling {
        /** {@code pooler.dense} and tanh on the first token. */
        DENSE_TANH,
        /** The first token as is. */
        FIRST_TOKEN
    }

    MobileBertOptions {
        Objects.requireNonNull(normalization, "normalization");
        Objects.requireNonNull(tokenInput, "tokenInput");
        Objects.requireNonNull(attentionInputs, "attentionInputs");
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(tie, "tie");
    }

    static MobileBertOptions read(ModelConfig config) {
        String source = config.source();
        long hidden = config.intValue("hidden_size");
        boolean bottleneck = config.booleanValue("use_bottleneck");
        // MobileBertConfig.__init__ sets true_hidden_size last, over any value config.json holds
        long trueHidden = bottleneck ? config.intValue("intra_bottleneck_size") : hidden;
        // true_hidden_size: intra_bottleneck_size with a bottleneck, else hidden_size
        int heads = AttentionHeads.of(config, "true_hidden_size", trueHidden, "num_attention_heads").heads();
        String normalizationType = config.stringValue("normalization_type");
        Normalization.Kind normalization = switch (normalizationType) {
            case "no_norm" -> Normalization.Kind.NO_NORM;
            case "layer_norm" -> Normalization.Kind.LAYER_NORM;
            default -> throw new UnsupportedConfigException(source + " sets normalization_type \"" + normalizationType
                    + "\", which MobileBERT's NORM2FN does not have; use \"no_norm\" or \"layer_norm\"");
        };
        AttentionInputs attentionInputs;
        if (!bottleneck) {
            attentionInputs = AttentionInputs.NO_BOTTLENECK;
        } else if (config.booleanValue("use_bottleneck_attention")) {
            attentionInputs = AttentionInputs.BOTTLENECKED;
        } else if (config.booleanValue("key_query_shared_bottleneck")) {
            attentionInputs = AttentionInputs.SHARED_QUERY_KEY_BOTTLENECK;
        } else {
            attentionInputs = AttentionInputs.RESIDUAL_BOTTLENECK;
        }
        if (attentionInputs == AttentionInputs.RESIDUAL_BOTTLENECK && trueHidden != hidden) {
            throw new UnsupportedConfigException(source + ": with use_bottleneck and neither "
                    + "use_bottleneck_attention nor key_query_shared_bottleneck, the query and key layers take the "
                    + "hidden states (" + hidden + " wide) but are built for true_hidden_size " + trueHidden
                    + "; Transformers fails on this config too: set key_query_shared_bottleneck or "
                    + "use_bottleneck_attention to true");
        }
        int feedForwardNetworks = config.intAtLeast("num_feedforward_networks", 1,
                "MobileBERT layers have at least one feed-forward network");
        int layers = LayerStack.count(config, "num_hidden_layers");
        long typeVocabSize = BertEmbeddings.typeVocabSize(config);
        return new MobileBertOptions(config.intValue("vocab_size"), config.intValue("embedding_size"), hidden,
                trueHidden, config.intValue("intra_bottleneck_size"), layers, heads,
                config.intValue("intermediate_size"), Activation.fromConfig(config, "hidden_act"), typeVocabSize,
                config.intValue("max_position_embeddings"), config.doubleValue("layer_norm_eps"), normalization,
                config.booleanValue("trigram_input") ? TokenInput.TRIGRAM : TokenInput.SINGLE, attentionInputs,
                feedForwardNetworks,
                config.booleanValue("classifier_activation") ? Pooling.DENSE_TANH : Pooling.FIRST_TOKEN,
                config.optionalBoolean("is_decoder").orElse(false) ? AttentionDirection.CAUSAL
                        : AttentionDirection.BIDIRECTIONAL,
                EmbeddingTie.of(config));
    }

    long headSize() {
        return trueHiddenSize / heads;
    }
}
