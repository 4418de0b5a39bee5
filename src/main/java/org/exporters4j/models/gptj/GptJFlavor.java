package org.exporters4j.models.gptj;

import java.util.Objects;

/**
 * GPT-J and CodeGen share their math (parallel attention and MLP on one LayerNorm, interleaved rotary embeddings on
 * the first {@code rotary_dim} channels, an {@code lm_head} with a bias); they differ in how the attention
 * projections are stored.
 *
 * @param projections how q, k and v are stored
 */
public record GptJFlavor(Projections projections) {

    /** How the query, key and value projections are stored. */
    public enum Projections {
        /** GPT-J: {@code attn.q_proj}, {@code attn.k_proj}, {@code attn.v_proj}, no biases. */
        SEPARATE,
        /**
         * CodeGen: one {@code attn.qkv_proj} {@code [3 × hidden, hidden]} whose output is four model-parallel blocks
         * ({@code mp_num = 4}), each holding a quarter of the heads as query, value, key.
         */
        CODEGEN_FUSED
    }

    public GptJFlavor {
        Objects.requireNonNull(projections, "projections");
    }
}
