package org.exporters4j.models.gptj;

import java.util.Objects;
import java.util.Set;
import org.exporters4j.models.Head;

/**
 * GPT-J and CodeGen share their math (parallel attention and MLP on one LayerNorm, interleaved rotary embeddings on
 * the first {@code rotary_dim} channels, an {@code lm_head} with a bias); they differ in how the attention
 * projections are stored.
 *
 * @param modelType Optimum's spelling: {@code gptj} or {@code codegen}
 * @param projections how q, k and v are stored
 * @param heads the heads built without the cache ({@link Head#BASE} and {@link Head#CAUSAL_LM} are also built with
 *              it where {@code headsWithPast} says so)
 * @param headsWithPast the heads built with the cache (CodeGen's too, though Optimum 1.5.2 registers no with-past
 *                      task for it)
 */
public record GptJFlavor(String modelType, Projections projections, Set<Head> heads, Set<Head> headsWithPast) {

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
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(projections, "projections");
        heads = Head.copyOf(heads);
        headsWithPast = Head.copyOf(headsWithPast);
    }
}
