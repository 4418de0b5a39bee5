package org.exporters4j.models.blocks;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.TransformersRelease;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.DecoderInputs.LayerPast;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The frame every decoder-only family shares: declare the inputs (ids, mask, positions, the cache of each layer),
 * build the causal mask once, run the embeddings and the layers (each returning its present key/value), the final
 * norm, then the requested head, and declare the outputs the interface asks for in its order: the head's
 * ({@code last_hidden_state}, {@code logits}, {@code start_logits}/{@code end_logits}) and {@code present.<i>.key}
 * / {@code .value} in the family's cache layout. A family supplies a {@link Decoder} per graph.
 *
 * <p>Every with-past graph also takes an empty cache (past length 0), so one file serves the prompt and each step.
 */
public abstract class DecoderArchitecture extends FamilyArchitecture {

    /** Makes a family's {@link Decoder} for one graph: typically its body's constructor, {@code Body::new}. */
    @FunctionalInterface
    protected interface BodyFactory {
        Decoder create(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters);
    }

    /**
     * Makes the body of a family whose graph differs between the Transformers releases it mirrors
     * ({@link GraphInterface#transformers()}): its body's constructor taking the release, {@code Body::new}.
     */
    @FunctionalInterface
    protected interface ReleaseBodyFactory {
        Decoder create(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, TransformersRelease release);
    }

    private final ReleaseBodyFactory bodies;

    /**
     * For a family that overrides {@link #decoder} (its body needs more than the config, graph and weights).
     *
     * @param heads the heads built without the cache
     * @param headsWithPast the heads built with the cache
     */
    protected DecoderArchitecture(String modelType, String family, Set<Head> heads, Set<Head> headsWithPast) {
        this(modelType, family, heads, headsWithPast, (config, graph, parameters) -> {
            throw new IllegalStateException("the " + family + " architecture neither gives a body factory nor "
                    + "overrides decoder()");
        });
    }

    /**
     * @param heads the heads built without the cache
     * @param headsWithPast the heads built with the cache
     * @param bodies makes the body of each graph from the config, the graph and the bound weights
     */
    protected DecoderArchitecture(String modelType, String family, Set<Head> heads, Set<Head> headsWithPast,
                                  BodyFactory bodies) {
        this(modelType, family, heads, headsWithPast, forEveryRelease(bodies));
    }

    /**
     * @param heads the heads built without the cache
     * @param headsWithPast the heads built with the cache
     * @param bodies makes the body of each graph from the config, the graph, the bound weights and the Transformers
     *     release the graph mirrors
     */
    protected DecoderArchitecture(String modelType, String family, Set<Head> heads, Set<Head> headsWithPast,
                                  ReleaseBodyFactory bodies) {
        super(modelType, family, variantsOf(heads, headsWithPast));
        this.bodies = Objects.requireNonNull(bodies, "bodies");
    }

    /** A body factory whose bodies are the same whatever the release. */
    private static ReleaseBodyFactory forEveryRelease(BodyFactory bodies) {
        Objects.requireNonNull(bodies, "bodies");
        return (config, graph, parameters, release) -> bodies.create(config, graph, parameters);
    }

    private static Set<Variant> variantsOf(Set<Head> heads, Set<Head> headsWithPast) {
        Set<Variant> all = new HashSet<>();
        heads.forEach(head -> all.add(Variant.of(head)));
        headsWithPast.forEach(head -> all.add(Variant.withPast(head)));
        return all;
    }

    /** The heads of Transformers' decoders that Optimum exports with the cache: the bare model and the LM head. */
    protected static Set<Head> languageModelHeads() {
        return EnumSet.of(Head.BASE, Head.CAUSAL_LM);
    }

    /** One layer's result: its output rows and its present cache in the common layout. */
    protected record LayerStep(Value rows, Value presentKey, Value presentValue) {
        public LayerStep {
            Objects.requireNonNull(rows, "rows");
            Objects.requireNonNull(presentKey, "presentKey");
            Objects.requireNonNull(presentValue, "presentValue");
        }

        /** The layer's output rows, with the present cache its attention returned. */
        public LayerStep(Value rows, CachedAttention.Result attended) {
            this(rows, attended.presentKey(), attended.presentValue());
        }
    }

