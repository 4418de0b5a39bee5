package org.exporters4j.models.t5;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.RelativePositionBuckets;

/**
 * The config.json options the T5 family builds from, read and checked once (Transformers 4.25.1's
 * {@code T5Config}, {@code MT5Config} and {@code LongT5Config}; their defaults come from {@link ModelConfig}).
 * Options Transformers itself rejects, and options this family does not build, are refused here, naming the option
 * and its value.
 *
 * @param vocabSize rows of {@code shared.weight}
 * @param modelSize {@code d_model}
 * @param keyValueSize {@code d_kv}, the width of one attention head (need not be {@code d_model / num_heads})
 * @param feedForwardSize {@code d_ff}
 * @param encoderLayers {@code num_layers}
 * @param decoderLayers {@code num_decoder_layers} (defaults to {@code num_layers})
 * @param heads {@code num_heads}
 * @param buckets the relative position bucket table, from {@code relative_attention_num_buckets} and
 *     {@code relative_attention_max_distance}
 * @param layerNormEpsilon {@code layer_norm_epsilon}
 * @param activation {@code dense_act_fn}
 * @param feedForward plain or gated, from {@code is_gated_act}
 * @param tie {@code tie_word_embeddings}: the LM head is {@code shared.weight}, after rescaling by
 *     {@code d_model ** -0.5}
 * @param encoderSelfAttention the encoder's self-attention
 * @param blockLength LongT5's local block length {@code local_radius + 1}; 0 for full attention
 * @param globalBlockSize LongT5's {@code global_block_size} (tokens summed into one global token) for
 *     transient-global attention; 0 otherwise
 */
record T5Options(long vocabSize, long modelSize, long keyValueSize, long feedForwardSize, int encoderLayers,
                 int decoderLayers, int heads, RelativePositionBuckets buckets, double layerNormEpsilon,
                 Activation activation, FeedForward feedForward, EmbeddingTie tie,
                 EncoderSelfAttention encoderSelfAttention, long blockLength, long globalBlockSize) {

    /** The feed-forward block ({@code T5LayerFF.DenseReluDense}). */
    enum FeedForward {
        /** {@code T5DenseActDense}: {@code wo(act(wi(x)))}. */
        PLAIN,
        /** {@code T5DenseGatedActDense}: {@code wo(act(wi_0(x)) · wi_1(x))}. */
        GATED
    }

    /** The encoder's self-attention as built. */
    enum EncoderSelfAttention {
        /** {@code T5Attention} over the whole sequence. */
        FULL,
        /** {@code LongT5LocalAttention}: blocks of {@code blockLength}, each attending to three blocks. */
        LOCAL,
        /**
         * {@code LongT5TransientGlobalAttention}: the local blocks, and every token also attends to the global tokens,
         * one per {@code globalBlockSize} tokens (their sum, layer-normed).
         */
        TRANSIENT_GLOBAL
    }

    static T5Options read(ModelConfig config, T5Flavor flavor) {
        String source = config.source();
        checkFeedForwardProjection(config);
        int heads = config.positiveInt("num_heads");
        long modelSize = config.positiveInt("d_model");
        long keyValueSize = config.positiveInt("d_kv");
        long feedForwardSize = config.positiveInt("d_ff");
        long vocabSize = config.positiveInt("vocab_size");
        int encoderLayers = LayerStack.count(config, "num_layers");
        int decoderLayers = LayerStack.count(config, "num_decoder_layers");
        int numBuckets = config.intValue("relative_attention_num_buckets");
        int maxDistance = config.intValue("relative_attention_max_distance");
        if (numBuckets < 4) {
            throw new UnsupportedConfigException(source + " sets relative_attention_num_buckets " + numBuckets
                    + ": the encoder's bidirectional buckets need at least 2 per direction (Transformers divides by "
                    + "zero below 4); use 4 or more (T5 uses 32)");
        }
        if (maxDistance <= numBuckets / 2 || maxDistance > RelativePositionBuckets.MAX_DISTANCE_LIMIT) {
            throw new UnsupportedConfigException(source + " sets relative_attention_max_distance " + maxDistance
                    + " with relative_attention_num_buckets " + numBuckets + ": the logarithmic buckets need a "
                    + "maximum distance above num_buckets / 2 = " + numBuckets / 2 + " (below it Transformers "
                    + "computes negative or undefined buckets) and at most " + RelativePositionBuckets.MAX_DISTANCE_LIMIT
                    + "; use a value in that range (T5 uses 128)");
        }
        double epsilon = config.doubleValue("layer_norm_epsilon");
        if (!(epsilon > 0)) {
            throw new UnsupportedConfigException(source + " sets layer_norm_epsilon " + epsilon
                    + "; it must be positive (T5 uses 1e-6)");
        }
        Activation activation = Activation.fromConfig(config, "dense_act_fn");
        FeedForward feedForward = config.booleanValue("is_gated_act") ? FeedForward.GATED : FeedForward.PLAIN;
        EncoderSelfAttention encoderSelfAttention = EncoderSelfAttention.FULL;
        long blockLength = 0;
        long globalBlockSize = 0;
        if (flavor.encoderAttention() == T5Flavor.EncoderAttention.LONG_T5) {
            String type = config.stringValue("encoder_attention_type");
            encoderSelfAttention = switch (type) {
                case "local" -> EncoderSelfAttention.LOCAL;
                case "transient-global" -> EncoderSelfAttention.TRANSIENT_GLOBAL;
                default -> throw new UnsupportedConfigException(source + " sets encoder_attention_type \"" + type
                        + "\", which LongT5 does not have (Transformers raises for it too); use \"local\" or "
                        + "\"transient-global\"");
            };
            int radius = config.intAtLeast("local_radius", 0, "LongT5 uses 127");
            blockLength = radius + 1L;
            if (encoderSelfAttention == EncoderSelfAttention.TRANSIENT_GLOBAL) {
                globalBlockSize = config.intAtLeast("global_block_size", 1, "transient-global attention sums that "
                        + "many tokens into each global token; LongT5 uses 16");
            }
        }
        return new T5Options(vocabSize, modelSize, keyValueSize, feedForwardSize, encoderLayers, decoderLayers, heads,
                new RelativePositionBuckets(numBuckets, maxDistance), epsilon, activation, feedForward,
                EmbeddingTie.of(config), encoderSelfAttention, blockLength, globalBlockSize);
    }

    /** {@code num_heads × d_kv}, the width of the attention projections. */
    long innerSize() {
        return heads * keyValueSize;
    }

    /**
     * As T5Config.__init__ (4.25.1) checks it: {@code feed_forward_proj} is {@code ACT} or {@code gated-ACT}; the
     * activation itself is {@code dense_act_fn}, which a saved config repeats and which is checked by name.
     */
    private static void checkFeedForwardProjection(ModelConfig config) {
        String projection = config.stringValue("feed_forward_proj");
        String[] parts = projection.split("-", -1);
        if ((parts.length > 1 && !parts[0].equals("gated")) || parts.length > 2) {
            throw new UnsupportedConfigException(config.source() + " sets feed_forward_proj \"" + projection
                    + "\", which is not an activation of the dense layer (Transformers raises for it too); use "
                    + "\"ACT\" or \"gated-ACT\", e.g. \"relu\" or \"gated-gelu\"");
        }
    }
}
