package org.exporters4j.models.falcon;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.Alibi;
import org.exporters4j.models.blocks.CacheLayout;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CachedAttention.Masking;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.DecoderArchitecture;
import org.exporters4j.models.blocks.DecoderBody;
import org.exporters4j.models.blocks.DecoderInputs;
import org.exporters4j.models.blocks.DecoderInputs.LayerPast;
import org.exporters4j.models.blocks.LastTokenPooling;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.PartialRotary;
import org.exporters4j.models.blocks.RotaryEmbedding;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Falcon as Transformers 4.51 computes it ({@code modeling_falcon.py}, eager attention): word embeddings,
 * {@code num_hidden_layers} blocks with a fused {@code query_key_value} projection laid out by the architecture
 * ({@link QueryKeyValueLayout}), rotary embeddings over whole heads ({@code rope_theta}) or, with {@code alibi},
 * linear position biases instead; a GELU MLP ({@code dense_h_to_4h} of {@code ffn_hidden_size}, {@code dense_4h_to_h});
 * biases on every projection when {@code bias}. Blocks:
 * <ul>
 *   <li>{@code new_decoder_architecture}: attention and MLP in parallel, on {@code ln_attn} and {@code ln_mlp}
 *       ({@code num_ln_in_parallel_attn} 2, the default) or both on {@code input_layernorm} (1);</li>
 *   <li>{@code parallel_attn}: attention and MLP in parallel on {@code input_layernorm};</li>
 *   <li>otherwise sequential: {@code h = x + attn(input_layernorm(x))}, {@code h + mlp(post_attention_layernorm(h))}.</li>
 * </ul>
 * Then {@code ln_f} and the head: {@code lm_head} (tied by default), {@code score}, {@code classifier} or
 * {@code qa_outputs}.
 *
 * <p>Scores are {@code q·kᵀ / √head_dim} with rotary embeddings. With ALiBi, Transformers 4.51 adds the bias twice:
 * into the logits {@code (q·kᵀ + alibi) · head_dim^−½} and again through the causal mask it builds,
 * {@code masked_fill(alibi / √head_dim, invisible, min)}; the graph computes the same sum. Its alibi is computed in
 * bfloat16 ({@link Alibi#bfloat16Bias}).
 */
public final class FalconArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS = HeadWeights.standard(LastTokenPooling.FIRST_PADDING_MINUS_ONE);

    /** How {@code query_key_value}'s output holds the query, key and value heads. */
    enum QueryKeyValueLayout {
        /**
         * {@code new_decoder_architecture}: {@code num_kv_heads} groups, each {@code heads / num_kv_heads} queries,
         * one key and one value; the key and value are repeated to every query head of their group, and the cache
         * holds all {@code num_attention_heads} heads.
         */
        GROUPED,
        /** {@code multi_query}: all query heads, then one key and one value head. */
        MULTI_QUERY,
        /** Neither: per head, query, key and value side by side. */
        PER_HEAD
    }

    /** @param heads the heads built without the cache (the bare model and the LM head are also built with it) */
    public FalconArchitecture(String modelType, Set<Head> heads) {
        super(modelType, "falcon", heads, languageModelHeads(), Body::new);
    }

    private static final class Body extends DecoderBody {
        private final int kvHeads;
        private final long intermediate;
        private final double epsilon;
        private final Activation activation;
        private final Optional<RotaryEmbedding> rotary;
        private final Bias bias;
        private final QueryKeyValueLayout layout;
        private final int layerNorms;
        private final boolean parallel;
        private Value alibi;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            super(config, graph, parameters, "transformer", "word_embeddings.weight");
            this.intermediate = config.optionalInt("ffn_hidden_size").map(Integer::longValue).orElse(4 * hidden);
            this.epsilon = config.doubleValue("layer_norm_epsilon");
            this.activation = Activation.fromConfig(config, "activation");
            this.bias = Bias.when(config.optionalBoolean("bias").orElse(false));
            this.parallel = config.optionalBoolean("parallel_attn").orElse(true);
            boolean newArchitecture = config.optionalBoolean("new_decoder_architecture").orElse(false);
            int configuredKvHeads = config.optionalInt("num_kv_heads").orElse(heads);
            if (newArchitecture) {
                if (!parallel) {
                    throw new UnsupportedConfigException(config.source() + " sets new_decoder_architecture true "
                            + "with parallel_attn false, which Transformers' FalconDecoderLayer cannot run (it "
                            + "reads ln_attn/ln_mlp it does not create); set parallel_attn true");
                }
                if (configuredKvHeads <= 0 || heads % configuredKvHeads != 0) {
                    throw new UnsupportedConfigException(config.source() + ": num_attention_heads " + heads
                            + " must be a positive multiple of num_kv_heads " + configuredKvHeads);
                }
                this.layout = QueryKeyValueLayout.GROUPED;
                this.kvHeads = configuredKvHeads;
                this.layerNorms = config.optionalInt("num_ln_in_parallel_attn").orElse(2);
                if (layerNorms != 1 && layerNorms != 2) {
                    throw new UnsupportedConfigException(config.source() + " sets num_ln_in_parallel_attn "
                            + layerNorms + "; Falcon's new decoder architecture has 1 or 2 (the default)");
                }
            } else if (config.optionalBoolean("multi_query").orElse(true)) {
                this.layout = QueryKeyValueLayout.MULTI_QUERY;
                this.kvHeads = 1;
                this.layerNorms = 1;
            } else {
                if (configuredKvHeads != heads) {
                    throw new UnsupportedConfigException(config.source() + " sets num_kv_heads " + configuredKvHeads
                            + " with num_attention_heads " + heads + " and neither multi_query nor "
                            + "new_decoder_architecture; this layout has a key and value per head: set num_kv_heads "
                            + heads + " (or null)");
                }
                this.layout = QueryKeyValueLayout.PER_HEAD;
                this.kvHeads = heads;
                this.layerNorms = 1;
            }
            boolean useAlibi = config.optionalBoolean("alibi").orElse(false);
            this.rotary = useAlibi ? Optional.empty()
                    : Optional.of(PartialRotary.read(config, headDim, "partial_rotary_factor", 1.0, "rope_theta"));
        }

        /** The heads the cache holds: every query head in the grouped layout, as Transformers broadcasts them. */
        private int cacheHeads() {
            return layout == QueryKeyValueLayout.GROUPED ? heads : kvHeads;
        }

        @Override
        public DecoderSpec spec() {
            return spec(cacheHeads(), CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM,
                    rotary.isPresent() ? DecoderInputs.WITH_POSITION_IDS : DecoderInputs.WITHOUT_POSITION_IDS,
                    HEAD_WEIGHTS);
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            String prefix = base + "h." + index + ".";
            boolean twoNorms = layout == QueryKeyValueLayout.GROUPED && layerNorms == 2;
            Value attentionInput = layerNorm(prefix + (twoNorms ? "ln_attn" : "input_layernorm"), rows);
            List<Value> queryKeyValue = splitQueryKeyValue(prefix, attentionInput, inputs);
            Value query = queryKeyValue.get(0);
            Value key = queryKeyValue.get(1);
            Value value = queryKeyValue.get(2);
            int cacheHeads = cacheHeads();
            Optional<Value> scoreBias = Optional.empty();
            ScoreScale scale;
            if (rotary.isPresent()) {
                RotaryEmbedding.Angles angles = angles(rotary.get(), inputs);
                query = rotary.get().apply(graph, query, angles, headDim);
                key = rotary.get().apply(graph, key, angles, headDim);
                scale = ScoreScale.dividedBy(Math.sqrt(headDim));
            } else {
                if (alibi == null) {
                    // (q·kᵀ + alibi)·head_dim^−½ in the logits, + alibi / √head_dim through the mask
                    Value raw = Alibi.bfloat16Bias(graph, mask.mask(), heads);
                    double inverse = 1.0 / Math.sqrt(headDim);
                    alibi = graph.add(graph.mul(raw, graph.scalar(ElementType.FLOAT, inverse)),
                            graph.div(raw, graph.scalar(ElementType.FLOAT, Math.sqrt(headDim))));
                }
                scoreBias = Optional.of(alibi);
                scale = ScoreScale.multipliedBy(1.0 / Math.sqrt(headDim));
            }
            CachedAttention.Result attended = new CachedAttention(heads, cacheHeads, headDim, scale,
                    Masking.VISIBLE_OR_MINIMUM).apply(graph, query, key, value, past, scoreBias, mask);
            Value attentionOutput = Linear.load(parameters, prefix + "self_attention.dense", hidden, hidden, bias)
                    .apply(graph, attended.contextRows());
            Value output;
            if (layout == QueryKeyValueLayout.GROUPED || parallel) {
                Value mlpInput = twoNorms ? layerNorm(prefix + "ln_mlp", rows) : attentionInput;
                output = graph.add(graph.add(mlp(prefix, mlpInput), attentionOutput), rows);
            } else {
                Value residual = graph.add(attentionOutput, rows);
                output = graph.add(mlp(prefix, layerNorm(prefix + "post_attention_layernorm", residual)), residual);
            }
            return new LayerStep(output, attended);
        }

        /** Query {@code [batch, heads, sequence, head_dim]}, key and value with {@link #cacheHeads()} heads. */
        private List<Value> splitQueryKeyValue(String prefix, Value rows, DecoderInputs inputs) {
            long width = switch (layout) {
                case GROUPED -> (heads + 2L * kvHeads) * headDim;
                case MULTI_QUERY -> hidden + 2 * headDim;
                case PER_HEAD -> 3 * hidden;
            };
            Value fused = Linear.load(parameters, prefix + "self_attention.query_key_value", hidden, width, bias)
                    .apply(graph, rows);
            switch (layout) {
                case GROUPED -> {
                    long group = heads / kvHeads;
                    // [rows, kv_heads, group + 2, head_dim]: the group's queries, its key, its value
                    List<Value> parts = graph.split(graph.reshape(fused, -1, kvHeads, group + 2, headDim), 2, group,
                            1, 1);
                    Value expandShape = graph.constant(1, kvHeads, group, headDim);
                    return List.of(headsOf(parts.get(0), heads, inputs),
                            headsOf(graph.expand(parts.get(1), expandShape), heads, inputs),
                            headsOf(graph.expand(parts.get(2), expandShape), heads, inputs));
                }
                case MULTI_QUERY -> {
                    List<Value> parts = graph.split(fused, 1, hidden, headDim, headDim);
                    return List.of(headsOf(parts.get(0), heads, inputs), headsOf(parts.get(1), 1, inputs),
                            headsOf(parts.get(2), 1, inputs));
                }
                default -> {
                    List<Value> parts = graph.split(graph.reshape(fused, -1, heads, 3, headDim), 2, 1, 1, 1);
                    return List.of(headsOf(parts.get(0), heads, inputs), headsOf(parts.get(1), heads, inputs),
                            headsOf(parts.get(2), heads, inputs));
                }
            }
        }

        private Value mlp(String prefix, Value rows) {
            return mlp(prefix + "mlp.dense_h_to_4h", prefix + "mlp.dense_4h_to_h", intermediate, activation, bias,
                    rows);
        }

        private Value layerNorm(String prefix, Value rows) {
            return LayerNorm.load(parameters, prefix, hidden, epsilon).apply(graph, rows);
        }

        @Override
        public Value finalNorm(Value rows) {
            return layerNorm(base + "ln_f", rows);
        }
    }
}