    /**
     * Where a family's classification heads keep their weights ({@code score}, {@code classifier},
     * {@code qa_outputs}) and how the sequence classifier pools.
     */
    protected record HeadWeights(String sequenceScore, Linear.Bias sequenceScoreBias, LastTokenPooling pooling,
                                 String tokenClassifier, Linear.Bias tokenClassifierBias,
                                 String questionAnswering) {
        public HeadWeights {
            Objects.requireNonNull(sequenceScore, "sequenceScore");
            Objects.requireNonNull(sequenceScoreBias, "sequenceScoreBias");
            Objects.requireNonNull(pooling, "pooling");
            Objects.requireNonNull(tokenClassifier, "tokenClassifier");
            Objects.requireNonNull(tokenClassifierBias, "tokenClassifierBias");
            Objects.requireNonNull(questionAnswering, "questionAnswering");
        }

        /**
         * The names most decoders' Transformers heads use: {@code score} without a bias pooled by {@code pooling},
         * {@code classifier} with one, {@code qa_outputs}.
         */
        public static HeadWeights standard(LastTokenPooling pooling) {
            return new HeadWeights("score", Linear.Bias.WITHOUT_BIAS, pooling, "classifier", Linear.Bias.WITH_BIAS,
                    "qa_outputs");
        }
    }

    /**
     * What a decoder body declares about itself: the cache at the graph's edge (layers, cache heads, head width,
     * layout), the non-cache inputs the family's forward takes (e.g. input_ids, attention_mask), its hidden and
     * vocabulary sizes, and where its classification heads keep their weights.
     */
    protected record DecoderSpec(DecoderInputs.CacheShape cacheShape, List<String> acceptedInputs, long hiddenSize,
                                 long vocabSize, HeadWeights headWeights) {
        public DecoderSpec {
            Objects.requireNonNull(cacheShape, "cacheShape");
            acceptedInputs = List.copyOf(acceptedInputs);
            Objects.requireNonNull(headWeights, "headWeights");
            if (hiddenSize <= 0 || vocabSize <= 0) {
                throw new IllegalArgumentException("hiddenSize " + hiddenSize + " and vocabSize " + vocabSize
                        + " must be positive");
            }
        }
    }

    /** One graph's decoder body: created per build, after its config options are checked. */
    protected interface Decoder {
        /** The body's cache, inputs, sizes and head weights. */
        DecoderSpec spec();

        /** Token (and position) embeddings as rows {@code [batch × sequence, hidden]}. */
        Value embed(DecoderInputs inputs);

        /** Layer {@code index} on {@code rows}, with the layer's past when the graph takes the cache. */
        LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past);

        /** The final norm on the last layer's rows. */
        Value finalNorm(Value rows);

