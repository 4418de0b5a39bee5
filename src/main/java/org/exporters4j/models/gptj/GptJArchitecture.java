package org.exporters4j.models.gptj;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.TransformersRelease;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.CacheLayout;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CachedAttention.Masking;
import org.exporters4j.models.blocks.GptBody;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.DecoderArchitecture;
import org.exporters4j.models.blocks.DecoderInputs;
import org.exporters4j.models.blocks.DecoderInputs.LayerPast;
import org.exporters4j.models.blocks.LastTokenPooling;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.RotaryEmbedding;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * GPT-J and CodeGen as Transformers 4.25.1 computes them ({@code modeling_gptj.py}, {@code modeling_codegen.py}):
 * token embeddings only, {@code n_layer} blocks where attention and the MLP read the same {@code ln_1} output and
 * are added to the residual together, rotary embeddings ({@code rotate_every_two}, base 10000) on the first
 * {@code rotary_dim} channels of each query and key head (the whole head when it is null) at positions counted from
 * the cache length, scores divided by √head_dim, a final LayerNorm and an {@code lm_head} with a bias.
 */
public final class GptJArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS =
            HeadWeights.standard(LastTokenPooling.COUNT_OF_NON_PADDING_MINUS_ONE);
    /** CodeGen's model-parallel blocks in {@code qkv_proj}'s output ({@code mp_num}). */
    private static final int CODEGEN_BLOCKS = 4;

    private final GptJFlavor flavor;

    /**
     * @param heads the heads built without the cache ({@link Head#BASE} and {@link Head#CAUSAL_LM} are also built with
     *     it where {@code headsWithPast} says so)
     * @param headsWithPast the heads built with the cache (CodeGen's too, though Optimum 1.5.2 registers no with-past
     *     task for it)
     */
    public GptJArchitecture(String modelType, GptJFlavor flavor, Set<Head> heads, Set<Head> headsWithPast) {
        super(modelType, "gptj", heads, headsWithPast);
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    @Override
    protected Decoder decoder(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, Variant variant,
                              TransformersRelease release) {
        return new Body(config, graph, parameters);
    }

    private final class Body extends GptBody {
        private final long inner;
        private final Activation activation;
        private final RotaryEmbedding rotary;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            super(config, graph, parameters, AttentionHeads.read(config, "n_embd", "n_head"), "n_layer",
                    GptBody.Embeddings.words("wte.weight"),
                    CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM, DecoderInputs.WITH_POSITION_IDS, HEAD_WEIGHTS);
            if (flavor.projections() == GptJFlavor.Projections.CODEGEN_FUSED && heads % CODEGEN_BLOCKS != 0) {
                throw new UnsupportedConfigException(config.source() + ": n_head " + heads + " is not a multiple of "
                        + CODEGEN_BLOCKS + "; CodeGen's qkv_proj holds its heads in " + CODEGEN_BLOCKS
                        + " model-parallel blocks");
            }
            this.inner = innerSize(config, "n_inner");
            this.activation = Activation.fromConfig(config, "activation_function");
            long rotaryDim = config.optionalInt("rotary_dim").map(Integer::longValue).orElse(headDim);
            if (rotaryDim <= 0 || rotaryDim > headDim || rotaryDim % 2 != 0) {
                throw new UnsupportedConfigException(config.source() + " sets rotary_dim " + rotaryDim + "; it must "
                        + "be even and at most the head width " + headDim + " (n_embd / n_head)");
            }
            this.rotary = RotaryEmbedding.unscaled(rotaryDim, 10000.0, RotaryEmbedding.Style.INTERLEAVED);
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            RotaryEmbedding.Angles angles = angles(rotary, inputs);
            String prefix = base + "h." + index + ".";
            Value normalized = layerNorm(prefix + "ln_1", rows);
            List<Value> queryKeyValue = switch (flavor.projections()) {
                case SEPARATE -> List.of(
                        projection(prefix + "attn.q_proj", normalized),
                        projection(prefix + "attn.k_proj", normalized),
                        projection(prefix + "attn.v_proj", normalized));
                case CODEGEN_FUSED -> codegenQueryKeyValue(prefix, normalized);
            };
            Value query = rotary.apply(graph, splitHeads(queryKeyValue.get(0), inputs), angles, headDim);
            Value key = rotary.apply(graph, splitHeads(queryKeyValue.get(1), inputs), angles, headDim);
            Value value = splitHeads(queryKeyValue.get(2), inputs);
            // GPT-J divides by √head_dim after the causal where (CodeGen before): the same scores wherever a key
            // is visible, and only a query that sees no key at all (left padding) tells the orders apart
            CachedAttention.Result attended = new CachedAttention(heads, heads, headDim,
                    ScoreScale.dividedBy(Math.sqrt(headDim)), Masking.CAUSAL_THEN_ADDITIVE_PADDING)
                    .apply(graph, query, key, value, past, mask);
            Value attentionOutput = projection(prefix + "attn.out_proj", attended.contextRows());
            Value feedForward = mlp(prefix + "mlp.fc_in", prefix + "mlp.fc_out", inner, activation, Bias.WITH_BIAS,
                    normalized);
            // attn_output + feed_forward_hidden_states + residual
            Value output = graph.add(graph.add(attentionOutput, feedForward), rows);
            return new LayerStep(output, attended);
        }

        private Value projection(String prefix, Value rows) {
            return Linear.load(parameters, prefix, hidden, hidden, Bias.WITHOUT_BIAS).apply(graph, rows);
        }

        /**
         * CodeGen's fused projection split as {@code modeling_codegen.py} splits it: the output viewed as
         * {@code [rows, 4, 3 × hidden / 4]}, each block holding query, value, key for a quarter of the heads.
         */
        private List<Value> codegenQueryKeyValue(String prefix, Value rows) {
            Value fused = Linear.load(parameters, prefix + "attn.qkv_proj", hidden, 3 * hidden,
                    Bias.WITHOUT_BIAS).apply(graph, rows);
            long local = hidden / CODEGEN_BLOCKS;
            Value blocks = graph.reshape(fused, -1, CODEGEN_BLOCKS, 3 * local);
            List<Value> parts = graph.split(blocks, 2, local, local, local);
            Value query = graph.reshape(parts.get(0), -1, hidden);
            Value value = graph.reshape(parts.get(1), -1, hidden);
            Value key = graph.reshape(parts.get(2), -1, hidden);
            return List.of(query, key, value);
        }

        @Override
        public Value languageModelLogits(Value rows) {
            return biasedLanguageModelLogits(rows);
        }
    }
}
