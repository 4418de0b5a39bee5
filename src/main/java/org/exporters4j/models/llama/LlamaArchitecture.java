package org.exporters4j.models.llama;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.TransformersRelease;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.CacheLayout;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CachedAttention.Masking;
import org.exporters4j.models.blocks.FusedCachedAttention;
import org.exporters4j.models.blocks.FusedGroupedAttention;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.DecoderArchitecture;
import org.exporters4j.models.blocks.DecoderInputs;
import org.exporters4j.models.blocks.DecoderInputs.LayerPast;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.TokenEmbedding;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.RotaryEmbedding;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.llama.LlamaFlavor.Options;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * The Llama family as Transformers 4.51 computes it in eval mode ({@code modeling_llama.py}; Mistral's, Mixtral's,
 * Qwen2's, Qwen3's, Gemma's, Gemma 2's, Gemma 3's, Granite's, OLMo's, Phi-3's and Starcoder2's differences as
 * {@link LlamaFlavor} data): token embeddings (scaled for Gemma and Granite), {@code num_hidden_layers} pre-norm
 * blocks (RMSNorm, OLMo's LayerNorm without parameters or Starcoder2's LayerNorm) of grouped-query attention
 * ({@code num_key_value_heads} key/value heads of {@code head_dim}, separate or fused q/k/v projections, rotary
 * embeddings with {@code rope_theta} and every {@code rope_scaling} type of {@link RotaryEmbedding}, optional q/k
 * norms, {@code clip_qkv}, sliding windows, soft-capping) and a feed-forward block (gated
 * {@code down(act(gate(x)) · up(x))}, fused or not, Starcoder2's plain one or Mixtral's sparse experts), a final
 * norm, then the head: {@code lm_head} (tied to the embeddings when {@code tie_word_embeddings}) or {@code score}.
 *
 * <p>The cache holds {@code num_key_value_heads} heads; positions are {@code position_ids} when the interface has
 * them, else counted from the cache length, as Transformers does without them.
 */
public final class LlamaArchitecture extends DecoderArchitecture {

    private final Options options;

