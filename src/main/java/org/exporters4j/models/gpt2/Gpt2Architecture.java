package org.exporters4j.models.gpt2;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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
import org.exporters4j.models.blocks.GptBody.Embeddings;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.DecoderArchitecture;
import org.exporters4j.models.blocks.DecoderInputs;
import org.exporters4j.models.blocks.DecoderInputs.LayerPast;
import org.exporters4j.models.blocks.FusedCachedAttention;
import org.exporters4j.models.blocks.LastTokenPooling;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * GPT-2 as Transformers 4.25.1 computes it in eval mode ({@code modeling_gpt2.py}): token + learned position
 * embeddings (positions counted from the cache length), {@code n_layer} pre-LayerNorm blocks of fused-QKV attention
 * ({@code c_attn}, GPT-2's {@code Conv1D} weights stored {@code [in, out]}) and a {@code Conv1D} MLP, a final
 * LayerNorm, then the head: {@code lm_head} tied to {@code wte}, {@code score} pooled at the last non-padding token,
 * or {@code classifier} per token.
 */
public final class Gpt2Architecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS =
            HeadWeights.standard(LastTokenPooling.COUNT_OF_NON_PADDING_MINUS_ONE);

    public Gpt2Architecture() {
        super("gpt2", "gpt2", EnumSet.of(Head.BASE, Head.CAUSAL_LM, Head.SEQUENCE_CLASSIFICATION,
                Head.TOKEN_CLASSIFICATION), languageModelHeads());
    }

    @Override
    protected Decoder decoder(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, Variant variant,
                              TransformersRelease release) {
        if (config.optionalBoolean("add_cross_attention").orElse(false)) {
            throw new UnsupportedConfigException(config.source() + " sets add_cross_attention true: a GPT-2 with "
                    + "cross-attention is the decoder of an encoder-decoder model, which exporters4j does not build "
                    + "as a decoder-only graph; export a checkpoint with add_cross_attention false");
        }
        return new Body(config, graph, parameters);
    }

    private static final class Body extends GptBody {
        private final long inner;
        private final Activation activation;
        private final boolean scaleByHeadWidth;
        private final boolean scaleByLayerIndex;
        /** The fused form's additive score bias, built by the first layer and shared by all. */
        private Value scoreBias;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            super(config, graph, parameters, AttentionHeads.read(config, "n_embd", "n_head"), "n_layer",
                    Embeddings.wordsAndPositions("wte.weight", "n_positions"),
                    CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM, DecoderInputs.WITH_POSITION_IDS, HEAD_WEIGHTS);
            this.inner = innerSize(config, "n_inner");
            this.activation = Activation.fromConfig(config, "activation_function");
            this.scaleByHeadWidth = config.optionalBoolean("scale_attn_weights").orElse(true);
            this.scaleByLayerIndex = config.optionalBoolean("scale_attn_by_inverse_layer_idx").orElse(false);
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            String prefix = base + "h." + index + ".";
            Value normalized = layerNorm(prefix + "ln_1", rows);
            Value qkv = Linear.conv1d(parameters, prefix + "attn.c_attn", hidden, 3 * hidden)
                    .apply(graph, normalized);
            List<Value> split = graph.split(qkv, 1, hidden, hidden, hidden);
            double divisor = (scaleByHeadWidth ? Math.sqrt(headDim) : 1.0) * (scaleByLayerIndex ? index + 1 : 1.0);
            if (parameters.form().fused()) {
                return fusedLayer(prefix, rows, split, inputs, mask, past, divisor);
            }
            Value query = splitHeads(split.get(0), inputs);
            Value key = splitHeads(split.get(1), inputs);
            Value value = splitHeads(split.get(2), inputs);
            ScoreScale scale = divisor == 1.0 ? ScoreScale.none() : ScoreScale.dividedBy(divisor);
            CachedAttention.Result attended = new CachedAttention(heads, heads, headDim, scale,
                    Masking.CAUSAL_THEN_ADDITIVE_PADDING).apply(graph, query, key, value, past, mask);
            Value attentionOutput = Linear.conv1d(parameters, prefix + "attn.c_proj", hidden, hidden)
                    .apply(graph, attended.contextRows());
            Value residual = graph.add(attentionOutput, rows);
            Value feedForwardInput = layerNorm(prefix + "ln_2", residual);
            Value up = activation.apply(graph, Linear.conv1d(parameters, prefix + "mlp.c_fc", hidden, inner)
                    .apply(graph, feedForwardInput));
            Value down = Linear.conv1d(parameters, prefix + "mlp.c_proj", inner, hidden).apply(graph, up);
            return new LayerStep(graph.add(residual, down), attended);
        }

        /**
         * The layer in the fused form: MultiHeadAttention over the cache ({@link FusedCachedAttention}), the
         * attention residual and {@code ln_2} as one SkipLayerNormalization (with {@code c_proj}'s bias), and the MLP's
         * activation with {@code c_fc}'s bias as FastGelu (gelu_new, GPT-2's default, and the other tanh forms) or
         * BiasGelu (exact GELU). Every dense layer is the plain form's {@link Linear} (the biases taken by the fused
         * nodes), so {@code --quantize} stores the same weights in the same scheme as in the plain form.
         */
        private LayerStep fusedLayer(String prefix, Value rows, List<Value> qkv, DecoderInputs inputs,
                                     CausalMask mask, Optional<LayerPast> past, double divisor) {
            if (scoreBias == null) {
                scoreBias = FusedCachedAttention.scoreBias(graph, mask, Masking.CAUSAL_THEN_ADDITIVE_PADDING,
                        OptionalLong.empty());
            }
            CachedAttention.Result attended = FusedCachedAttention.apply(graph, qkv.get(0), qkv.get(1), qkv.get(2),
                    inputs.grid(), past, scoreBias, heads, headDim, 1.0 / divisor);
            Linear outputProjection = Linear.conv1d(parameters, prefix + "attn.c_proj", hidden, hidden);
            Value projected = outputProjection.productOnly().applyToLastAxis(graph, attended.contextRows());
            List<Value> normalized = graph.skipLayerNormalization(inputs.grid().unflatten(graph, projected, hidden),
                    inputs.grid().unflatten(graph, rows, hidden), parameters.tensor(prefix + "ln_2.weight", hidden),
                    parameters.tensor(prefix + "ln_2.bias", hidden),
                    outputProjection.bias().orElseThrow(), epsilon);
            Value feedForwardInput = graph.reshape(normalized.get(0), -1, hidden);
            Value residual = graph.reshape(normalized.get(1), -1, hidden);
            Linear upProjection = Linear.conv1d(parameters, prefix + "mlp.c_fc", hidden, inner);
            Value up = upProjection.productOnly().applyToLastAxis(graph, feedForwardInput);
            Value upBias = upProjection.bias().orElseThrow();
            Value activated = switch (activation) {
                case GELU, GELU_PYTHON -> graph.biasGelu(up, upBias);
                case GELU_NEW, GELU_FAST, GELU_PYTORCH_TANH -> graph.fastGelu(up, upBias);
                default -> activation.apply(graph, graph.add(up, upBias));
            };
            Value down = Linear.conv1d(parameters, prefix + "mlp.c_proj", inner, hidden).apply(graph, activated);
            return new LayerStep(graph.add(residual, down), attended);
        }
    }
}
