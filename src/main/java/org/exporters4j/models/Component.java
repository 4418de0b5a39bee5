package org.exporters4j.models;

/**
 * Which part of an encoder-decoder model a graph holds, as Optimum 1.25.3's {@code optimum-cli export onnx} splits
 * one ({@code optimum/exporters/utils.py:get_encoder_decoder_models_for_export}): the whole model in one graph, the
 * encoder alone, the decoder's first step over the encoder's output, or a later decoder step over the cache.
 * Families that are not encoder-decoders build {@link #MODEL} only.
 */
public enum Component {
    /** The whole model in one graph (every family; a seq2seq model's encoder and decoder together). */
    MODEL,
    /**
     * The encoder alone ({@code model.get_encoder()}): its inputs ({@code input_ids}, {@code attention_mask}, or
     * Whisper's {@code input_features}) to {@code last_hidden_state}.
     */
    ENCODER,
    /**
     * The decoder without a cache input (the first step): {@code encoder_attention_mask}, the decoder's
     * {@code input_ids} and {@code encoder_hidden_states} to the head's output and, with past, the present cache of
     * every layer (self-attention and cross-attention).
     */
    DECODER,
    /**
     * The decoder over the cache of earlier steps: {@code encoder_attention_mask}, the step's {@code input_ids} and
     * {@code past_key_values.*} to the head's output and the self-attention's present cache; the cross-attention
     * reads its cached keys and values, so the encoder's output is not an input.
     */
    DECODER_WITH_PAST;

    /** Whether the graph reads the encoder's output instead of computing it (a decoder part). */
    public boolean readsEncoderOutput() {
        return this == DECODER || this == DECODER_WITH_PAST;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