    /**
     * @param options how the type's layers compute
     * @param heads the heads built without the cache ({@link Head#BASE} and {@link Head#CAUSAL_LM} are also built
     *     with it)
     */
    public LlamaArchitecture(String modelType, Options options, Set<Head> heads) {
        super(modelType, "llama", heads, languageModelHeads());
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    protected Decoder decoder(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, Variant variant,
                              TransformersRelease release) {
        return new Body(config, graph, parameters);
    }

    /** Which rotary embedding a layer uses. */
    private enum RotaryKind { GLOBAL, LOCAL }

    /** The projected queries, keys and values of a layer, rows by width, before the split into heads. */
    private record Projected(Value query, Value key, Value value) {}

    private final class Body implements Decoder {
        private final OnnxGraphBuilder graph;
        private final Parameters parameters;
        private final String base;
        private final long hidden;
        private final int heads;
        private final int kvHeads;
        private final long headDim;
        private final int layers;
        private final long intermediate;
        private final long vocab;
        private final double epsilon;
        private final OptionalDouble clip;
        private final int experts;
        private final int expertsPerToken;
        private final Activation activation;
        private final Map<RotaryKind, RotaryEmbedding> rotaries = new EnumMap<>(RotaryKind.class);
        private final Map<RotaryKind, RotaryEmbedding.Angles> angles = new EnumMap<>(RotaryKind.class);
        private final Bias queryKeyValueBias;
        private final Bias outputBias;
        private final Bias mlpBias;
        private final List<OptionalLong> windows;
        private final ScoreScale scoreScale;
        private final OptionalDouble scoreCap;
        private final OptionalDouble logitCap;
        private final double embeddingMultiplier;
        private final double residualMultiplier;
        private final double logitsDivisor;
        private final EmbeddingTie tie;
        /** The fused form's additive score bias per sliding window (-1: none), built once per graph. */
        private final Map<Long, Value> scoreBiases = new java.util.HashMap<>();
        /** The fused form's grouped-query attention inputs per sliding window (-1: none), built once per graph. */
        private final Map<Long, FusedGroupedAttention.MaskInputs> groupedMaskInputs = new java.util.HashMap<>();

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            this.graph = graph;
            this.parameters = parameters;
            this.hidden = config.intValue("hidden_size");
            this.heads = config.intValue("num_attention_heads");
            this.kvHeads = config.intValue("num_key_value_heads");
            if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
                throw new UnsupportedConfigException(config.source() + ": num_attention_heads " + heads + " must be"
                        + " a positive multiple of num_key_value_heads " + kvHeads + " (each key/value head serves "
                        + "an equal group of query heads)");
            }
            this.headDim = config.optionalInt("head_dim").map(Integer::longValue).orElse(hidden / heads);
            this.layers = config.intValue("num_hidden_layers");
            this.intermediate = config.intValue("intermediate_size");
            this.vocab = config.intValue("vocab_size");
            this.epsilon = switch (options.normKind()) {
                case RMS_NORM -> positive(config, "rms_norm_eps");
                case LAYER_NORM_WITHOUT_PARAMETERS -> 1e-5;
                case LAYER_NORM -> positive(config, "norm_epsilon");
            };
            this.clip = options.queryKeyValueClip() == LlamaFlavor.QueryKeyValueClip.FROM_CLIP_QKV
                    ? optionalPositive(config, "clip_qkv") : OptionalDouble.empty();
            if (options.mlp() == LlamaFlavor.Mlp.SPARSE_MIXTURE_OF_EXPERTS) {
                this.experts = config.intValue("num_local_experts");
                this.expertsPerToken = config.intValue("num_experts_per_tok");
                if (experts <= 0 || expertsPerToken <= 0 || expertsPerToken > experts) {
                    throw new UnsupportedConfigException(config.source() + " sets num_experts_per_tok "
                            + expertsPerToken + " over num_local_experts " + experts + "; each token needs at least "
                            + "one and at most num_local_experts experts");
                }
            } else {
                this.experts = 0;
                this.expertsPerToken = 0;
            }
            this.activation = Activation.fromConfig(config, options.activation().key());
            readRotaries(config);
            boolean attentionBias = config.optionalBoolean("attention_bias").orElse(false);
            boolean useBias = options.attentionBias() == LlamaFlavor.AttentionBias.FROM_USE_BIAS
                    && config.optionalBoolean("use_bias").orElse(true);
            switch (options.attentionBias()) {
                case FROM_ATTENTION_BIAS_OPTION -> {
                    queryKeyValueBias = Bias.when(attentionBias);
                    outputBias = queryKeyValueBias;
                }
                case QUERY_KEY_VALUE -> {
                    queryKeyValueBias = Bias.WITH_BIAS;
                    outputBias = Bias.WITHOUT_BIAS;
                }
                case FROM_USE_BIAS -> {
                    queryKeyValueBias = Bias.when(useBias);
                    outputBias = queryKeyValueBias;
                }
                default -> {
                    queryKeyValueBias = Bias.WITHOUT_BIAS;
                    outputBias = Bias.WITHOUT_BIAS;
                }
            }
            this.mlpBias = switch (options.mlp()) {
                // Llama's mlp_bias (absent, so false, in the other types' configs)
                case GATED -> Bias.when(config.optionalBoolean("mlp_bias").orElse(false));
                case PLAIN -> Bias.when(useBias);
                case GATED_FUSED, SPARSE_MIXTURE_OF_EXPERTS -> Bias.WITHOUT_BIAS;
            };
            this.windows = LlamaWindows.of(config, options.slidingWindow(), layers, modelType());
            this.scoreScale = ScoreScale.multipliedBy(switch (options.attentionScale()) {
                case HEAD_DIM -> Math.pow(headDim, -0.5);
                case QUERY_PRE_ATTN_SCALAR -> Math.pow(positive(config, "query_pre_attn_scalar"), -0.5);
                case ATTENTION_MULTIPLIER -> positive(config, "attention_multiplier");
            });
            boolean capped = options.softCapping() == LlamaFlavor.SoftCapping.FROM_CONFIG;
            this.scoreCap = capped ? optionalPositive(config, "attn_logit_softcapping") : OptionalDouble.empty();
            this.logitCap = capped ? optionalPositive(config, "final_logit_softcapping") : OptionalDouble.empty();
            this.embeddingMultiplier = switch (options.embeddingScale()) {
                case NONE -> 1.0;
                // Transformers' normalizer: torch.tensor(hidden_size ** 0.5) in the embeddings' float32
                case SQRT_HIDDEN_SIZE -> (float) Math.sqrt(hidden);
                case EMBEDDING_MULTIPLIER -> config.doubleValue("embedding_multiplier");
            };
            this.residualMultiplier = options.residualScale() == LlamaFlavor.ResidualScale.RESIDUAL_MULTIPLIER
                    ? config.doubleValue("residual_multiplier") : 1.0;
            this.logitsDivisor = options.logitsScale() == LlamaFlavor.LogitsScale.LOGITS_SCALING
                    ? positive(config, "logits_scaling") : 1.0;
            this.tie = EmbeddingTie.of(config);
            this.base = parameters.basePrefix("model", "embed_tokens.weight");
        }

