package org.exporters4j.models.gptneo;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.TransformersRelease;
import org.exporters4j.models.UnsupportedConfigException;
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
import org.exporters4j.models.blocks.LastTokenPooling;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * GPT-Neo as Transformers 4.25.1 or 4.51 computes it ({@code modeling_gpt_neo.py}, {@link TransformersRelease}):
 * GPT-2's layout with separate bias-free q/k/v projections, unscaled attention scores, and layers that alternate
 * between global attention and local attention over the last {@code window_size} positions
 * ({@code attention_layers}).
 */
public final class GptNeoArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS =
            HeadWeights.standard(LastTokenPooling.COUNT_OF_NON_PADDING_MINUS_ONE);

    public GptNeoArchitecture() {
        super("gpt-neo", "gptneo", EnumSet.of(Head.BASE, Head.CAUSAL_LM, Head.SEQUENCE_CLASSIFICATION),
                languageModelHeads());
    }

    @Override
    protected Decoder decoder(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, Variant variant,
                              TransformersRelease release) {
        return new Body(config, graph, parameters, release);
    }

    private static final class Body extends GptBody {
        private final long inner;
        private final Activation activation;
        private final List<OptionalLong> windows;
        private final Masking masking;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, TransformersRelease release) {
            super(config, graph, parameters, AttentionHeads.read(config, "hidden_size", "num_heads"), "num_layers",
                    Embeddings.wordsAndPositions("wte.weight", "max_position_embeddings"),
                    CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM, DecoderInputs.WITH_POSITION_IDS, HEAD_WEIGHTS);
            this.inner = innerSize(config, "intermediate_size");
            this.activation = Activation.fromConfig(config, "activation_function");
            // Transformers 4.51 adds its 4-D causal-and-padding mask to scores already masked to the layer's
            // window; 4.25.1 adds the padding alone. They differ on queries that see no real key (left padding).
            this.masking = switch (release) {
                case V4_25_1 -> Masking.CAUSAL_THEN_ADDITIVE_PADDING;
                case V4_51 -> Masking.CAUSAL_THEN_ADDITIVE_CAUSAL_AND_PADDING;
            };
            List<String> kinds = config.stringList("attention_layers");
            if (kinds.size() != layers) {
                throw new UnsupportedConfigException(config.source() + " lists " + kinds.size()
                        + " attention_layers (from attention_types) for num_layers " + layers
                        + "; GPT-Neo needs one attention type per layer");
            }
            long window = config.intValue("window_size");
            this.windows = kinds.stream().map(kind -> switch (kind) {
                case "global" -> OptionalLong.empty();
                case "local" -> OptionalLong.of(window);
                default -> throw new UnsupportedConfigException(config.source() + " sets attention type \"" + kind
                        + "\" in attention_types; GPT-Neo has global and local");
            }).toList();
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            String prefix = base + "h." + index + ".";
            String attentionPrefix = prefix + "attn.attention.";
            Value normalized = layerNorm(prefix + "ln_1", rows);
            Value query = projectHeads(attentionPrefix + "q_proj", normalized, heads, Bias.WITHOUT_BIAS, inputs);
            Value key = projectHeads(attentionPrefix + "k_proj", normalized, heads, Bias.WITHOUT_BIAS, inputs);
            Value value = projectHeads(attentionPrefix + "v_proj", normalized, heads, Bias.WITHOUT_BIAS, inputs);
            // GPT-Neo does not scale its attention scores
            CachedAttention.Result attended = new CachedAttention(heads, heads, headDim, ScoreScale.none(), masking,
                    windows.get(index)).apply(graph, query, key, value, past, mask);
            Value attentionOutput = Linear.load(parameters, attentionPrefix + "out_proj", hidden, hidden,
                    Bias.WITH_BIAS).apply(graph, attended.contextRows());
            Value residual = graph.add(attentionOutput, rows);
            Value feedForwardInput = layerNorm(prefix + "ln_2", residual);
            Value down = mlp(prefix + "mlp.c_fc", prefix + "mlp.c_proj", inner, activation, Bias.WITH_BIAS,
                    feedForwardInput);
            return new LayerStep(graph.add(residual, down), attended);
        }
    }
}
