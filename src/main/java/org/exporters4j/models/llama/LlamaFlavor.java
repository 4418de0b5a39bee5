package org.exporters4j.models.llama;

import java.util.Objects;
import org.exporters4j.models.blocks.LastTokenPooling;

/**
 * What sets one model type of the Llama family apart, as data: the {@link Options} of its layers, as Transformers
 * 4.51's modeling file of the type computes them, and the choices they are made of. The presets
 * ({@link Options#LLAMA}, {@link Options#GEMMA2}, {@link Options#MIXTRAL}, ...) are the types' differences written
 * once; a row names its preset, or a preset with one choice changed
 * ({@code Options.LLAMA.with(SlidingWindow.EVERY_LAYER)}).
 */
public final class LlamaFlavor {
    private LlamaFlavor() {}

    /** One of the choices {@link Options} is made of: a preset changes by one of them ({@link Options#with}). */
    public sealed interface Choice permits ActivationOption, AttentionBias, AttentionScale, EmbeddingScale, LayerNorms,
            LogitsScale, Mlp, NormKind, NormWeight, PartialRotary, QueryKeyNorm, QueryKeyValueClip,
            QueryKeyValueProjection, ResidualScale, RopeScaling, RotaryBases, SlidingWindow, SoftCapping {
    }

    /** Which of the q/k/v/o projections (and, where the type says so, the MLP's linears) add a bias. */
    public enum AttentionBias implements Choice {
        /** Llama, Qwen3, Gemma, Granite, OLMo: all four when {@code attention_bias} is true, none otherwise. */
        FROM_ATTENTION_BIAS_OPTION,
        /** Mistral, Mixtral, Phi-3: none. */
        NONE,
        /** Qwen2: q, k and v always, o never. */
        QUERY_KEY_VALUE,
        /** Starcoder2: all four and the MLP's {@code c_fc} and {@code c_proj} when {@code use_bias} is true. */
        FROM_USE_BIAS
    }

    /** Which layers attend within {@code sliding_window} (a key is visible while {@code query − key < window}). */
    public enum SlidingWindow implements Choice {
        /** Llama, Gemma, Granite: none (a {@code sliding_window} key is refused). */
        NONE,
        /** Mistral: every layer, when {@code sliding_window} is set (null means full attention). */
        EVERY_LAYER,
        /**
         * Qwen2, Qwen3: layers from {@code max_window_layers} on when {@code use_sliding_window} is true, or as
         * {@code layer_types} lists them ({@code sliding_attention} / {@code full_attention}), as the sliding
         * windows of their attention classes are set. (Transformers 4.51's eager mask applies
         * {@code sliding_window} to every layer whatever {@code use_sliding_window} says, which later versions
         * undo; the two differ only on sequences longer than the window.)
         */
        FROM_MAX_WINDOW_LAYERS,
        /** Gemma 2: the even layers ({@code not layer_idx % 2}); the odd ones attend globally. */
        EVEN_LAYERS,
        /**
         * Gemma 3: every layer but those whose {@code index + 1} is a multiple of {@code sliding_window_pattern}
         * (the global ones).
         */
        ALL_BUT_EVERY_PATTERN_TH
    }

    /** A norm of the queries and keys over each head, before the rotary embeddings. */
    public enum QueryKeyNorm implements Choice {
        NONE,
        /** Qwen3, Gemma 3: {@code self_attn.q_norm} / {@code k_norm}, an RMSNorm of width {@code head_dim}. */
        PER_HEAD
    }

    /** Where a layer normalizes. */
    public enum LayerNorms implements Choice {
        /** {@code input_layernorm} before attention, {@code post_attention_layernorm} before the MLP. */
        PRE,
        /**
         * Gemma 2 and 3: {@code input_layernorm} and {@code pre_feedforward_layernorm} before attention and MLP,
         * {@code post_attention_layernorm} and {@code post_feedforward_layernorm} on their outputs before each
         * residual addition.
         */
        SANDWICH
    }

    /** How an RMSNorm's weight scales the normalized values. */
    public enum NormWeight implements Choice {
        /** {@code weight · x̂}. */
        WEIGHT,
        /** Gemma: {@code (1 + weight) · x̂} (weights stored around 0). */
        ONE_PLUS_WEIGHT
    }

    /** What multiplies the token embeddings. */
    public enum EmbeddingScale implements Choice {
        NONE,
        /** Gemma: {@code √hidden_size}, rounded to float32 as Transformers' normalizer tensor. */
        SQRT_HIDDEN_SIZE,
        /** Granite: {@code embedding_multiplier}. */
        EMBEDDING_MULTIPLIER
    }