        /** The rotary embeddings: one for every layer, or Gemma 3's global and local ones. */
        private void readRotaries(ModelConfig config) {
            long rotaryDim = headDim;
            double partial = config.optionalDouble("partial_rotary_factor").orElse(1.0);
            switch (options.partialRotary()) {
                case REFUSED -> {
                    if (partial != 1.0) {
                        throw new UnsupportedConfigException(config.source() + " sets partial_rotary_factor "
                                + partial + "; the " + modelType() + " graph rotates whole heads, as "
                                + "Transformers' apply_rotary_pos_emb for it does: remove the option or set 1.0");
                    }
                }
                case LEADING_CHANNELS -> rotaryDim = RotaryEmbedding.rotaryDimension(config, headDim);
            }
            double theta = config.optionalDouble("rope_theta").orElse(10000.0);
            rotaries.put(RotaryKind.GLOBAL, RotaryEmbedding.fromConfig(config, theta, rotaryDim,
                    RotaryEmbedding.Style.HALF_SPLIT, options.ropeScaling() == LlamaFlavor.RopeScaling.LONGROPE_ONLY
                            ? RotaryEmbedding.Scaling.LONGROPE_ONLY : RotaryEmbedding.Scaling.FROM_CONFIG));
            if (options.rotaryBases() == LlamaFlavor.RotaryBases.LOCAL_BASE_FOR_SLIDING_LAYERS) {
                rotaries.put(RotaryKind.LOCAL, RotaryEmbedding.fromConfig(config,
                        positive(config, "rope_local_base_freq"), rotaryDim, RotaryEmbedding.Style.HALF_SPLIT,
                        RotaryEmbedding.Scaling.NONE));
            }
        }

        @Override
        public DecoderSpec spec() {
            return new DecoderSpec(
                    new DecoderInputs.CacheShape(layers, kvHeads, headDim, CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM),
                    DecoderInputs.WITH_POSITION_IDS, hidden, vocab, new HeadWeights("score", Bias.WITHOUT_BIAS,
                            options.pooling(), "score", Bias.WITH_BIAS, "qa_outputs"));
        }

        @Override
        public Value embed(DecoderInputs inputs) {
            Value words = TokenEmbedding.lookup(graph, parameters.form().quantization().embeddingQuantizer(),
                    parameters.tensor(base + "embed_tokens.weight", vocab, hidden), inputs.inputIds());
            return scaled(graph.reshape(words, -1, hidden), embeddingMultiplier);
        }

        private Value scaled(Value x, double factor) {
            return factor == 1.0 ? x : graph.mul(x, graph.scalar(ElementType.FLOAT, (float) factor));
        }

