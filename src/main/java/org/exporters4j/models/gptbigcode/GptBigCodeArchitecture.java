package org.exporters4j.models.gptbigcode;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
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
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * GPT-BigCode (SantaCoder, StarCoder) as Transformers 4.51 computes it ({@code modeling_gpt_bigcode.py}, eager
 * attention, float32): {@code wte} plus learned positions {@code wpe} at {@code position_ids} or, without them,
 * {@code cumsum(mask) − 1} (1 on padding) as its forward makes them for batch generation; {@code n_layer} GPT-2
 * style pre-LayerNorm blocks ({@code ln_1}, {@code ln_2}) with {@code nn.Linear} projections: {@code attn.c_attn}
 * gives the queries and the key/value pair, with {@code multi_query} (the default) all query heads then one shared
 * key and value head, else per head query, key and value side by side; scores times {@code head_dim^−½} when
 * {@code scale_attn_weights}; an MLP {@code c_proj(act(c_fc(x)))}; {@code ln_f}, then {@code lm_head} (tied),
 * {@code score} or {@code classifier}.
 *
 * <p>The cache is GPT-BigCode's own: key and value side by side in one tensor per layer
 * ({@code past_key_values.<i>.key_value}), {@code (batch, past, 2 · head_dim)} with multi-query attention,
 * {@code (batch, heads, past, 2 · head_dim)} without.
 */
public final class GptBigCodeArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS = new HeadWeights("score", Bias.WITHOUT_BIAS,
            LastTokenPooling.RIGHTMOST_NON_PADDING, "classifier", Bias.WITH_BIAS, "qa_outputs");
    /** The position GPT-BigCode's forward gives padding tokens when it counts positions from the mask. */
    private static final long PADDING_POSITION = 1;

    /** @param heads the heads built without the cache (the bare model and the LM head are also built with it) */
    public GptBigCodeArchitecture(String modelType, Set<Head> heads) {
        super(modelType, "gptbigcode", heads, languageModelHeads(), Body::new);
    }

    private static final class Body extends DecoderBody {
        private final long inner;
        private final long positions;
        private final double epsilon;
        private final Activation activation;
        private final boolean multiQuery;
        private final ScoreScale scale;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            super(config, graph, parameters, AttentionHeads.read(config, "n_embd", "n_head"), "n_layer",
                    "transformer", "wte.weight");
            this.inner = config.optionalInt("n_inner").map(Integer::longValue).orElse(4 * hidden);
            this.positions = config.intValue("n_positions");
            this.epsilon = config.doubleValue("layer_norm_epsilon");
            this.activation = Activation.fromConfig(config, "activation_function");
            this.multiQuery = config.optionalBoolean("multi_query").orElse(true);
            this.scale = config.optionalBoolean("scale_attn_weights").orElse(true)
                    ? ScoreScale.multipliedBy(1.0 / Math.sqrt(headDim)) : ScoreScale.none();
        }

        private int kvHeads() {
            return multiQuery ? 1 : heads;
        }

        @Override
        public DecoderSpec spec() {
            return spec(kvHeads(), multiQuery ? CacheLayout.MULTI_QUERY_FUSED_KEY_VALUE
                    : CacheLayout.HEADS_FUSED_KEY_VALUE, DecoderInputs.WITH_POSITION_IDS, HEAD_WEIGHTS);
        }

        @Override
        public Value embed(DecoderInputs inputs) {
            Value words = graph.gather(parameters.tensor(wordEmbeddings(), vocab, hidden), inputs.inputIds(), 0);
            Value learned = graph.gather(parameters.tensor(base + "wpe.weight", positions, hidden),
                    inputs.positionsCountedByMask(graph, PADDING_POSITION), 0);
            return graph.reshape(graph.add(words, learned), -1, hidden);
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            String prefix = base + "h." + index + ".";
            Value normalized = layerNorm(prefix + "ln_1", rows);
            int kvHeads = kvHeads();
            Value fused = Linear.load(parameters, prefix + "attn.c_attn", hidden, hidden + 2L * kvHeads * headDim)
                    .apply(graph, normalized);
            List<Value> parts = multiQuery
                    // [rows, hidden + 2 · head_dim]: every query head, then the one key and value head
                    ? graph.split(fused, 1, hidden, headDim, headDim)
                    // [rows, heads, 3 · head_dim]: each head's query, key and value side by side
                    : graph.split(graph.reshape(fused, -1, heads, 3 * headDim), 2, headDim, headDim, headDim);
            Value query = headsOf(parts.get(0), heads, inputs);
            Value key = headsOf(parts.get(1), kvHeads, inputs);
            Value value = headsOf(parts.get(2), kvHeads, inputs);
            CachedAttention.Result attended = new CachedAttention(heads, kvHeads, headDim, scale,
                    Masking.VISIBLE_OR_MINIMUM).apply(graph, query, key, value, past, mask);
            Value attentionOutput = graph.add(Linear.load(parameters, prefix + "attn.c_proj", hidden, hidden)
                    .apply(graph, attended.contextRows()), rows);
            Value output = graph.add(attentionOutput, mlp(prefix + "mlp.c_fc", prefix + "mlp.c_proj", inner,
                    activation, Bias.WITH_BIAS, layerNorm(prefix + "ln_2", attentionOutput)));
            return new LayerStep(output, attended);
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
