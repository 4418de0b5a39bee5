package org.exporters4j.models;

import org.exporters4j.checkpoint.ModelConfig;

/**
 * Whether a language-model head's output embedding is the input embedding table ({@code tie_word_embeddings},
 * true by default in {@code PretrainedConfig}). When tied, Transformers' {@code tie_weights} makes the decoder use
 * the embedding table whatever the checkpoint holds under the decoder's name, so the graph reads the table (once).
 */
public enum EmbeddingTie {
    TIED,
    UNTIED;

    public static EmbeddingTie of(ModelConfig config) {
        return config.optionalBoolean("tie_word_embeddings").orElse(true) ? TIED : UNTIED;
    }

    /** The tensor the decoder reads: {@code embeddingTable} when tied, else {@code decoderWeight}. */
    public String decoderWeight(String embeddingTable, String decoderWeight) {
        return this == TIED ? embeddingTable : decoderWeight;
    }
}
