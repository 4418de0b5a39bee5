package org.exporters4j.models.wav2vec2;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds wav2vec2, HuBERT and WavLM graphs from the checkpoint's weights, as Transformers 4.51 computes them in eval
 * mode, on raw samples {@code input_values [batch, samples]}:
 * <ul>
 *   <li>the feature encoder: {@code conv_dim.length} 1-D convolutions ({@code conv_kernel}, {@code conv_stride},
 *       biases when {@code conv_bias}), each followed by {@code feat_extract_activation}; with
 *       {@code feat_extract_norm} "group" the first one is GroupNorm'ed with one group per channel, with "layer"
 *       every one is LayerNorm'ed over its channels (epsilon 1e-5, PyTorch's default in both);</li>
 *   <li>the feature projection: LayerNorm ({@code layer_norm_eps}; HuBERT only with {@code feat_proj_layer_norm})
 *       and a Linear to {@code hidden_size};</li>
 *   <li>the positional convolution: grouped ({@code num_conv_pos_embedding_groups}) with kernel
 *       {@code num_conv_pos_embeddings} padded by half of it, its weight normalised over every axis but the kernel's
 *       ({@code weight_g · weight_v / ‖weight_v‖}; stored as {@code weight_g}/{@code weight_v} or as
 *       {@code parametrizations.weight.original0}/{@code original1}), the extra last frame of an even kernel
 *       removed, then {@code feat_extract_activation}; added to the projected features;</li>
 *   <li>the encoder: post-norm ({@code Wav2Vec2Encoder}: LayerNorm, then layers normalising after attention and
 *       after the feed-forward) or, with {@code do_stable_layer_norm}, pre-norm with a final LayerNorm;
 *       WavLM's first layer computes the relative position bias ({@code rel_attn_embed}, {@code num_buckets},
 *       {@code max_bucket_distance}) that every layer gates with its own {@code gru_rel_pos_linear} and
 *       {@code gru_rel_pos_const};</li>
 *   <li>the heads: CTC's {@code lm_head}; audio classification's projector, mean over frames and classifier;
 *       frame classification's classifier per frame; the x-vector's projector, TDNN layers, mean and (unbiased)
 *       standard deviation over frames, embedding and classifier. With {@code use_weighted_layer_sum} the three
 *       classification heads read the softmax-weighted sum of the hidden states of every layer.</li>
 * </ul>
 * Optimum 1.25.3's interface takes {@code input_values} alone, so no attention mask enters the graph.
 */
public final class Wav2Vec2Architecture extends FamilyArchitecture {
    private static final String INPUT_VALUES = "input_values";
    /** PyTorch's GroupNorm and LayerNorm default epsilon, which the feature encoder's norms keep. */
    private static final double CONV_NORM_EPS = 1e-5;

    private final Wav2Vec2Flavor flavor;