    /** What multiplies the raw attention scores {@code q · kᵀ}. */
    public enum AttentionScale implements Choice {
        /** {@code head_dim^-0.5}. */
        HEAD_DIM,
        /** Gemma 2 and 3: {@code query_pre_attn_scalar^-0.5}. */
        QUERY_PRE_ATTN_SCALAR,
        /** Granite: {@code attention_multiplier}. */
        ATTENTION_MULTIPLIER
    }

    /** Gemma 2's (and 3's) soft-capping, {@code cap · tanh(x / cap)}. */
    public enum SoftCapping implements Choice {
        NONE,
        /** The scores by {@code attn_logit_softcapping} and the LM logits by {@code final_logit_softcapping}, each when set. */
        FROM_CONFIG
    }

    /** What scales each branch before its residual addition. */
    public enum ResidualScale implements Choice {
        NONE,
        /** Granite: {@code residual_multiplier}. */
        RESIDUAL_MULTIPLIER
    }

    /** What divides the LM logits. */
    public enum LogitsScale implements Choice {
        NONE,
        /** Granite: {@code logits_scaling}. */
        LOGITS_SCALING
    }

    /** Which rotary embeddings the layers use. */
    public enum RotaryBases implements Choice {
        /** One for every layer: {@code rope_theta} and {@code rope_scaling}. */
        SHARED,
        /**
         * Gemma 3: the sliding-window layers use {@code rope_local_base_freq} without scaling, the global layers
         * {@code rope_theta} with {@code rope_scaling}.
         */
        LOCAL_BASE_FOR_SLIDING_LAYERS
    }

    /** Whether {@code partial_rotary_factor} may rotate a leading share of each head. */
    public enum PartialRotary implements Choice {
        /** Llama's {@code apply_rotary_pos_emb} rotates whole heads: a factor other than 1 is refused. */
        REFUSED,
        /** Phi-3 style: the first {@code head_dim · partial_rotary_factor} channels rotate, the rest pass. */
        LEADING_CHANNELS
    }

    /** The config key naming the MLP's activation. */
    public enum ActivationOption implements Choice {
        HIDDEN_ACT("hidden_act"),
        /** Gemma 2 and 3. */
        HIDDEN_ACTIVATION("hidden_activation");

        private final String key;

