package org.exporters4j.models.stablelm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CachedAttention.Masking;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.DecoderArchitecture;
import org.exporters4j.models.blocks.DecoderInputs;
import org.exporters4j.models.blocks.DecoderInputs.LayerPast;
import org.exporters4j.models.blocks.LastTokenPooling;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.PartialRotaryBody;
import org.exporters4j.models.blocks.RotaryEmbedding;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * StableLM (stablelm-2, stablelm-3b-4e1t) as Transformers 4.51 computes it ({@code modeling_stablelm.py}): token
 * embeddings, {@code num_hidden_layers} pre-LayerNorm blocks of grouped-query attention ({@code q_proj},
 * {@code k_proj}, {@code v_proj} with biases when {@code use_qkv_bias}, {@code o_proj} without; with
 * {@code qk_layernorm} a bias-free LayerNorm of its own for every query and key head, {@code q_layernorm.norms.<h>})
 * and rotary embeddings ({@code rotate_half}) on the first {@code int(head_dim · partial_rotary_factor)} channels,
 * scores divided by √head_dim, and a SwiGLU MLP ({@code down(act(gate(x)) · up(x))}); the block is
 * {@code h = x + attn(ln(x))}, {@code h + mlp(post_attention_layernorm(h))}, or with {@code use_parallel_residual}
 * {@code x + attn(ln(x)) + mlp(ln(x))}; the final LayerNorm {@code norm}, then {@code lm_head} or {@code score}.
 */
public final class StableLmArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS = new HeadWeights("score", Bias.WITHOUT_BIAS,
            LastTokenPooling.RIGHTMOST_NON_PADDING, "score", Bias.WITH_BIAS, "qa_outputs");

    /** @param heads the heads built without the cache (the bare model and the LM head are also built with it) */
    public StableLmArchitecture(String modelType, Set<Head> heads) {
        super(modelType, "stablelm", heads, languageModelHeads(), Body::new);
    }

    private static final class Body extends PartialRotaryBody {
        private final Bias queryKeyValueBias;
        private final boolean queryKeyNorm;
        private final boolean parallelResidual;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            super(config, graph, parameters, "model", "embed_tokens.weight", "partial_rotary_factor", 0.25,
                    "rope_theta", KeyValueHeads.FROM_CONFIG, HEAD_WEIGHTS);
            this.queryKeyValueBias = Bias.when(config.optionalBoolean("use_qkv_bias").orElse(false));
            this.queryKeyNorm = config.optionalBoolean("qk_layernorm").orElse(false);
            this.parallelResidual = config.optionalBoolean("use_parallel_residual").orElse(false);
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            RotaryEmbedding.Angles angles = angles(inputs);
            String prefix = base + "layers." + index + ".";
            Value normalized = layerNorm(prefix + "input_layernorm", rows);
            Value query = projectHeads(prefix + "self_attn.q_proj", normalized, heads, queryKeyValueBias, inputs);
            Value key = projectHeads(prefix + "self_attn.k_proj", normalized, kvHeads, queryKeyValueBias, inputs);
            Value value = projectHeads(prefix + "self_attn.v_proj", normalized, kvHeads, queryKeyValueBias, inputs);
            if (queryKeyNorm) {
                query = perHeadNorm(prefix + "self_attn.q_layernorm", query, heads);
                key = perHeadNorm(prefix + "self_attn.k_layernorm", key, kvHeads);
            }
            query = rotary.apply(graph, query, angles, headDim);
            key = rotary.apply(graph, key, angles, headDim);
            CachedAttention.Result attended = new CachedAttention(heads, kvHeads, headDim,
                    ScoreScale.dividedBy(Math.sqrt(headDim)), Masking.VISIBLE_OR_MINIMUM)
                    .apply(graph, query, key, value, past, mask);
            Value attentionOutput = Linear.load(parameters, prefix + "self_attn.o_proj", heads * headDim, hidden,
                    Bias.WITHOUT_BIAS).apply(graph, attended.contextRows());
            Value output;
            if (parallelResidual) {
                output = graph.add(graph.add(rows, attentionOutput), mlp(prefix, normalized));
            } else {
                Value residual = graph.add(rows, attentionOutput);
                output = graph.add(residual, mlp(prefix, layerNorm(prefix + "post_attention_layernorm", residual)));
            }
            return new LayerStep(output, attended);
        }

        /**
         * {@code StableLmLayerNormPerHead}: head {@code h} of {@code x} {@code [batch, heads, sequence, head_dim]}
         * normalized by its own bias-free LayerNorm {@code <prefix>.norms.<h>}.
         */
        private Value perHeadNorm(String prefix, Value x, int headCount) {
            List<Value> weights = new ArrayList<>();
            for (int head = 0; head < headCount; head++) {
                weights.add(parameters.tensor(prefix + ".norms." + head + ".weight", headDim));
            }
            Value scale = graph.reshape(graph.concat(0, weights.toArray(Value[]::new)), headCount, 1, headDim);
            Value ones = graph.constantOfShape(graph.constant(headDim), ElementType.FLOAT, 1.0);
            Value zeros = graph.constantOfShape(graph.constant(headDim), ElementType.FLOAT, 0.0);
            return graph.mul(new LayerNorm(ones, zeros, epsilon).apply(graph, x), scale);
        }

        private Value mlp(String prefix, Value rows) {
            Value gate = activation.apply(graph, Linear.load(parameters, prefix + "mlp.gate_proj", hidden,
                    intermediate, Bias.WITHOUT_BIAS).apply(graph, rows));
            Value up = Linear.load(parameters, prefix + "mlp.up_proj", hidden, intermediate, Bias.WITHOUT_BIAS)
                    .apply(graph, rows);
            return Linear.load(parameters, prefix + "mlp.down_proj", intermediate, hidden, Bias.WITHOUT_BIAS)
                    .apply(graph, graph.mul(gate, up));
        }

        @Override
        public Value finalNorm(Value rows) {
            return layerNorm(base + "norm", rows);
        }
    }
}
