package org.exporters4j.models.deberta;

import java.util.EnumSet;
import java.util.Set;
import org.exporters4j.models.Head;

/**
 * The two DeBERTa generations, which share the module tree ({@code deberta.encoder.layer.N.attention.self …}) but
 * differ in the attention's projections and relative positions; the rows are in
 * the model-type table ({@code tasks.ModelTypes}).
 */
public enum DebertaVersion {
    /**
     * {@code deberta} (Transformers 4.25.1 {@code modeling_deberta.py}): one bias-free {@code in_proj} for query, key
     * and value (interleaved per head) with {@code q_bias} and {@code v_bias}; relative positions {@code i − j}
     * over a span of {@code min(sequence, max_relative_positions)}; the query scaled before the relative scores;
     * optional talking heads. Transformers 4.25.1 has no DebertaForMultipleChoice.
     */
    V1("deberta", EnumSet.of(Head.BASE, Head.MASKED_LM, Head.SEQUENCE_CLASSIFICATION, Head.TOKEN_CLASSIFICATION,
            Head.QUESTION_ANSWERING)),
    /**
     * {@code deberta-v2} ({@code modeling_deberta_v2.py}): separate {@code query_proj}, {@code key_proj},
     * {@code value_proj}; log-bucketed relative positions ({@code position_buckets}) over a fixed span;
     * {@code share_att_key}; a LayerNorm of the relative embeddings ({@code norm_rel_ebd}); a convolution after
     * the first layer ({@code conv_kernel_size}).
     */
    V2("deberta-v2", EnumSet.of(Head.BASE, Head.MASKED_LM, Head.SEQUENCE_CLASSIFICATION, Head.MULTIPLE_CHOICE,
            Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING));

    private final String modelType;
    private final Set<Head> heads;

    DebertaVersion(String modelType, Set<Head> heads) {
        this.modelType = modelType;
        this.heads = Head.copyOf(heads);
    }

    /** The model type in Optimum's spelling. */
    public String modelType() {
        return modelType;
    }

    /** The heads Transformers 4.25.1 has a class for. */
    public Set<Head> heads() {
        return heads;
    }
}
