package org.exporters4j.models;

/**
 * The Transformers release whose modeling code a graph mirrors, where releases differ in what a family computes or
 * caches: Optimum v1.5.2's interface was traced from Transformers 4.25.1, Optimum 1.25.3's from Transformers 4.51
 * (its exporter pins {@code transformers<4.52}). Families that exist in one release only, or compute the same in both,
 * ignore it.
 *
 * <ul>
 *   <li>GPT-Neo: 4.51 adds the causal mask again to the scores with the padding ({@code _update_causal_mask}), so a
 *       left-padding query attends within its window only;</li>
 *   <li>BLOOM: 4.25.1 caches key {@code (batch × heads, head_dim, past)} and value {@code (batch × heads, past,
 *       head_dim)}; 4.51 (from 4.44, the {@code Cache} classes) caches both {@code (batch, heads, past, head_dim)}.</li>
 * </ul>
 */
public enum TransformersRelease {
    /** Transformers 4.25.1, Optimum v1.5.2's. */
    V4_25_1,
    /** Transformers 4.51, Optimum 1.25.3's. */
    V4_51
}
