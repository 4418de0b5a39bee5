package org.exporters4j.models.llama;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.CacheLayout;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CachedAttention.Masking;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.DecoderArchitecture;
import org.exporters4j.models.blocks.DecoderInputs;
import org.exporters4j.models.blocks.DecoderInputs.LayerPast;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.RotaryEmbedding;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The Llama family (llama, mistral, qwen2) as Transformers computes it in eval mode ({@code modeling_llama.py} 4.31
 * for llama, whose fixtures are the reference; Mistral's and Qwen2's differences as {@link LlamaFlavor} data):
 * token embeddings, {@code num_hidden_layers} pre-RMSNorm blocks of grouped-query attention ({@code
 * num_key_value_heads} key/value heads, rotary embeddings over the whole head with {@code rope_theta}, linear
 * {@code rope_scaling}, an optional sliding window) and a SwiGLU MLP ({@code down(act(gate(x)) · up(x))}), a final
 * RMSNorm, then the head: {@code lm_head} (tied to the embeddings when {@code tie_word_embeddings}) or {@code score}.
 *
 * <p>The cache holds {@code num_key_value_heads} heads (Optimum 1.10 sizes it by the query heads and fails to
 * export grouped-query models with past); positions are {@code position_ids} when the interface has them, else
 * counted from the cache length, as Transformers does without them.
 */
public final class LlamaArchitecture extends DecoderArchitecture {

    private final LlamaFlavor flavor;

    public LlamaArchitecture(LlamaFlavor flavor) {
        super(flavor.modelType(), "llama", flavor.heads(), languageModelHeads());
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    public LlamaFlavor flavor() {
        return flavor;
    }

    @Override
    protected Decoder decoder(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, Variant variant) {
        return new Body(config, graph, parameters);
    }

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
        private final Activation activation;
        private final RotaryEmbedding rotary;
        private final Bias queryKeyValueBias;
        private final Bias outputBias;
        private final Bias mlpBias;
        private final List<OptionalLong> windows;
        private final EmbeddingTie tie;
        private RotaryEmbedding.Angles angles;

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
            this.epsilon = config.doubleValue("rms_norm_eps");
            this.activation = Activation.fromConfig(config, "hidden_act");
            double theta = config.optionalDouble("rope_theta").orElse(10000.0);
            double partial = config.optionalDouble("partial_rotary_factor").orElse(1.0);
            if (partial != 1.0) {
                throw new UnsupportedConfigException(config.source() + " sets partial_rotary_factor " + partial
                        + "; the " + flavor.modelType() + " graph rotates whole heads: remove the option or set 1.0");
            }
            this.rotary = RotaryEmbedding.fromConfig(config, theta, headDim, RotaryEmbedding.Style.HALF_SPLIT,
                    RotaryEmbedding.Scaling.FROM_CONFIG);
            boolean attentionBias = config.optionalBoolean("attention_bias").orElse(false);
            switch (flavor.attentionBias()) {
                case FROM_ATTENTION_BIAS_OPTION -> {
                    queryKeyValueBias = attentionBias ? Bias.WITH_BIAS : Bias.WITHOUT_BIAS;
                    outputBias = queryKeyValueBias;
                }
                case QUERY_KEY_VALUE -> {
                    queryKeyValueBias = Bias.WITH_BIAS;
                    outputBias = Bias.WITHOUT_BIAS;
                }
                default -> {
                    queryKeyValueBias = Bias.WITHOUT_BIAS;
                    outputBias = Bias.WITHOUT_BIAS;
                }
            }
            this.mlpBias = config.optionalBoolean("mlp_bias").orElse(false) ? Bias.WITH_BIAS : Bias.WITHOUT_BIAS;
            this.windows = windows(config);
            this.tie = EmbeddingTie.of(config);
            this.base = parameters.basePrefix("model", "embed_tokens.weight");
        }