        ActivationOption(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** Which normalization the layers and the final norm use, and where its epsilon comes from. */
    public enum NormKind implements Choice {
        /** RMSNorm of {@code rms_norm_eps} with a weight. */
        RMS_NORM,
        /**
         * OLMo: {@code OlmoLayerNorm}, a LayerNorm without weight or bias, epsilon 1e-5 whatever the config says
         * (Transformers 4.51 calls {@code F.layer_norm(x, shape, None, None, eps=1e-5)}).
         */
        LAYER_NORM_WITHOUT_PARAMETERS,
        /** Starcoder2: {@code nn.LayerNorm} of {@code norm_epsilon} with weight and bias. */
        LAYER_NORM
    }

    /** Which {@code rope_scaling} types the type's configuration class accepts. */
    public enum RopeScaling implements Choice {
        /** Every type of {@code ROPE_INIT_FUNCTIONS} (Llama's {@code rope_config_validation}). */
        ANY_TYPE,
        /**
         * Phi-3: {@code Phi3Config} renames the old types {@code su} and {@code yarn} to {@code longrope} and
         * accepts no other ({@code _rope_scaling_adjustment}, {@code _rope_scaling_validation}).
         */
        LONGROPE_ONLY
    }

    /** OLMo's clamp of the projected queries, keys and values. */
    public enum QueryKeyValueClip implements Choice {
        NONE,
        /** OLMo: {@code q}, {@code k} and {@code v} clamped to {@code ±clip_qkv} after their projections, when set. */
        FROM_CLIP_QKV
    }

    /** How the queries, keys and values are projected. */
    public enum QueryKeyValueProjection implements Choice {
        /** {@code self_attn.q_proj}, {@code k_proj}, {@code v_proj}. */
        SEPARATE,
        /**
         * Phi-3: one {@code self_attn.qkv_proj} (no bias) whose output holds the queries, then the keys, then the
         * values.
         */
        FUSED
    }

    /** The feed-forward block after attention. */
    public enum Mlp implements Choice {
        /** {@code mlp.down_proj(act(mlp.gate_proj(x)) · mlp.up_proj(x))}. */
        GATED,
        /**
         * Phi-3: one {@code mlp.gate_up_proj} (no bias) whose output's first half is the gate and second half the
         * up projection: {@code mlp.down_proj(up · act(gate))}.
         */
        GATED_FUSED,
        /** Starcoder2: {@code mlp.c_proj(act(mlp.c_fc(x)))}, not gated, biases by {@code use_bias}. */
        PLAIN,
        /**
         * Mixtral: {@code block_sparse_moe}, a router {@code gate} over {@code num_local_experts} experts
         * ({@code experts.<e>.w2(act(w1(x)) · w3(x))}); each token sums the outputs of its
         * {@code num_experts_per_tok} most probable experts (softmax over the router logits, top-k, the k
         * weights renormalised to sum to 1), as {@code MixtralSparseMoeBlock} in eval mode.
         */
        SPARSE_MIXTURE_OF_EXPERTS
    }

    /**
     * How a type's layers compute, one choice per difference from Llama.
     *
     * @param pooling the sequence classifier's last-token rule (of the Transformers version the type is checked
     *     against)
     */
    public record Options(AttentionBias attentionBias, SlidingWindow slidingWindow, QueryKeyNorm queryKeyNorm,
                          LayerNorms layerNorms, NormKind normKind, NormWeight normWeight,
                          EmbeddingScale embeddingScale, AttentionScale attentionScale, SoftCapping softCapping,
                          ResidualScale residualScale, LogitsScale logitsScale, RotaryBases rotaryBases,
                          PartialRotary partialRotary, RopeScaling ropeScaling,
                          QueryKeyValueClip queryKeyValueClip, QueryKeyValueProjection queryKeyValueProjection,
                          Mlp mlp, ActivationOption activation, LastTokenPooling pooling) {
        /** Llama (Transformers 4.51): pre-RMSNorm, SwiGLU, rotary embeddings, grouped-query attention. */
        public static final Options LLAMA = new Options(AttentionBias.FROM_ATTENTION_BIAS_OPTION, SlidingWindow.NONE,
                QueryKeyNorm.NONE, LayerNorms.PRE, NormKind.RMS_NORM, NormWeight.WEIGHT, EmbeddingScale.NONE,
                AttentionScale.HEAD_DIM, SoftCapping.NONE, ResidualScale.NONE, LogitsScale.NONE, RotaryBases.SHARED,
                PartialRotary.REFUSED, RopeScaling.ANY_TYPE, QueryKeyValueClip.NONE, QueryKeyValueProjection.SEPARATE,
                Mlp.GATED, ActivationOption.HIDDEN_ACT, LastTokenPooling.RIGHTMOST_NON_PADDING);
        /** Mistral: no attention biases, a sliding window on every layer. */
        public static final Options MISTRAL = LLAMA.with(AttentionBias.NONE).with(SlidingWindow.EVERY_LAYER);
        /** Qwen2: q/k/v biases, windows from {@code max_window_layers} on. */
        public static final Options QWEN2 = LLAMA.with(AttentionBias.QUERY_KEY_VALUE)
                .with(SlidingWindow.FROM_MAX_WINDOW_LAYERS);
        /** Qwen3: Qwen2's windows, biases by {@code attention_bias}, q/k RMSNorm per head. */
        public static final Options QWEN3 = LLAMA.with(SlidingWindow.FROM_MAX_WINDOW_LAYERS)
                .with(QueryKeyNorm.PER_HEAD);
        /** Gemma: {@code (1 + w)} RMSNorm, embeddings scaled by √hidden, GeGLU through {@code hidden_act}. */
        public static final Options GEMMA = LLAMA.with(NormWeight.ONE_PLUS_WEIGHT)
                .with(EmbeddingScale.SQRT_HIDDEN_SIZE);
        /**
         * Gemma 2: Gemma's with sandwich norms, {@code query_pre_attn_scalar}, soft-capping, sliding windows on the
         * even layers, {@code hidden_activation}.
         */
        public static final Options GEMMA2 = GEMMA.with(LayerNorms.SANDWICH).with(AttentionScale.QUERY_PRE_ATTN_SCALAR)
                .with(SoftCapping.FROM_CONFIG).with(SlidingWindow.EVEN_LAYERS).with(ActivationOption.HIDDEN_ACTIVATION);
        /**
         * Gemma 3 (text): Gemma 2's with q/k norm per head, global layers every {@code sliding_window_pattern}, and
         * {@code rope_local_base_freq} on the local ones.
         */
        public static final Options GEMMA3 = GEMMA2.with(QueryKeyNorm.PER_HEAD)
                .with(SlidingWindow.ALL_BUT_EVERY_PATTERN_TH).with(RotaryBases.LOCAL_BASE_FOR_SLIDING_LAYERS);
        /** Granite: Llama's with the embedding, attention, residual and logits multipliers. */
        public static final Options GRANITE = LLAMA.with(EmbeddingScale.EMBEDDING_MULTIPLIER)
                .with(AttentionScale.ATTENTION_MULTIPLIER).with(ResidualScale.RESIDUAL_MULTIPLIER)
                .with(LogitsScale.LOGITS_SCALING);

        /** Mixtral: Mistral's attention with a sparse mixture of experts in place of the MLP. */
        public static final Options MIXTRAL = MISTRAL.with(Mlp.SPARSE_MIXTURE_OF_EXPERTS);
        /** OLMo: LayerNorms without parameters, {@code clip_qkv}, biases by {@code attention_bias}. */
        public static final Options OLMO = LLAMA.with(NormKind.LAYER_NORM_WITHOUT_PARAMETERS)
                .with(QueryKeyValueClip.FROM_CLIP_QKV);
        /**
         * Starcoder2: LayerNorms with biases, q/k/v/o and MLP biases by {@code use_bias}, a plain (not gated) MLP,
         * a sliding window on every layer.
         */
        public static final Options STARCODER2 = LLAMA.with(NormKind.LAYER_NORM).with(AttentionBias.FROM_USE_BIAS)
                .with(Mlp.PLAIN).with(SlidingWindow.EVERY_LAYER);
        /**
         * Phi-3: fused {@code qkv_proj} and {@code gate_up_proj}, no biases, {@code partial_rotary_factor},
         * LongRoPE as the only scaling, a sliding window on every layer.
         */
        public static final Options PHI3 = LLAMA.with(AttentionBias.NONE).with(QueryKeyValueProjection.FUSED)
                .with(Mlp.GATED_FUSED).with(PartialRotary.LEADING_CHANNELS).with(RopeScaling.LONGROPE_ONLY)
                .with(SlidingWindow.EVERY_LAYER);

        public Options {
            Objects.requireNonNull(attentionBias, "attentionBias");
            Objects.requireNonNull(slidingWindow, "slidingWindow");
            Objects.requireNonNull(queryKeyNorm, "queryKeyNorm");
            Objects.requireNonNull(layerNorms, "layerNorms");
            Objects.requireNonNull(normKind, "normKind");
            Objects.requireNonNull(normWeight, "normWeight");
            Objects.requireNonNull(embeddingScale, "embeddingScale");
            Objects.requireNonNull(attentionScale, "attentionScale");
            Objects.requireNonNull(softCapping, "softCapping");
            Objects.requireNonNull(residualScale, "residualScale");
            Objects.requireNonNull(logitsScale, "logitsScale");
            Objects.requireNonNull(rotaryBases, "rotaryBases");
            Objects.requireNonNull(partialRotary, "partialRotary");
            Objects.requireNonNull(ropeScaling, "ropeScaling");
            Objects.requireNonNull(queryKeyValueClip, "queryKeyValueClip");
            Objects.requireNonNull(queryKeyValueProjection, "queryKeyValueProjection");
            Objects.requireNonNull(mlp, "mlp");
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(pooling, "pooling");
        }

        /** These options with {@code choice} in place of the one of its kind, e.g. {@code with(Mlp.PLAIN)}. */
        public Options with(Choice choice) {
            Objects.requireNonNull(choice, "choice");
            return new Options(
                    choice instanceof AttentionBias value ? value : attentionBias,
                    choice instanceof SlidingWindow value ? value : slidingWindow,
                    choice instanceof QueryKeyNorm value ? value : queryKeyNorm,
                    choice instanceof LayerNorms value ? value : layerNorms,
                    choice instanceof NormKind value ? value : normKind,
                    choice instanceof NormWeight value ? value : normWeight,
                    choice instanceof EmbeddingScale value ? value : embeddingScale,
                    choice instanceof AttentionScale value ? value : attentionScale,
                    choice instanceof SoftCapping value ? value : softCapping,
                    choice instanceof ResidualScale value ? value : residualScale,
                    choice instanceof LogitsScale value ? value : logitsScale,
                    choice instanceof RotaryBases value ? value : rotaryBases,
                    choice instanceof PartialRotary value ? value : partialRotary,
                    choice instanceof RopeScaling value ? value : ropeScaling,
                    choice instanceof QueryKeyValueClip value ? value : queryKeyValueClip,
                    choice instanceof QueryKeyValueProjection value ? value : queryKeyValueProjection,
                    choice instanceof Mlp value ? value : mlp,
                    choice instanceof ActivationOption value ? value : activation,
                    pooling);
        }
    }
}
