package org.exporters4j.models.bart;

import java.util.Objects;

/**
 * What one model type of the BART family does differently, as data. The rows are in
 * the model-type table ({@code tasks.ModelTypes}).
 *
 * @param positions how positions are embedded
 * @param layerNorms where each layer's norms sit
 * @param embeddingNorm whether and where {@code layernorm_embedding} normalizes the embeddings
 * @param finalNorm the norm closing each stack, if any
 * @param encoderAttention the module (and weight names) of the encoder's self-attention
 * @param vocabularies whether encoder and decoder may have vocabularies of their own
 * @param logitsBias whether the language-model head adds the {@code final_logits_bias} buffer
 * @param decoderStart how the model makes the decoder's tokens from {@code input_ids} when none are given (the
 *     classification and question-answering heads of Optimum 1.25.3's interface take none)
 */
public record BartFlavor(Positions positions, LayerNorms layerNorms, EmbeddingNorm embeddingNorm,
                         FinalNorm finalNorm, EncoderAttention encoderAttention, Vocabularies vocabularies,
                         LogitsBias logitsBias, DecoderStart decoderStart) {

    /** How {@code decoder_input_ids} follow from {@code input_ids} when the caller gives none. */
    public enum DecoderStart {
        /**
         * {@code shift_tokens_right(input_ids, pad_token_id, decoder_start_token_id)}: the start token, then
         * {@code input_ids} without its last token ({@code -100} read as padding) (BART and most of the family).
         */
        START_TOKEN,
        /**
         * mBART's {@code shift_tokens_right(input_ids, pad_token_id)}: each row's last non-padding token (its
         * language id) first, then {@code input_ids} without its last token.
         */
        LAST_TOKEN
    }

    /** How token positions are embedded (each model's {@code *PositionalEmbedding}). */
    public enum Positions {
        /**
         * A learned table with rows {@code 0 … max_position_embeddings + 1}, position {@code p} at row {@code p + 2}
         * ({@code BartLearnedPositionalEmbedding}, {@code MBartLearnedPositionalEmbedding}).
         */
        LEARNED_FROM_2(2),
        /** A learned table, position {@code p} at row {@code p} (Blenderbot, BlenderbotSmall, BigBirdPegasus). */
        LEARNED(0),
        /**
         * Marian's frozen sinusoids ({@code MarianSinusoidalPositionalEmbedding}): sines in the first half of the
         * columns, cosines in the second, position {@code p} at row {@code p}.
         */
        SINUSOIDAL(0),
        /**
         * fairseq's sinusoids ({@code M2M100SinusoidalPositionalEmbedding}): positions numbered from
         * {@code pad_token_id + 1} over non-padding tokens, padding tokens at the (zero) row {@code pad_token_id};
         * the table has {@code max_position_embeddings + 2} rows.
         */
        SINUSOIDAL_FROM_PADDING(2);

        private final int offset;

        Positions(int offset) {
            this.offset = offset;
        }

        /** The rows the table has beyond {@code max_position_embeddings}. */
        public int offset() {
            return offset;
        }
    }

    /** Where each layer's layer norms sit. */
    public enum LayerNorms {
        /** After each residual sum: {@code norm(x + sublayer(x))} (BART, Marian, BlenderbotSmall). */
        POST,
        /** Before each sub-layer: {@code x + sublayer(norm(x))}, and a final norm per stack (mBART, Blenderbot …). */
        PRE
    }

    /** Whether and where {@code layernorm_embedding} normalizes the embeddings. */
    public enum EmbeddingNorm {
        /** No embedding norm (Marian, M2M-100, Blenderbot, BigBirdPegasus). */
        NONE,
        /** {@code layernorm_embedding(tokens + positions)} in both stacks (BART, mBART). */
        AFTER_POSITIONS,
        /**
         * BlenderbotSmall: the encoder normalizes {@code tokens + positions}, the decoder normalizes the token
         * embeddings and then adds the positions.
         */
        ENCODER_AFTER_DECODER_BEFORE_POSITIONS
    }

    /** The norm closing each stack. */
    public enum FinalNorm {
        NONE(""),
        /** {@code encoder.layer_norm} / {@code decoder.layer_norm} (mBART, M2M-100, Blenderbot). */
        LAYER_NORM("layer_norm"),
        /** BigBirdPegasus names its final norms {@code encoder.layernorm_embedding} / {@code decoder.layernorm_embedding}. */
        LAYERNORM_EMBEDDING("layernorm_embedding");

        private final String module;

        FinalNorm(String module) {
            this.module = module;
        }

        /** The module name under the stack, e.g. {@code layer_norm}. */
        public String module() {
            return module;
        }
    }

    /** The encoder's self-attention module. */
    public enum EncoderAttention {
        /**
         * {@code self_attn.q_proj/k_proj/v_proj/out_proj}; the query is scaled by {@code head_dim^-0.5} before the
         * product ({@code BartAttention}).
         */
        BART,
        /**
         * {@code self_attn.self.query/key/value} and {@code self_attn.output}; the scores are divided by
         * {@code √head_dim} after the product (BigBirdPegasus's {@code original_full} attention). Projection biases
         * follow {@code use_bias}, in the decoder too.
         */
        BIG_BIRD
    }

    /** Whether the encoder and decoder may have vocabularies of their own. */
    public enum Vocabularies {
        /** One {@code shared} table for encoder, decoder (and the tied output embedding). */
        SHARED,
        /**
         * Marian: {@code share_encoder_decoder_embeddings} false gives the decoder its own table of
         * {@code decoder_vocab_size} rows, which the output embedding is tied to.
         */
        SHARED_UNLESS_CONFIGURED
    }

    /** Whether the language-model head adds a bias to its logits. */
    public enum LogitsBias {
        /** {@code lm_head} only (M2M-100). */
        NONE,
        /** {@code lm_head} plus the {@code final_logits_bias} buffer {@code [1, vocab]} (zeros when not saved). */
        FINAL_LOGITS_BIAS
    }

    public BartFlavor {
        Objects.requireNonNull(positions, "positions");
        Objects.requireNonNull(layerNorms, "layerNorms");
        Objects.requireNonNull(embeddingNorm, "embeddingNorm");
        Objects.requireNonNull(finalNorm, "finalNorm");
        Objects.requireNonNull(encoderAttention, "encoderAttention");
        Objects.requireNonNull(vocabularies, "vocabularies");
        Objects.requireNonNull(logitsBias, "logitsBias");
        Objects.requireNonNull(decoderStart, "decoderStart");
    }
}