        private List<OptionalLong> windows(ModelConfig config) {
            List<OptionalLong> result = new ArrayList<>();
            OptionalLong window = config.optionalInt("sliding_window").map(OptionalLong::of)
                    .orElse(OptionalLong.empty());
            switch (flavor.slidingWindow()) {
                case NONE -> {
                    if (config.isSetInFile("sliding_window") && window.isPresent()) {
                        throw new UnsupportedConfigException(config.source() + " sets sliding_window "
                                + window.getAsLong() + ", which " + flavor.modelType() + " does not use; remove it "
                                + "or export the checkpoint as the model type that defines it (mistral, qwen2)");
                    }
                    for (int layer = 0; layer < layers; layer++) {
                        result.add(OptionalLong.empty());
                    }
                }
                case EVERY_LAYER -> {
                    for (int layer = 0; layer < layers; layer++) {
                        result.add(window);
                    }
                }
                case FROM_MAX_WINDOW_LAYERS -> {
                    List<String> types = config.stringList("layer_types");
                    boolean sliding = config.optionalBoolean("use_sliding_window").orElse(false);
                    int firstWindowed = config.optionalInt("max_window_layers").orElse(layers);
                    if (!types.isEmpty() && types.size() != layers) {
                        throw new UnsupportedConfigException(config.source() + " lists " + types.size()
                                + " layer_types for " + layers + " layers; list one per layer");
                    }
                    for (int layer = 0; layer < layers; layer++) {
                        boolean windowed;
                        if (!types.isEmpty()) {
                            String type = types.get(layer);
                            if (!type.equals("sliding_attention") && !type.equals("full_attention")) {
                                throw new UnsupportedConfigException(config.source() + " sets layer_types[" + layer
                                        + "] \"" + type + "\"; use sliding_attention or full_attention");
                            }
                            windowed = type.equals("sliding_attention");
                        } else {
                            windowed = sliding && layer >= firstWindowed;
                        }
                        if (windowed && window.isEmpty()) {
                            throw new UnsupportedConfigException(config.source() + ": layer " + layer + " uses "
                                    + "sliding-window attention but sliding_window is null; set the window size");
                        }
                        result.add(windowed ? window : OptionalLong.empty());
                    }
                }
            }
            for (OptionalLong size : result) {
                if (size.isPresent() && size.getAsLong() <= 0) {
                    throw new UnsupportedConfigException(config.source() + " sets sliding_window "
                            + size.getAsLong() + "; the window must hold at least one token");
                }
            }
            return List.copyOf(result);
        }

        @Override
        public DecoderSpec spec() {
            return new DecoderSpec(
                    new DecoderInputs.CacheShape(layers, kvHeads, headDim, CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM),
                    DecoderInputs.WITH_POSITION_IDS, hidden, vocab, new HeadWeights("score", Bias.WITHOUT_BIAS,
                            flavor.pooling(), "score", Bias.WITH_BIAS, "qa_outputs"));
        }

        @Override
        public Value embed(DecoderInputs inputs) {
            Value words = graph.gather(parameters.tensor(base + "embed_tokens.weight", vocab, hidden),
                    inputs.inputIds(), 0);
            return graph.reshape(words, -1, hidden);
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            if (angles == null) {
                angles = rotary.angles(graph, inputs.positions(graph));
            }
            String prefix = base + "layers." + index + ".";
            Value normalized = rmsNorm(prefix + "input_layernorm", rows);
            long kvWidth = kvHeads * headDim;
            Value query = CachedAttention.splitHeads(graph, Linear.load(parameters, prefix + "self_attn.q_proj",
                    hidden, heads * headDim, queryKeyValueBias).apply(graph, normalized), inputs.grid(), heads, headDim);
            Value key = CachedAttention.splitHeads(graph, Linear.load(parameters, prefix + "self_attn.k_proj",
                    hidden, kvWidth, queryKeyValueBias).apply(graph, normalized), inputs.grid(), kvHeads, headDim);
            Value value = CachedAttention.splitHeads(graph, Linear.load(parameters,
                    prefix + "self_attn.v_proj", hidden, kvWidth, queryKeyValueBias).apply(graph, normalized),
                    inputs.grid(), kvHeads, headDim);
            query = rotary.apply(graph, query, angles, headDim);
            key = rotary.apply(graph, key, angles, headDim);
            CachedAttention attention = new CachedAttention(heads, kvHeads, headDim,
                    ScoreScale.dividedBy(Math.sqrt(headDim)), Masking.VISIBLE_OR_MINIMUM, windows.get(index));
            CachedAttention.Result attended = attention.apply(graph, query, key, value, past, Optional.empty(), mask);
            Value attentionOutput = Linear.load(parameters, prefix + "self_attn.o_proj", heads * headDim,
                    hidden, outputBias).apply(graph, attended.contextRows());
            Value residual = graph.add(rows, attentionOutput);
            Value feedForwardInput = rmsNorm(prefix + "post_attention_layernorm", residual);
            Value gate = activation.apply(graph, Linear.load(parameters, prefix + "mlp.gate_proj", hidden,
                    intermediate, mlpBias).apply(graph, feedForwardInput));
            Value up = Linear.load(parameters, prefix + "mlp.up_proj", hidden, intermediate, mlpBias)
                    .apply(graph, feedForwardInput);
            Value down = Linear.load(parameters, prefix + "mlp.down_proj", intermediate, hidden, mlpBias)
                    .apply(graph, graph.mul(gate, up));
            return new LayerStep(graph.add(residual, down), attended.presentKey(), attended.presentValue());
        }

        private Value rmsNorm(String prefix, Value rows) {
            return graph.rmsNormalization(rows, parameters.tensor(prefix + ".weight", hidden), epsilon);
        }

        @Override
        public Value finalNorm(Value rows) {
            return rmsNorm(base + "norm", rows);
        }

        @Override
        public Value languageModelLogits(Value rows) {
            return tiedLanguageModelLogits(graph, parameters, tie, base + "embed_tokens.weight", "lm_head.weight",
                    hidden, vocab, rows);
        }
    }
}