        private RotaryEmbedding.Angles angles(RotaryKind kind, DecoderInputs inputs) {
            return angles.computeIfAbsent(kind, key -> rotaries.get(key).angles(graph, inputs.positions(graph)));
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            String prefix = base + "layers." + index + ".";
            OptionalLong window = windows.get(index);
            RotaryKind kind = window.isPresent() && rotaries.containsKey(RotaryKind.LOCAL) ? RotaryKind.LOCAL
                    : RotaryKind.GLOBAL;
            RotaryEmbedding rotary = rotaries.get(kind);
            RotaryEmbedding.Angles layerAngles = angles(kind, inputs);
            Value normalized = norm(prefix + "input_layernorm", rows);
            Projected projected = queryKeyValue(prefix + "self_attn.", normalized);
            Value query = CachedAttention.splitHeads(graph, projected.query(), inputs.grid(), heads, headDim);
            Value key = CachedAttention.splitHeads(graph, projected.key(), inputs.grid(), kvHeads, headDim);
            if (options.queryKeyNorm() == LlamaFlavor.QueryKeyNorm.PER_HEAD) {
                query = rmsNorm(prefix + "self_attn.q_norm", query, headDim);
                key = rmsNorm(prefix + "self_attn.k_norm", key, headDim);
            }
            query = rotary.apply(graph, query, layerAngles, headDim);
            key = rotary.apply(graph, key, layerAngles, headDim);
            CachedAttention.Result attended;
            if (parameters.form().fused() && kvHeads == heads && scoreCap.isEmpty()) {
                // the fused form's MultiHeadAttention reads rows: the rotated heads go back to [rows, heads × dim]
                Value bias = scoreBiases.computeIfAbsent(window.orElse(-1), w -> FusedCachedAttention.scoreBias(
                        graph, mask, Masking.VISIBLE_OR_MINIMUM, window));
                ScaledDotProductAttention rotatedHeads = new ScaledDotProductAttention(heads, headDim);
                attended = FusedCachedAttention.apply(graph, rotatedHeads.merge(graph, query),
                        rotatedHeads.merge(graph, key), projected.value(),
                        inputs.grid(), past, bias, heads, headDim, scoreScale.multiplier());
            } else if (parameters.form().fused() && scoreCap.isEmpty() && !inputs.hasPast()) {
                // grouped-query heads without a past input: GroupQueryAttention, the window in its score bias (with a
                // past the broadcast attention is faster on CPU: FusedGroupedAttention; soft-capping keeps the plain
                // graph: the kernel's softcap is not checked against Gemma 2's order of capping and masking)
                FusedGroupedAttention.MaskInputs maskInputs = groupedMaskInputs.computeIfAbsent(window.orElse(-1),
                        w -> FusedGroupedAttention.maskInputs(graph, inputs, mask, window));
                attended = new FusedGroupedAttention(heads, kvHeads, headDim, scoreScale).apply(graph, query, key,
                        projected.value(), inputs.grid(), maskInputs);
            } else {
                Value value = CachedAttention.splitHeads(graph, projected.value(), inputs.grid(), kvHeads, headDim);
                CachedAttention attention = new CachedAttention(heads, kvHeads, headDim, scoreScale,
                        Masking.VISIBLE_OR_MINIMUM, window, scoreCap);
                attended = attention.apply(graph, query, key, value, past, Optional.empty(), mask);
            }
            Value attentionOutput = Linear.load(parameters, prefix + "self_attn.o_proj", heads * headDim,
                    hidden, outputBias).apply(graph, attended.contextRows());
            boolean sandwich = options.layerNorms() == LlamaFlavor.LayerNorms.SANDWICH;
            if (sandwich) {
                attentionOutput = norm(prefix + "post_attention_layernorm", attentionOutput);
            }
            Value residual;
            Value feedForwardInput;
            if (parameters.form().fused() && !sandwich && residualMultiplier == 1.0
                    && options.normKind() == LlamaFlavor.NormKind.RMS_NORM
                    && options.normWeight() == LlamaFlavor.NormWeight.WEIGHT) {
                // the residual and post_attention_layernorm as one SkipSimplifiedLayerNormalization, which returns both
                List<Value> skipNormalized = graph.skipSimplifiedLayerNormalization(attentionOutput, rows,
                        parameters.tensor(prefix + "post_attention_layernorm.weight", hidden), epsilon);
                feedForwardInput = skipNormalized.get(0);
                residual = skipNormalized.get(1);
            } else {
                residual = graph.add(rows, scaled(attentionOutput, residualMultiplier));
                feedForwardInput = norm(prefix + (sandwich ? "pre_feedforward_layernorm"
                        : "post_attention_layernorm"), residual);
            }
            Value down = feedForward(prefix, feedForwardInput);
            if (sandwich) {
                down = norm(prefix + "post_feedforward_layernorm", down);
            }
            return new LayerStep(graph.add(residual, scaled(down, residualMultiplier)), attended.presentKey(),
                    attended.presentValue());
        }

