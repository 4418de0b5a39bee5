package org.exporters4j.models.bloom;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.TransformersRelease;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.Alibi;
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
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * BLOOM as Transformers 4.25.1 computes it ({@code modeling_bloom.py}): word embeddings with their own LayerNorm,
 * {@code n_layer} blocks of fused-QKV attention ({@code query_key_value} output viewed as {@code [heads, 3,
 * head_dim]}) with ALiBi position biases instead of position embeddings, scores {@code alibi + q·kᵀ/√head_dim}, and
 * a tanh-GELU MLP; residuals from the block input or, with {@code apply_residual_connection_post_layernorm}, from
 * the LayerNorm output; a final LayerNorm and {@code lm_head} tied to the embeddings.
 *
 * <p>The cache is BLOOM's own layout in Transformers 4.25.1 (key {@code (batch × heads, head_dim, past)}, value
 * {@code (batch × heads, past, head_dim)}) and the common {@code (batch, heads, past, head_dim)} in 4.51
 * ({@link TransformersRelease}).
 */
public final class BloomArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS =
            HeadWeights.standard(LastTokenPooling.COUNT_OF_NON_PADDING_MINUS_ONE);

    public BloomArchitecture() {
        super("bloom", "bloom", EnumSet.of(Head.BASE, Head.CAUSAL_LM, Head.SEQUENCE_CLASSIFICATION,
                Head.TOKEN_CLASSIFICATION), languageModelHeads());
    }

    @Override
    protected Decoder decoder(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, Variant variant,
                              TransformersRelease release) {
        return new Body(config, graph, parameters, release);
    }

    private static final class Body extends GptBody {
        private final boolean residualFromLayerNorm;
        private Value alibi;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, TransformersRelease release) {
            super(config, graph, parameters, AttentionHeads.read(config, "hidden_size", "n_head"), "n_layer",
                    GptBody.Embeddings.words("word_embeddings.weight"), cacheLayout(release),
                    DecoderInputs.WITHOUT_POSITION_IDS, HEAD_WEIGHTS);
            this.residualFromLayerNorm = config.optionalBoolean("apply_residual_connection_post_layernorm")
                    .orElse(false);
        }

        /**
         * Transformers 4.25.1's fused cache, or 4.51's {@code (batch, heads, past, head_dim)} key and value
         * ({@code DynamicCache} in {@code BloomAttention.forward}, Optimum 1.25.3's
         * {@code BloomOnnxConfig.add_past_key_values} with Transformers 4.44 and later).
         */
        private static CacheLayout cacheLayout(TransformersRelease release) {
            return switch (release) {
                case V4_25_1 -> CacheLayout.BLOOM_FUSED_BATCH_AND_HEADS;
                case V4_51 -> CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM;
            };
        }

        @Override
        public Value embed(DecoderInputs inputs) {
            // BloomModel: word_embeddings_layernorm on the word embeddings
            return layerNorm(base + "word_embeddings_layernorm", super.embed(inputs));
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            if (alibi == null) {
                alibi = Alibi.bias(graph, mask.mask(), heads);
            }
            String prefix = base + "h." + index + ".";
            Value normalized = layerNorm(prefix + "input_layernorm", rows);
            Value residual = residualFromLayerNorm ? normalized : rows;
            Value fused = Linear.load(parameters, prefix + "self_attention.query_key_value", hidden,
                    3 * hidden, Bias.WITH_BIAS).apply(graph, normalized);
            // [rows, heads, 3, head_dim]: query, key, value of each head side by side
            List<Value> parts = graph.split(graph.reshape(fused, -1, heads, 3, headDim), 2, 1, 1, 1);
            Value query = headsOf(parts.get(0), heads, inputs);
            Value key = headsOf(parts.get(1), heads, inputs);
            Value value = headsOf(parts.get(2), heads, inputs);
            CachedAttention.Result attended = new CachedAttention(heads, heads, headDim,
                    ScoreScale.multipliedBy(1.0 / Math.sqrt(headDim)), Masking.VISIBLE_OR_MINIMUM)
                    .apply(graph, query, key, value, past, Optional.of(alibi), mask);
            Value attentionOutput = graph.add(Linear.load(parameters, prefix + "self_attention.dense", hidden,
                    hidden, Bias.WITH_BIAS).apply(graph, attended.contextRows()), residual);
            Value feedForwardInput = layerNorm(prefix + "post_attention_layernorm", attentionOutput);
            Value feedForwardResidual = residualFromLayerNorm ? feedForwardInput : attentionOutput;
            Value down = mlp(prefix + "mlp.dense_h_to_4h", prefix + "mlp.dense_4h_to_h", 4 * hidden,
                    Activation.GELU_FAST, Bias.WITH_BIAS, feedForwardInput);
            return new LayerStep(graph.add(down, feedForwardResidual), attended);
        }
    }
}
