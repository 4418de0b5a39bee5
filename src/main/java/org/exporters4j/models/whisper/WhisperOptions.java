package org.exporters4j.models.whisper;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;

/**
 * The config.json options Whisper builds from, read and checked once.
 *
 * <p>{@code scale_embedding} is read by Transformers 4.25.1's Whisper modules into {@code embed_scale} but never
 * applied in their forward, so it changes nothing here either.
 */
record WhisperOptions(long modelSize, long vocabSize, long melBins, long sourcePositions, long targetPositions,
                      int encoderLayers, int encoderHeads, long encoderFeedForward, int decoderLayers,
                      int decoderHeads, long decoderFeedForward, Activation activation, EmbeddingTie tie) {

    /** Transformers' Whisper layer norms are {@code nn.LayerNorm(d_model)} with PyTorch's default epsilon. */
    static final double LAYER_NORM_EPS = 1e-5;

    static WhisperOptions read(ModelConfig config) {
        long modelSize = config.intValue("d_model");
        int encoderHeads = heads(config, "encoder_attention_heads", modelSize);
        int decoderHeads = heads(config, "decoder_attention_heads", modelSize);
        int encoderLayers = layers(config, "encoder_layers");
        int decoderLayers = layers(config, "decoder_layers");
        return new WhisperOptions(modelSize, config.intValue("vocab_size"), config.intValue("num_mel_bins"),
                config.intValue("max_source_positions"), config.intValue("max_target_positions"),
                encoderLayers, encoderHeads, config.intValue("encoder_ffn_dim"), decoderLayers, decoderHeads,
                config.intValue("decoder_ffn_dim"), Activation.fromConfig(config, "activation_function"),
                EmbeddingTie.of(config));
    }

    private static int heads(ModelConfig config, String key, long modelSize) {
        return AttentionHeads.of(config, "d_model", modelSize, key).heads();
    }

    private static int layers(ModelConfig config, String key) {
        int layers = config.intValue(key);
        if (layers < 0) {
            throw new UnsupportedConfigException(config.source() + " sets " + key + " " + layers
                    + "; it must be 0 or more");
        }
        return layers;
    }
}