        /**
         * The projected queries, keys and values {@code [rows, heads · head_dim]}, {@code [rows, kv_heads · head_dim]}
         * twice: three linears or Phi-3's one {@code qkv_proj} sliced in that order; clamped to {@code ±clip_qkv}
         * where OLMo's config sets it.
         */
        private Projected queryKeyValue(String prefix, Value normalized) {
            long queryWidth = heads * headDim;
            long kvWidth = kvHeads * headDim;
            Projected projected = switch (options.queryKeyValueProjection()) {
                case SEPARATE -> new Projected(
                        Linear.load(parameters, prefix + "q_proj", hidden, queryWidth, queryKeyValueBias)
                                .apply(graph, normalized),
                        Linear.load(parameters, prefix + "k_proj", hidden, kvWidth, queryKeyValueBias)
                                .apply(graph, normalized),
                        Linear.load(parameters, prefix + "v_proj", hidden, kvWidth, queryKeyValueBias)
                                .apply(graph, normalized));
                case FUSED -> {
                    Value fused = Linear.load(parameters, prefix + "qkv_proj", hidden, queryWidth + 2 * kvWidth,
                            queryKeyValueBias).apply(graph, normalized);
                    yield new Projected(graph.slice(fused, 1, 0, queryWidth),
                            graph.slice(fused, 1, queryWidth, queryWidth + kvWidth),
                            graph.slice(fused, 1, queryWidth + kvWidth, queryWidth + 2 * kvWidth));
                }
            };
            if (clip.isEmpty()) {
                return projected;
            }
            double bound = clip.getAsDouble();
            return new Projected(graph.clip(projected.query(), -bound, bound),
                    graph.clip(projected.key(), -bound, bound), graph.clip(projected.value(), -bound, bound));
        }

        /** The feed-forward block on the normalized rows {@code [rows, hidden]}, before its residual addition. */
        private Value feedForward(String prefix, Value x) {
            return switch (options.mlp()) {
                case GATED -> {
                    Value gate = activation.apply(graph, Linear.load(parameters, prefix + "mlp.gate_proj", hidden,
                            intermediate, mlpBias).apply(graph, x));
                    Value up = Linear.load(parameters, prefix + "mlp.up_proj", hidden, intermediate, mlpBias)
                            .apply(graph, x);
                    yield Linear.load(parameters, prefix + "mlp.down_proj", intermediate, hidden, mlpBias)
                            .apply(graph, graph.mul(gate, up));
                }
                case GATED_FUSED -> {
                    Value fused = Linear.load(parameters, prefix + "mlp.gate_up_proj", hidden, 2 * intermediate,
                            mlpBias).apply(graph, x);
                    Value gate = activation.apply(graph, graph.slice(fused, 1, 0, intermediate));
                    Value up = graph.slice(fused, 1, intermediate, 2 * intermediate);
                    yield Linear.load(parameters, prefix + "mlp.down_proj", intermediate, hidden, mlpBias)
                            .apply(graph, graph.mul(up, gate));
                }
                case PLAIN -> Linear.load(parameters, prefix + "mlp.c_proj", intermediate, hidden, mlpBias)
                        .apply(graph, activation.apply(graph, Linear.load(parameters, prefix + "mlp.c_fc", hidden,
                                intermediate, mlpBias).apply(graph, x)));
                case SPARSE_MIXTURE_OF_EXPERTS -> sparseExperts(prefix + "block_sparse_moe.", x);
            };
        }

