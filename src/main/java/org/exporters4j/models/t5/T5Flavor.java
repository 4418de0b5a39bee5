package org.exporters4j.models.t5;

import java.util.Objects;

/**
 * What one model type of the T5 family does differently, as data. The rows are in
 * the model-type table ({@code tasks.ModelTypes}).
 *
 * @param encoderAttention how the encoder's self-attention is built
 */
public record T5Flavor(EncoderAttention encoderAttention) {

    /** The encoder's self-attention module. */
    public enum EncoderAttention {
        /** {@code T5Attention} over the whole sequence ({@code layer.0.SelfAttention}): t5, mt5. */
        FULL,
        /**
         * LongT5's, chosen by config.json's {@code encoder_attention_type}: {@code local}
         * ({@code layer.0.LocalSelfAttention}, blocks of {@code local_radius + 1} tokens attending to their own and
         * both neighbouring blocks) or {@code transient-global}
         * ({@code layer.0.TransientGlobalSelfAttention}: the same blocks, and global tokens summed over
         * {@code global_block_size} tokens).
         */
        LONG_T5
    }

    public T5Flavor {
        Objects.requireNonNull(encoderAttention, "encoderAttention");
    }
}
