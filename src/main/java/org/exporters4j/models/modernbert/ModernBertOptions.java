package org.exporters4j.models.modernbert;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear.Bias;

/**
 * The config.json options of {@code ModernBertConfig} the graph is built from, read and checked once. The dropouts
 * are the identity in eval mode; {@code reference_compile}, {@code deterministic_flash_attn},
 * {@code repad_logits_with_grad}, {@code sparse_prediction} (which needs labels) and {@code sparse_pred_ignore_index}
 * do not change what the model computes for Optimum's inputs.
 *
 * @param globalEvery {@code global_attn_every_n_layers}: layer {@code i} attends globally when
 *     {@code i % globalEvery == 0}, else within {@code local_attention / 2} tokens on either side
 * @param localWindow {@code local_attention}
 * @param globalRopeTheta {@code global_rope_theta}, the rotary base of the global layers
 * @param localRopeTheta {@code local_rope_theta}, that of the local layers ({@code global_rope_theta} when null, as
 *     {@code ModernBertAttention} takes it)
 * @param normBias {@code norm_bias}: whether the LayerNorms have a bias
 * @param pooling {@code classifier_pooling}
 */
record ModernBertOptions(long vocabSize, AttentionHeads attention, int layers, long intermediateSize,
                         Activation hiddenActivation, Activation classifierActivation, double normEps,
                         Bias normBias, Bias attentionBias, Bias mlpBias, Bias classifierBias, Bias decoderBias,
                         int globalEvery, long localWindow, double globalRopeTheta, double localRopeTheta,
                         Pooling pooling, EmbeddingTie tie) {

    /** {@code classifier_pooling}: what sequence classification reads of the last hidden state. */
    enum Pooling {
        /** The first token. */
        CLS,
        /** The mean over the tokens {@code attention_mask} keeps. */
        MEAN
    }

    static ModernBertOptions read(ModelConfig config) {
        String source = config.source();
        int every = config.intAtLeast("global_attn_every_n_layers", 1, "Transformers takes layer_id % it");
        long window = config.nonNegativeInt("local_attention");
        String pooling = config.stringValue("classifier_pooling");
        Pooling pool = switch (pooling) {
            case "cls" -> Pooling.CLS;
            case "mean" -> Pooling.MEAN;
            default -> throw new UnsupportedConfigException(source + " sets classifier_pooling \"" + pooling
                    + "\"; ModernBertConfig accepts \"cls\" or \"mean\"");
        };
        double globalTheta = config.doubleValue("global_rope_theta");
        double localTheta = config.optionalDouble("local_rope_theta").orElse(globalTheta);
        return new ModernBertOptions(config.intValue("vocab_size"),
                AttentionHeads.read(config, "hidden_size", "num_attention_heads"),
                LayerStack.count(config, "num_hidden_layers"), config.intValue("intermediate_size"),
                Activation.fromConfig(config, "hidden_activation"),
                Activation.fromConfig(config, "classifier_activation"), config.doubleValue("norm_eps"),
                bias(config, "norm_bias"), bias(config, "attention_bias"), bias(config, "mlp_bias"),
                bias(config, "classifier_bias"), bias(config, "decoder_bias"), every, window, globalTheta,
                localTheta, pool, EmbeddingTie.of(config));
    }

    private static Bias bias(ModelConfig config, String key) {
        return Bias.when(config.booleanValue(key));
    }

    long hidden() {
        return attention.width();
    }

    /** Whether layer {@code index} attends within the sliding window ({@code layer_id % every != 0}). */
    boolean isLocal(int index) {
        return index % globalEvery != 0;
    }
}