        /**
         * Mixtral's {@code MixtralSparseMoeBlock} in eval mode, every expert computed densely and weighted by its
         * routing weight, 0 for the experts a token does not select: routing probabilities
         * {@code softmax(gate(x))}; a token selects the {@code num_experts_per_tok} most probable experts (an
         * expert's rank is the number of experts more probable, or as probable and of a lower index, as
         * {@code torch.topk} keeps the first of equals); the selected probabilities are divided by their sum; the
         * weighted outputs are added in expert order, as the reference's {@code index_add_} adds them.
         */
        private Value sparseExperts(String prefix, Value x) {
            Value logits = Linear.load(parameters, prefix + "gate", hidden, experts, Bias.WITHOUT_BIAS)
                    .apply(graph, x);
            Value probabilities = graph.softmax(logits, -1);
            // [rows, e, 1] against [rows, 1, e']: is expert e' ahead of expert e
            Value mine = graph.unsqueeze(probabilities, 2);
            Value others = graph.unsqueeze(probabilities, 1);
            boolean[] lowerIndex = new boolean[experts * experts];
            for (int self = 0; self < experts; self++) {
                for (int other = 0; other < self; other++) {
                    lowerIndex[self * experts + other] = true;
                }
            }
            Value ahead = graph.or(graph.greater(others, mine), graph.and(graph.equal(others, mine),
                    graph.constant(TensorData.ofBooleans(lowerIndex, experts, experts))));
            Value rank = graph.reduceSum(graph.cast(ahead, ElementType.FLOAT), KeepDims.NO, 2);
            Value selected = graph.less(rank, graph.scalar(ElementType.FLOAT, (float) expertsPerToken));
            Value kept = graph.where(selected, probabilities, graph.scalar(ElementType.FLOAT, 0.0f));
            Value weights = graph.div(kept, graph.reduceSum(kept, KeepDims.YES, -1));
            Value sum = null;
            for (int expert = 0; expert < experts; expert++) {
                String name = prefix + "experts." + expert + ".";
                Value gate = activation.apply(graph, Linear.load(parameters, name + "w1", hidden, intermediate,
                        Bias.WITHOUT_BIAS).apply(graph, x));
                Value up = Linear.load(parameters, name + "w3", hidden, intermediate, Bias.WITHOUT_BIAS)
                        .apply(graph, x);
                Value output = Linear.load(parameters, name + "w2", intermediate, hidden, Bias.WITHOUT_BIAS)
                        .apply(graph, graph.mul(gate, up));
                Value weighted = graph.mul(output, graph.slice(weights, 1, expert, expert + 1));
                sum = sum == null ? weighted : graph.add(sum, weighted);
            }
            return sum;
        }

        /** The type's norm over the hidden axis: RMSNorm, OLMo's LayerNorm without parameters or a LayerNorm. */
        private Value norm(String prefix, Value x) {
            return switch (options.normKind()) {
                case RMS_NORM -> rmsNorm(prefix, x, hidden);
                case LAYER_NORM_WITHOUT_PARAMETERS -> {
                    float[] ones = new float[Math.toIntExact(hidden)];
                    java.util.Arrays.fill(ones, 1.0f);
                    yield graph.layerNormalization(x, graph.constant(TensorData.ofFloats(ones, hidden)),
                            graph.constant(TensorData.ofFloats(new float[Math.toIntExact(hidden)], hidden)), epsilon);
                }
                case LAYER_NORM -> LayerNorm.load(parameters, prefix, hidden, epsilon).apply(graph, x);
            };
        }

        /**
         * RMSNorm over the last axis of width {@code width}: {@code weight · x̂}, or Gemma's {@code (1 + weight) · x̂}
         * (computed in float32 as its {@code 1.0 + self.weight.float()}).
         */
        private Value rmsNorm(String prefix, Value x, long width) {
            Value weight = parameters.tensor(prefix + ".weight", width);
            Value scale = options.normWeight() == LlamaFlavor.NormWeight.ONE_PLUS_WEIGHT
                    ? graph.add(graph.scalar(ElementType.FLOAT, 1.0), weight) : weight;
            return graph.rmsNormalization(x, scale, epsilon);
        }

        @Override
        public Value finalNorm(Value rows) {
            return norm(base + "norm", rows);
        }

        @Override
        public Value languageModelLogits(Value rows) {
            Value logits = tiedLanguageModelLogits(graph, parameters, tie, base + "embed_tokens.weight",
                    "lm_head.weight", hidden, vocab, rows);
            if (logitsDivisor != 1.0) {
                logits = graph.div(logits, graph.scalar(ElementType.FLOAT, (float) logitsDivisor));
            }
            return logitCap.isPresent() ? CachedAttention.softCap(graph, logits, logitCap.getAsDouble()) : logits;
        }
    }

    private static double positive(ModelConfig config, String key) {
        double value = config.doubleValue(key);
        if (!(value > 0)) {
            throw new UnsupportedConfigException(config.source() + " sets " + key + " " + value
                    + "; it must be positive");
        }
        return value;
    }

    /** An optional positive option: null or absent means off. */
    private static OptionalDouble optionalPositive(ModelConfig config, String key) {
        Optional<Double> value = config.optionalDouble(key);
        if (value.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(positive(config, key));
    }
}
