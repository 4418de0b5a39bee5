package org.exporters4j.tasks;

/**
 * A size the graph's inputs set: each input axis {@linkplain Axis#of bound} to a dimension sets it (every such axis
 * must agree), and every other axis bound to it, or summed from it, must then have that size. Optimum's labels
 * name most of these; the label is the interface, the dimension is the meaning.
 */
public enum Dimension {
    /** Examples in the batch. */
    BATCH,
    /** The tokens of the step (a text encoder's or decoder's sequence). */
    SEQUENCE,
    /** Multiple-choice candidates per example. */
    NUM_CHOICES,
    /** The encoder's input length (tokens, or audio frames). */
    ENCODER_SEQUENCE,
    /** The decoder's tokens of the step (seq2seq). */
    DECODER_SEQUENCE,
    /** Tokens already in a self-attention cache. */
    PAST_SEQUENCE,
    /** Positions of the encoder output a cross-attention cache holds. */
    CROSS_ATTENTION_SEQUENCE,
    /** Image channels. */
    NUM_CHANNELS,
    /** Image height in pixels. */
    HEIGHT,
    /** Image width in pixels. */
    WIDTH,
    /** Audio feature bins per frame. */
    FEATURE_SIZE,
    /** Prompts per image (SAM's {@code point_batch_size}): each gets its own masks. */
    POINT_BATCH,
    /** Points of one prompt (SAM's {@code nb_points_per_image}). */
    POINTS_PER_PROMPT
}
