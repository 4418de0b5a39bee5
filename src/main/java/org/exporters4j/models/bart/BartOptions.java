package org.exporters4j.models.bart;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Head;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear.Bias;

/**
 * The config.json options the BART family builds from, read and checked once. Options whose values change the
 * computation in ways this family does not build are refused here, naming the option and its value.
 *
 * @param vocabSize rows of the encoder's token table
 * @param decoderVocabSize rows of the decoder's token table and columns of the logits
 * @param hiddenSize {@code d_model}
 * @param embedScale {@code √d_model} when {@code scale_embedding}, else 1
 * @param paddingIndex {@code pad_token_id} (M2M-100's positions count from it)
 * @param eosTokenId {@code eos_token_id} (sequence classification pools the last EOS); −1 when unset
 * @param projectionBias whether the attention projections add a bias: always, but BigBirdPegasus's only with
 *     {@code use_bias} (false by default)
 */
record BartOptions(long vocabSize, long decoderVocabSize, long hiddenSize, int encoderLayers, int decoderLayers,
                   int encoderHeads, int decoderHeads, long encoderFfnSize, long decoderFfnSize, Activation activation,
                   long maxPositions, double embedScale, long paddingIndex, long eosTokenId, Sharing sharing,
                   Bias projectionBias, EmbeddingTie tie) {

    /** nn.LayerNorm's default epsilon: every norm of these models is built with it. */
    static final double LAYER_NORM_EPSILON = 1e-5;

    /** Whether encoder and decoder read one token table. */
    enum Sharing {
        SHARED,
        /** Marian with {@code share_encoder_decoder_embeddings: false}. */
        SEPARATE
    }

    static BartOptions read(ModelConfig config, String modelType, BartFlavor flavor, Head head) {
        String source = config.source();
        long hiddenSize = config.intValue("d_model");
        int encoderHeads = heads(config, "encoder_attention_heads", hiddenSize);
        int decoderHeads = heads(config, "decoder_attention_heads", hiddenSize);
        int encoderLayers = LayerStack.count(config, "encoder_layers");
        int decoderLayers = LayerStack.count(config, "decoder_layers");
        Bias bias = Bias.WITH_BIAS;
        if (flavor.encoderAttention() == BartFlavor.EncoderAttention.BIG_BIRD) {
            String attentionType = config.optionalString("attention_type").orElse("block_sparse");
            if (!attentionType.equals("original_full")) {
                int blockSize = config.optionalInt("block_size").orElse(64);
                int randomBlocks = config.optionalInt("num_random_blocks").orElse(3);
                throw new UnsupportedConfigException(source + " sets attention_type \"" + attentionType
                        + "\": block-sparse attention is not exported (only \"original_full\" is); Transformers "
                        + "itself computes full attention for inputs up to (5 + 2 × num_random_blocks) × block_size = "
                        + (5 + 2 * randomBlocks) * blockSize + " tokens, so set \"attention_type\": \"original_full\""
                        + " to export that computation");
            }
            bias = Bias.when(config.optionalBoolean("use_bias").orElse(false));
        }
        long vocabSize = config.intValue("vocab_size");
        Sharing sharing = Sharing.SHARED;
        long decoderVocabSize = vocabSize;
        if (flavor.vocabularies() == BartFlavor.Vocabularies.SHARED_UNLESS_CONFIGURED
                && !config.optionalBoolean("share_encoder_decoder_embeddings").orElse(true)) {
            // as MarianModel: separate tables, the decoder's of decoder_vocab_size rows (default vocab_size)
            sharing = Sharing.SEPARATE;
            decoderVocabSize = config.optionalInt("decoder_vocab_size").orElse((int) vocabSize);
        }
        long paddingIndex = -1;
        if (flavor.positions() == BartFlavor.Positions.SINUSOIDAL_FROM_PADDING) {
            paddingIndex = config.optionalInt("pad_token_id").orElseThrow(() -> new UnsupportedConfigException(
                    source + " sets no pad_token_id, which " + modelType + " numbers its positions from; "
                            + "set \"pad_token_id\" (1 in the released checkpoints)"));
        }
        long eosTokenId = config.optionalInt("eos_token_id").orElse(-1);
        if (head == Head.SEQUENCE_CLASSIFICATION && eosTokenId < 0) {
            throw new UnsupportedConfigException(source + " sets no eos_token_id, but " + modelType
                    + " sequence classification pools the hidden state of each row's last EOS token; set "
                    + "\"eos_token_id\"");
        }
        long maxPositions = config.positiveInt("max_position_embeddings");
        double embedScale = config.optionalBoolean("scale_embedding").orElse(false) ? Math.sqrt(hiddenSize) : 1.0;
        return new BartOptions(vocabSize, decoderVocabSize, hiddenSize, encoderLayers, decoderLayers, encoderHeads,
                decoderHeads, config.intValue("encoder_ffn_dim"), config.intValue("decoder_ffn_dim"),
                Activation.fromConfig(config, "activation_function"), maxPositions, embedScale, paddingIndex,
                eosTokenId, sharing, bias, EmbeddingTie.of(config));
    }

    private static int heads(ModelConfig config, String key, long hiddenSize) {
        return AttentionHeads.of(config, "d_model", hiddenSize, key).heads();
    }


    long encoderHeadSize() {
        return hiddenSize / encoderHeads;
    }

    long decoderHeadSize() {
        return hiddenSize / decoderHeads;
    }
}
