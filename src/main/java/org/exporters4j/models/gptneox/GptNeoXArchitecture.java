package org.exporters4j.models.gptneox;

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
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.PartialRotaryBody;
import org.exporters4j.models.blocks.RotaryEmbedding;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * GPT-NeoX as Transformers 4.51 computes it ({@code modeling_gpt_neox.py}): token embeddings {@code embed_in},
 * {@code num_hidden_layers} blocks of fused-QKV multi-head attention ({@code query_key_value}'s output viewed as
 * {@code [heads, 3 × head_dim]}: each head's query, key and value side by side) with rotary embeddings
 * ({@code rotate_half}) on the first {@code int(head_dim · rotary_pct)} channels of each head (base
 * {@code rotary_emb_base}), scores times {@code head_dim^−½}, and a GELU MLP ({@code dense_h_to_4h},
 * {@code dense_4h_to_h}); with {@code use_parallel_residual} (the default) the block is
 * {@code x + attn(ln₁(x)) + mlp(ln₂(x))}, else {@code h = x + attn(ln₁(x))}, {@code h + mlp(ln₂(h))}; then
 * {@code final_layer_norm} and the head: {@code embed_out} (untied unless {@code tie_word_embeddings}),
 * {@code score}, {@code classifier} or {@code qa_outputs}. Biases on the attention projections follow
 * {@code attention_bias}.
 */
public final class GptNeoXArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS = HeadWeights.standard(LastTokenPooling.RIGHTMOST_NON_PADDING);

    /** @param heads the heads built without the cache (the bare model and the LM head are also built with it) */
    public GptNeoXArchitecture(String modelType, Set<Head> heads) {
        super(modelType, "gptneox", heads, languageModelHeads(), Body::new);
    }

    private static final class Body extends PartialRotaryBody {
        private final Bias attentionBias;
        private final boolean parallelResidual;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            super(config, graph, parameters, "gpt_neox", "embed_in.weight", "rotary_pct", 0.25,
                    "rotary_emb_base", KeyValueHeads.PER_QUERY_HEAD, HEAD_WEIGHTS);
            this.attentionBias = Bias.when(config.optionalBoolean("attention_bias").orElse(true));
            this.parallelResidual = config.optionalBoolean("use_parallel_residual").orElse(true);
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            RotaryEmbedding.Angles angles = angles(inputs);
            String prefix = base + "layers." + index + ".";
            Value fused = Linear.load(parameters, prefix + "attention.query_key_value", hidden, 3 * hidden,
                    attentionBias).apply(graph, layerNorm(prefix + "input_layernorm", rows));
            // [rows, heads, 3 × head_dim]: each head's query, key and value side by side
            List<Value> parts = graph.split(graph.reshape(fused, -1, heads, 3 * headDim), 2, headDim, headDim,
                    headDim);
            Value query = rotary.apply(graph, headsOf(parts.get(0), heads, inputs), angles, headDim);
            Value key = rotary.apply(graph, headsOf(parts.get(1), heads, inputs), angles, headDim);
            Value value = headsOf(parts.get(2), heads, inputs);
            CachedAttention.Result attended = new CachedAttention(heads, heads, headDim,
                    ScoreScale.multipliedBy(Math.pow(headDim, -0.5)), Masking.VISIBLE_OR_MINIMUM)
                    .apply(graph, query, key, value, past, mask);
            Value attentionOutput = Linear.load(parameters, prefix + "attention.dense", hidden, hidden,
                    attentionBias).apply(graph, attended.contextRows());
            Value output;
            if (parallelResidual) {
                Value feedForward = mlp(prefix, layerNorm(prefix + "post_attention_layernorm", rows));
                output = graph.add(graph.add(feedForward, attentionOutput), rows);
            } else {
                Value attended2 = graph.add(attentionOutput, rows);
                output = graph.add(mlp(prefix, layerNorm(prefix + "post_attention_layernorm", attended2)),
                        attended2);
            }
            return new LayerStep(output, attended);
        }

        private Value mlp(String prefix, Value rows) {
            return mlp(prefix + "mlp.dense_h_to_4h", prefix + "mlp.dense_4h_to_h", intermediate, activation,
                    Bias.WITH_BIAS, rows);
        }

        @Override
        public Value finalNorm(Value rows) {
            return layerNorm(base + "final_layer_norm", rows);
        }

        @Override
        public Value languageModelLogits(Value rows) {
            return tiedLanguageModelLogits("embed_out.weight", rows);
        }
    }
}
