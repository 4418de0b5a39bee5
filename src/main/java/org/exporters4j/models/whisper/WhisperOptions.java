package org.exporters4j.models.whisper;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.LayerStack;

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
        int encoderLayers = LayerStack.count(config, "encoder_layers");
        int decoderLayers = LayerStack.count(config, "decoder_layers");
        return new WhisperOptions(modelSize, config.intValue("vocab_size"), config.intValue("num_mel_bins"),
                config.intValue("max_source_positions"), config.intValue("max_target_positions"),
                encoderLayers, encoderHeads, config.intValue("encoder_ffn_dim"), decoderLayers, decoderHeads,
                config.intValue("decoder_ffn_dim"), Activation.fromConfig(config, "activation_function"),
                EmbeddingTie.of(config));
    }

    private static int heads(ModelConfig config, String key, long modelSize) {
        return AttentionHeads.of(config, "d_model", modelSize, key).heads();
    }
}
