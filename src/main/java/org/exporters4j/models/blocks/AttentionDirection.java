package org.exporters4j.models.blocks;

/** Which keys a query position may attend to, besides the attention mask. */
public enum AttentionDirection {
    /** Every unmasked position (an encoder). */
    BIDIRECTIONAL,
    /** Unmasked positions up to and including its own (a decoder: {@code config.is_decoder}). */
    CAUSAL
}
