package org.exporters4j.tasks;

/**
 * A model dimension an export configuration reads from {@code config.json}, independent of what the model type
 * calls it; the Java counterpart of the attributes of Optimum's {@code NormalizedConfig}. Each model type's row
 * names the stored Transformers attribute(s) behind each one ({@link ConfigAttributes}).
 */
enum ConfigAttribute {
    /** Token vocabulary: token ids are drawn below it. */
    VOCAB_SIZE,
    /** Width of the decoder's hidden states; the cache's head dimension is this over the head count. */
    HIDDEN_SIZE,
    /** Decoder layers: one cache entry per layer. */
    NUM_LAYERS,
    /** Attention heads of the decoder's (self- and cross-) attention. */
    NUM_ATTENTION_HEADS,
    /**
     * Key/value heads of a grouped-query decoder (Llama's {@code num_key_value_heads}): the cache holds this many
     * heads; without it, {@link #NUM_ATTENTION_HEADS}.
     */
    NUM_KEY_VALUE_HEADS,
    /** Per-head key/value width where the model sets it apart from the hidden size (T5's {@code d_kv}). */
    KEY_VALUE_DIM,
    /** End-of-sequence token id (BART-style sequence classification pools at it). */
    EOS_TOKEN_ID,
    /** Segment vocabulary: token type ids are drawn below it; DeBERTa has none when it is 0. */
    TYPE_VOCAB_SIZE,
    /** Image side (an int) or (height, width). */
    IMAGE_SIZE,
    /** Image channels. */
    NUM_CHANNELS,
    /** Bound of LayoutLM box coordinates. */
    MAX_2D_POSITION_EMBEDDINGS,
    /** Mel bins of speech input features. */
    NUM_MEL_BINS,
    /** Encoder positions of a speech model; its input has twice as many frames (stride-2 convolution). */
    MAX_SOURCE_POSITIONS
}