    public Wav2Vec2Architecture(String modelType, Wav2Vec2Flavor flavor, Set<Variant> variants) {
        super(modelType, "wav2vec2", variants);
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        Wav2Vec2Options options = Wav2Vec2Options.read(config, flavor);
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        String base = parameters.basePrefix(flavor.basePrefix(), "feature_extractor.conv_layers.0.conv.weight");
        Value samples = GraphInputs.declare(build, List.of(GraphInputs.Accepted.of(INPUT_VALUES,
                GraphInputs.Kind.FLOAT, Dim.symbolic("batch_size"), Dim.symbolic("sequence_length"))))
                .required(INPUT_VALUES);
        Body body = new Body(graph, parameters, options, base, flavor);
        Head head = build.head();
        boolean weighted = options.weightedLayerSum() && (head == Head.AUDIO_CLASSIFICATION
                || head == Head.AUDIO_FRAME_CLASSIFICATION || head == Head.AUDIO_XVECTOR);
        List<Value> states = body.hiddenStates(samples);
        Value last = states.get(states.size() - 1);
        Value features = weighted ? EncoderHeads.weightedLayerSum(graph, parameters, states) : last;
        long hidden = options.hidden();
        Dim follows = Dim.unknown();
        switch (head) {
            case BASE -> {
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", last, follows, follows, Dim.of(hidden));
                }
            }
            case CTC -> {
                if (build.wants("logits")) {
                    // Wav2Vec2ForCTC: lm_head over every frame (output_hidden_size is hidden_size without adapter)
                    Linear lmHead = Linear.loadWithOutputsFromWeights(parameters, "lm_head", hidden);
                    build.output("logits", Linear.languageModelHead(build, last,
                            x -> lmHead.applyToLastAxis(graph, x)), follows, follows,
                            Dim.of(lmHead.outFeatures()));
                }
            }
            case AUDIO_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    EncoderHeads.meanPooledClassification(build, config,
                            Linear.loadWithOutputsFromWeights(parameters, "projector", hidden), features);
                }
            }
            case AUDIO_FRAME_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    long labels = EncoderHeads.labels(parameters, "classifier.weight", config);
                    build.output("logits", Linear.load(parameters, "classifier", hidden, labels)
                            .applyToLastAxis(graph, features), follows, follows, Dim.of(labels));
                }
            }
            case AUDIO_XVECTOR -> xvector(build, config, features, hidden);
            default -> throw new ArchitectureException(flavor.basePrefix() + " has no " + head + " head");
        }
    }

    /**
     * Wav2Vec2ForXVector: projector to {@code tdnn_dim[0]}; each TDNN layer a dilated 1-D convolution whose kernel is
     * stored as a Linear over {@code kernel × channels} (weight viewed as {@code [out, kernel, in]}, kernel axis
     * moved behind the channels), then ReLU; statistics pooling (mean and unbiased standard deviation over frames),
     * {@code feature_extractor} → {@code embeddings}, {@code classifier} → {@code logits}.
     */
    private void xvector(GraphBuild build, ModelConfig config, Value features, long hidden) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        boolean logits = build.wants("logits");
        boolean embeddings = build.wants("embeddings");
        if (!logits && !embeddings) {
            return;
        }
        List<Integer> dims = config.intList("tdnn_dim");
        List<Integer> kernels = config.intList("tdnn_kernel");
        List<Integer> dilations = config.intList("tdnn_dilation");
        if (dims.isEmpty() || dims.size() != kernels.size() || dims.size() != dilations.size()) {
            throw new UnsupportedConfigException(config.source() + ": tdnn_dim " + dims + ", tdnn_kernel " + kernels
                    + " and tdnn_dilation " + dilations + " must have the same, non-zero length (one entry per TDNN "
                    + "layer of the x-vector head)");
        }
        Value x = Linear.load(parameters, "projector", hidden, dims.get(0)).applyToLastAxis(graph, features);
        Value channelsFirst = graph.transpose(x, 0, 2, 1);
        for (int i = 0; i < dims.size(); i++) {
            long in = i == 0 ? dims.get(0) : dims.get(i - 1);
            long out = dims.get(i);
            long kernel = kernels.get(i);
            String prefix = "tdnn." + i + ".kernel";
            Value weight = graph.transpose(graph.reshape(parameters.tensor(prefix + ".weight", out, kernel * in),
                    out, kernel, in), 0, 2, 1);
            Window window = Window.of(kernel).withDilations(dilations.get(i));
            channelsFirst = graph.relu(graph.conv(channelsFirst, weight, parameters.tensor(prefix + ".bias", out),
                    window, 1));
        }
        long last = dims.get(dims.size() - 1);
        // statistics pooling over frames (axis 2 of [batch, channels, frames]); torch.std is unbiased
        Value mean = graph.reduceMean(channelsFirst, KeepDims.YES, 2);
        Value centred = graph.sub(channelsFirst, mean);
        Value frames = graph.cast(graph.shape(channelsFirst, 2, 3), ElementType.FLOAT);
        Value variance = graph.div(graph.reduceSum(graph.mul(centred, centred), KeepDims.NO, 2),
                graph.sub(frames, graph.scalar(ElementType.FLOAT, 1.0)));
        Value pooled = graph.concat(1, graph.squeeze(mean, 2), graph.sqrt(variance));
        long embeddingSize = config.intValue("xvector_output_dim");
        Value embedding = Linear.load(parameters, "feature_extractor", 2 * last, embeddingSize).apply(graph, pooled);
        Dim follows = Dim.unknown();
        if (logits) {
            build.output("logits", Linear.load(parameters, "classifier", embeddingSize, embeddingSize)
                    .apply(graph, embedding), follows, Dim.of(embeddingSize));
        }
        if (embeddings) {
            build.output("embeddings", embedding, follows, Dim.of(embeddingSize));
        }
    }

    /** The base model of one graph: the flavour's encoder, built with {@code graph} from {@code parameters}. */
    private record Body(OnnxGraphBuilder graph, Parameters parameters, Wav2Vec2Options options, String base,
                        Wav2Vec2Flavor flavor) {

        /**
         * The encoder's hidden states {@code [batch, frames, hidden]} as Transformers' {@code hidden_states} tuple
         * holds them: the input of every layer, then the last hidden state (the final LayerNorm applied, pre-norm).
         */
        List<Value> hiddenStates(Value samples) {
            Value features = graph.inScope("feature_extractor", () -> featureEncoder(samples));
            Value projected = graph.inScope("feature_projection", () -> featureProjection(features));
            String encoder = base + "encoder.";
            Value hidden = graph.add(projected, graph.inScope("encoder.pos_conv_embed",
                    () -> positionalConvolution(projected, encoder + "pos_conv_embed.conv")));
            LayerNorm encoderNorm = LayerNorm.load(parameters, encoder + "layer_norm", options.hidden(),
                    options.layerNormEps());
            if (!options.stableLayerNorm()) {
                hidden = encoderNorm.apply(graph, hidden);
            }
            List<Value> states = new ArrayList<>();
            Optional<Value> positionBias = Optional.empty();
            for (int layer = 0; layer < options.layers(); layer++) {
                states.add(hidden);
                String prefix = encoder + "layers." + layer + ".";
                if (layer == 0 && flavor.attention() == Wav2Vec2Flavor.Attention.GATED_RELATIVE_POSITION_BIAS) {
                    Value frames = hidden;
                    positionBias = Optional.of(graph.inScope("encoder.rel_attn_embed",
                            () -> relativePositionBias(frames, prefix + "attention.rel_attn_embed.weight")));
                }
                Value input = hidden;
                Optional<Value> bias = positionBias;
                hidden = graph.inScope("encoder.layers." + layer, () -> layer(input, prefix, bias));
            }
            if (options.stableLayerNorm()) {
                hidden = encoderNorm.apply(graph, hidden);
            }
            states.add(hidden);
            return states;
        }

        /** {@code [batch, samples]} → {@code [batch, frames, conv_dim[-1]]}. */
        private Value featureEncoder(Value samples) {
            Value x = graph.unsqueeze(samples, 1);
            long in = 1;
            for (int i = 0; i < options.convDim().size(); i++) {
                long out = options.convDim().get(i);
                String prefix = base + "feature_extractor.conv_layers." + i + ".";
                Window window = Window.of(options.convKernel().get(i)).withStrides(options.convStride().get(i));
                Convolution conv = options.convBias()
                        ? Convolution.withBias(parameters, prefix + "conv", in, out, window, 1)
                        : Convolution.withoutBias(parameters, prefix + "conv", in, out, window, 1);
                x = conv.apply(graph, x);
                if (options.featureExtractorNorm() == Wav2Vec2Options.FeatureExtractorNorm.GROUP && i == 0) {
                    // GroupNorm(num_groups = channels): each channel normalised over its frames
                    Value mean = graph.reduceMean(x, KeepDims.YES, 2);
                    Value centred = graph.sub(x, mean);
                    Value variance = graph.reduceMean(graph.mul(centred, centred), KeepDims.YES, 2);
                    Value normalised = graph.div(centred, graph.sqrt(graph.add(variance,
                            graph.scalar(ElementType.FLOAT, CONV_NORM_EPS))));
                    x = graph.add(graph.mul(normalised, graph.reshape(parameters.tensor(prefix + "layer_norm.weight",
                                    out), out, 1)),
                            graph.reshape(parameters.tensor(prefix + "layer_norm.bias", out), out, 1));
                } else if (options.featureExtractorNorm() == Wav2Vec2Options.FeatureExtractorNorm.LAYER) {
                    Value channelsLast = graph.transpose(x, 0, 2, 1);
                    x = graph.transpose(LayerNorm.load(parameters, prefix + "layer_norm", out, CONV_NORM_EPS)
                            .apply(graph, channelsLast), 0, 2, 1);
                }
                x = options.featureActivation().apply(graph, x);
                in = out;
            }
            return graph.transpose(x, 0, 2, 1);
        }

        private Value featureProjection(Value features) {
            long channels = options.convDim().get(options.convDim().size() - 1);
            String prefix = base + "feature_projection.";
            Value x = features;
            if (options.projectionLayerNorm()) {
                x = LayerNorm.load(parameters, prefix + "layer_norm", channels, options.layerNormEps()).apply(graph, x);
            }
            return Linear.load(parameters, prefix + "projection", channels, options.hidden()).applyToLastAxis(graph, x);
        }

        /** The positional convolution's output {@code [batch, frames, hidden]}. */
        private Value positionalConvolution(Value hidden, String prefix) {
            long width = options.hidden();
            long kernel = options.positionKernel();
            long groups = options.positionGroups();
            String magnitudeName = parameters.firstPresent(prefix + ".weight_g",
                    prefix + ".parametrizations.weight.original0");
            String directionName = magnitudeName.endsWith("weight_g") ? prefix + ".weight_v"
                    : prefix + ".parametrizations.weight.original1";
            Value direction = parameters.tensor(directionName, width, width / groups, kernel);
            // weight_norm(dim): the norm is taken over every axis where weight_g has size 1
            List<Long> magnitudeShape = parameters.shape(magnitudeName);
            if (magnitudeShape.size() != 3) {
                throw new ArchitectureException("tensor '" + magnitudeName + "' has shape " + magnitudeShape
                        + " but a weight-normalised Conv1d weight's magnitude has 3 axes; is this checkpoint of this "
                        + "model type?");
            }
            List<Long> reduced = new ArrayList<>();
            for (int axis = 0; axis < 3; axis++) {
                if (magnitudeShape.get(axis) == 1) {
                    reduced.add((long) axis);
                }
            }
            Value magnitude = parameters.tensor(magnitudeName);
            Value norm = graph.sqrt(graph.reduceSum(graph.mul(direction, direction), KeepDims.YES,
                    reduced.stream().mapToLong(Long::longValue).toArray()));
            Value weight = graph.mul(direction, graph.div(magnitude, norm));
            Window window = Window.of(kernel).withPads(kernel / 2, kernel / 2);
            Value conv = graph.conv(graph.transpose(hidden, 0, 2, 1), weight,
                    parameters.tensor(prefix + ".bias", width), window, groups);
            if (kernel % 2 == 0) {
                // Wav2Vec2SamePadLayer: an even kernel gives one frame too many; the last is dropped
                conv = graph.slice(conv, 2, 0, -1);
            }
            return graph.transpose(options.featureActivation().apply(graph, conv), 0, 2, 1);
        }

        /** One encoder layer, post-norm or pre-norm. */
        private Value layer(Value hidden, String prefix, Optional<Value> positionBias) {
            LayerNorm attentionNorm = LayerNorm.load(parameters, prefix + "layer_norm", options.hidden(),
                    options.layerNormEps());
            LayerNorm finalNorm = LayerNorm.load(parameters, prefix + "final_layer_norm", options.hidden(),
                    options.layerNormEps());
            if (options.stableLayerNorm()) {
                Value attended = graph.add(hidden, attention(attentionNorm.apply(graph, hidden), prefix,
                        positionBias));
                return graph.add(attended, feedForward(finalNorm.apply(graph, attended), prefix));
            }
            Value attended = attentionNorm.apply(graph, graph.add(hidden, attention(hidden, prefix, positionBias)));
            return finalNorm.apply(graph, graph.add(attended, feedForward(attended, prefix)));
        }

        private Value feedForward(Value x, String prefix) {
            Value inner = options.hiddenAct().apply(graph, Linear.load(parameters,
                    prefix + "feed_forward.intermediate_dense", options.hidden(), options.intermediate())
                    .applyToLastAxis(graph, x));
            return Linear.load(parameters, prefix + "feed_forward.output_dense", options.intermediate(),
                    options.hidden()).applyToLastAxis(graph, inner);
        }

        /**
         * Multi-head self-attention over the frames, scores scaled by {@code head_dim^-0.5}; WavLM adds its
         * position bias gated per head and query frame: {@code gate_a · (gate_b · gru_rel_pos_const − 1) + 2}, the
         * two gates the sigmoids of the sums of the two halves of {@code gru_rel_pos_linear} (8 outputs) over the
         * query's head slice of the attention input.
         */
        private Value attention(Value x, String prefix, Optional<Value> positionBias) {
            long hidden = options.hidden();
            int heads = options.heads();
            long headSize = options.headSize();
            String attention = prefix + "attention.";
            Value query = headsFirst(Linear.load(parameters, attention + "q_proj", hidden, hidden)
                    .applyToLastAxis(graph, x));
            Value key = headsFirst(Linear.load(parameters, attention + "k_proj", hidden, hidden)
                    .applyToLastAxis(graph, x));
            Value value = headsFirst(Linear.load(parameters, attention + "v_proj", hidden, hidden)
                    .applyToLastAxis(graph, x));
            Value additive = null;
            if (positionBias.isPresent()) {
                Value slices = headsFirst(x);
                Value projected = Linear.load(parameters, attention + "gru_rel_pos_linear", headSize, 8)
                        .applyToLastAxis(graph, slices);
                List<Value> halves = graph.splitEqually(projected, -1, 2);
                Value gateA = graph.sigmoid(graph.reduceSum(halves.get(0), KeepDims.YES, -1));
                Value gateB = graph.sigmoid(graph.reduceSum(halves.get(1), KeepDims.YES, -1));
                Value constant = parameters.tensor(attention + "gru_rel_pos_const", 1, heads, 1, 1);
                Value gate = graph.add(graph.mul(gateA, graph.sub(graph.mul(gateB, constant),
                        graph.scalar(ElementType.FLOAT, 1.0))), graph.scalar(ElementType.FLOAT, 2.0));
                additive = graph.mul(gate, positionBias.get());
            }
            Value context = ScaledDotProductAttention.attend(graph, query, graph.transpose(key, 0, 1, 3, 2), value,
                    ScoreScale.multipliedBy(Math.pow(headSize, -0.5)),
                    ScaledDotProductAttention.additive(graph, additive));
            Value merged = graph.reshape(graph.transpose(context, 0, 2, 1, 3), 0, -1, hidden);
            return Linear.load(parameters, attention + "out_proj", hidden, hidden).applyToLastAxis(graph, merged);
        }

        /** {@code [batch, frames, hidden]} → {@code [batch, heads, frames, head_dim]}. */
        private Value headsFirst(Value x) {
            return graph.transpose(graph.reshape(x, 0, -1, options.heads(), options.headSize()), 0, 2, 1, 3);
        }

        /** WavLM's {@code [heads, frames, frames]} bias: the embedding of each key-minus-query bucket. */
        private Value relativePositionBias(Value hidden, String table) {
            Value frames = graph.shape(hidden, 1, 2);
            Value positions = graph.range(graph.scalar(0), graph.squeeze(frames, 0), graph.scalar(1));
            Value relative = graph.sub(graph.unsqueeze(positions, 0), graph.unsqueeze(positions, 1));
            Value buckets = new WavLmBuckets(options.numBuckets(), options.maxBucketDistance())
                    .apply(graph, relative);
            Value embedded = graph.gather(parameters.tensor(table, options.numBuckets(), options.heads()), buckets, 0);
            return graph.transpose(embedded, 2, 0, 1);
        }
    }
}
