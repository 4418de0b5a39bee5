package org.exporters4j.models.phi;

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
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Phi (phi-1, phi-1.5, phi-2) as Transformers 4.51 computes it ({@code modeling_phi.py}): token embeddings,
 * {@code num_hidden_layers} blocks where attention and the MLP read the same {@code input_layernorm} output and are
 * added to the residual together ({@code x + attn(ln(x)) + mlp(ln(x))}); attention with biased {@code q_proj},
 * {@code k_proj}, {@code v_proj} ({@code num_key_value_heads} key/value heads) and {@code dense}, an optional
 * LayerNorm over each query and key head ({@code qk_layernorm}: {@code q_layernorm}, {@code k_layernorm}, shared by
 * the heads), rotary embeddings ({@code rotate_half}) on the first {@code int(head_dim · partial_rotary_factor)}
 * channels, scores times {@code head_dim^−½}; an MLP {@code fc2(act(fc1(x)))}; {@code final_layernorm}, then the
 * head: {@code lm_head} with a bias, or {@code score}.
 */
public final class PhiArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS = HeadWeights.standard(LastTokenPooling.RIGHTMOST_NON_PADDING);

    /** @param heads the heads built without the cache (the bare model and the LM head are also built with it) */
    public PhiArchitecture(String modelType, Set<Head> heads) {
        super(modelType, "phi", heads, languageModelHeads(), Body::new);
    }

    private static final class Body extends PartialRotaryBody {
        private final boolean queryKeyNorm;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            super(config, graph, parameters, "model", "embed_tokens.weight", "partial_rotary_factor", 0.5,
                    "rope_theta", KeyValueHeads.FROM_CONFIG, HEAD_WEIGHTS);
            this.queryKeyNorm = config.optionalBoolean("qk_layernorm").orElse(false);
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            RotaryEmbedding.Angles angles = angles(inputs);
            String prefix = base + "layers." + index + ".";
            Value normalized = layerNorm(prefix + "input_layernorm", rows);
            Value query = projectHeads(prefix + "self_attn.q_proj", normalized, heads, Bias.WITH_BIAS, inputs);
            Value key = projectHeads(prefix + "self_attn.k_proj", normalized, kvHeads, Bias.WITH_BIAS, inputs);
            Value value = projectHeads(prefix + "self_attn.v_proj", normalized, kvHeads, Bias.WITH_BIAS, inputs);
            if (queryKeyNorm) {
                query = LayerNorm.load(parameters, prefix + "self_attn.q_layernorm", headDim, epsilon)
                        .apply(graph, query);
                key = LayerNorm.load(parameters, prefix + "self_attn.k_layernorm", headDim, epsilon)
                        .apply(graph, key);
            }
            query = rotary.apply(graph, query, angles, headDim);
            key = rotary.apply(graph, key, angles, headDim);
            CachedAttention.Result attended = new CachedAttention(heads, kvHeads, headDim,
                    ScoreScale.multipliedBy(Math.pow(headDim, -0.5)), Masking.VISIBLE_OR_MINIMUM)
                    .apply(graph, query, key, value, past, mask);
            Value attentionOutput = Linear.load(parameters, prefix + "self_attn.dense", heads * headDim, hidden)
                    .apply(graph, attended.contextRows());
            Value feedForward = mlp(prefix + "mlp.fc1", prefix + "mlp.fc2", intermediate, activation, Bias.WITH_BIAS,
                    normalized);
            Value output = graph.add(graph.add(attentionOutput, feedForward), rows);
            return new LayerStep(output, attended);
        }

        @Override
        public Value finalNorm(Value rows) {
            return layerNorm(base + "final_layernorm", rows);
        }

        @Override
        public Value languageModelLogits(Value rows) {
            return biasedLanguageModelLogits(rows);
        }
    }
}