        /** Vocabulary logits as rows {@code [batch × sequence, vocab]}. */
        Value languageModelLogits(Value rows);
    }

    /**
     * The bias-free LM head of Transformers' decoders: the word-embedding table itself unless
     * {@code tie_word_embeddings} is false ({@code tie_weights}), else {@code outputWeight}; as rows
     * {@code [batch × sequence, vocab]}.
     */
    protected static Value tiedLanguageModelLogits(OnnxGraphBuilder graph, Parameters parameters, EmbeddingTie tie,
                                                   String wordEmbeddings, String outputWeight, long hidden,
                                                   long vocab, Value rows) {
        String weight = tie.decoderWeight(wordEmbeddings, outputWeight);
        return new Linear(parameters.tensor(weight, vocab, hidden), Optional.empty(),
                Linear.WeightLayout.OUT_IN, hidden, vocab).apply(graph, rows);
    }

    /**
     * Reads and checks the config's options, then returns the body that builds this graph, as {@code release}
     * computes it where the family's Transformers releases differ ({@link GraphInterface#transformers()}); by
     * default the one the family's {@link BodyFactory} or {@link ReleaseBodyFactory} makes.
     */
    protected Decoder decoder(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, Variant variant,
                              TransformersRelease release) {
        return bodies.create(config, graph, parameters, release);
    }

    @Override
    protected final void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        GraphInterface graphInterface = build.graphInterface();
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        String purpose = build.purpose();
        Decoder decoder = decoder(config, graph, parameters, variant, graphInterface.transformers());
        DecoderSpec spec = decoder.spec();
        DecoderInputs.CacheShape cache = spec.cacheShape();
        DecoderInputs inputs = DecoderInputs.declare(graph, graphInterface, variant, cache, spec.acceptedInputs(),
                purpose);
        CausalMask mask = new CausalMask(graph, inputs);
        Value rows = graph.inScope("embeddings", () -> decoder.embed(inputs));
        List<LayerStep> steps = new ArrayList<>();
        for (int layer = 0; layer < cache.layers(); layer++) {
            int index = layer;
            Value input = rows;
            Optional<LayerPast> past = inputs.hasPast() ? Optional.of(inputs.past().get(layer)) : Optional.empty();
            LayerStep step = graph.inScope("layers." + layer, () -> decoder.layer(index, input, inputs, mask, past));
            steps.add(step);
            rows = step.rows();
        }
        Value hidden = decoder.finalNorm(rows);
        addHeadOutputs(build, config, decoder, spec, hidden, inputs);
        HeadOutputs outputs = build.outputs();
        if (variant.usesPast()) {
            addPresentOutputs(graph, cache, steps, outputs);
        }
    }

    private void addHeadOutputs(GraphBuild build, ModelConfig config, Decoder decoder, DecoderSpec spec, Value rows,
                                DecoderInputs inputs) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        Head head = build.head();
        long hidden = spec.hiddenSize();
        TokenGrid grid = inputs.grid();
        Dim follows = Dim.unknown();
        HeadWeights weights = spec.headWeights();
        switch (head) {
            case BASE -> EncoderHeads.lastHiddenState(build, grid, rows, hidden);
            case CAUSAL_LM -> {
                if (build.wants("logits")) {
                    build.output("logits", grid.unflatten(graph,
                            Linear.languageModelHead(build, rows, decoder::languageModelLogits),
                            spec.vocabSize()), follows, follows, Dim.of(spec.vocabSize()));
                }
            }
            case SEQUENCE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    long labels = EncoderHeads.labels(parameters, weights.sequenceScore() + ".weight", config);
                    OptionalLong pad = config.optionalInt("pad_token_id").map(OptionalLong::of)
                            .orElse(OptionalLong.empty());
                    Value scores = Linear.load(parameters, weights.sequenceScore(), hidden, labels,
                            weights.sequenceScoreBias()).apply(graph, rows);
                    build.output("logits", weights.pooling().pool(graph, scores, inputs.inputIds(), grid, pad),
                            follows, Dim.of(labels));
                }
            }
            case TOKEN_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    long labels = EncoderHeads.labels(parameters, weights.tokenClassifier() + ".weight", config);
                    build.output("logits", grid.unflatten(graph, Linear.load(parameters, weights.tokenClassifier(),
                            hidden, labels, weights.tokenClassifierBias()).apply(graph, rows), labels), follows,
                            follows, Dim.of(labels));
                }
            }
            case QUESTION_ANSWERING -> {
                boolean start = build.wants("start_logits");
                if (build.wants("end_logits") || start) {
                    EncoderHeads.spans(build, grid.unflatten(graph, Linear.load(parameters,
                            weights.questionAnswering(), hidden, 2).apply(graph, rows), 2));
                }
            }
            default -> throw new ArchitectureException(modelType() + " has no " + head + " head");
        }
    }

    /**
     * The present cache of each layer. In the common layout the Concat that appends the step to the past is itself
     * the output, as in the graphs PyTorch traces for Optimum: an Identity there copied the whole cache every step
     * and, by freeing the Concat from being a graph output, let ONNX Runtime's transpose optimizer move the key's
     * Transpose onto the past and the present (two more copies per layer). Optimum 1.5.2 names the past and the
     * present sequence axes alike ({@code past_sequence_length + sequence_length}) though the present is longer, and
     * ONNX Runtime plans buffer reuse from such names; that is safe here because nothing but the Concat and a Shape
     * reads the past, so every computed tensor with that axis name has the present's length. Other layouts convert
     * the past first (reshapes and transposes that would carry the past's length under the shared name), so their
     * presents are declared on an Identity, which keeps the computing node's shape its own.
     */
    private static void addPresentOutputs(OnnxGraphBuilder graph, DecoderInputs.CacheShape cache,
                                          List<LayerStep> steps, HeadOutputs outputs) {
        CacheLayout layout = cache.layout();
        for (int layer = 0; layer < steps.size(); layer++) {
            LayerStep step = steps.get(layer);
            if (layout.fusesKeyAndValue()) {
                List<Dim> dims = layout.naturalDims(Part.KEY_VALUE, cache.heads(), cache.headDim());
                outputs.add(new CacheTensor(Direction.PRESENT, layer, Attention.SELF, Part.KEY_VALUE),
                        () -> graph.identity(layout.fuse(graph, step.presentKey(), step.presentValue())),
                        dims.toArray(Dim[]::new));
                continue;
            }
            for (Part part : List.of(Part.KEY, Part.VALUE)) {
                Value common = part == Part.KEY ? step.presentKey() : step.presentValue();
                List<Dim> dims = layout.naturalDims(part, cache.heads(), cache.headDim());
                outputs.add(new CacheTensor(Direction.PRESENT, layer, Attention.SELF, part), () -> {
                    Value natural = layout.fromCommon(graph, common, part, cache.heads(), cache.headDim());
                    return natural == common ? common : graph.identity(natural);
                }, dims.toArray(Dim[]::new));
            }
        }
    }
}
