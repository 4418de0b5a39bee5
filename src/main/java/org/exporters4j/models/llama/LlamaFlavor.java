package org.exporters4j.models.llama;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.exporters4j.models.Head;
import org.exporters4j.models.blocks.LastTokenPooling;

/**
 * What sets one model type of the Llama family apart, as data: which projections carry biases, where sliding-window
 * attention applies, how the sequence classifier pools, and the heads the type builds.
 *
 * @param modelType Optimum's spelling, e.g. {@code qwen2}
 * @param attentionBias which attention projections have biases
 * @param slidingWindow which layers use the config's sliding window
 * @param pooling the sequence classifier's last-token rule (of the Transformers version the type is checked against)
 * @param heads the heads built without the cache ({@link Head#BASE} and {@link Head#CAUSAL_LM} are also built with it)
 */
public record LlamaFlavor(String modelType, AttentionBias attentionBias, SlidingWindow slidingWindow,
                          LastTokenPooling pooling, Set<Head> heads) {

    /** Which of the q/k/v/o projections add a bias. */
    public enum AttentionBias {
        /** Llama: all four when {@code attention_bias} is true, none otherwise. */
        FROM_ATTENTION_BIAS_OPTION,
        /** Mistral: none. */
        NONE,
        /** Qwen2: q, k and v always, o never. */
        QUERY_KEY_VALUE
    }

    /** Which layers attend within {@code sliding_window}. */
    public enum SlidingWindow {
        /** Llama: none (a {@code sliding_window} key is refused). */
        NONE,
        /** Mistral: every layer, when {@code sliding_window} is set (null means full attention). */
        EVERY_LAYER,
        /**
         * Qwen2: layers from {@code max_window_layers} on when {@code use_sliding_window} is true, or as
         * {@code layer_types} lists them ({@code sliding_attention} / {@code full_attention}).
         */
        FROM_MAX_WINDOW_LAYERS
    }

    public LlamaFlavor {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(attentionBias, "attentionBias");
        Objects.requireNonNull(slidingWindow, "slidingWindow");
        Objects.requireNonNull(pooling, "pooling");
        heads = Collections.unmodifiableSet(EnumSet.copyOf(heads));
    }
}
