package org.exporters4j.models.bart;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.Component;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.HeadOutputs;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Lazy;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds BART-family graphs (bart, mbart, marian, m2m-100, blenderbot, blenderbot-small, bigbird-pegasus) from the
 * checkpoint's weights, as Transformers 4.25.1 computes the models in eval mode: token embeddings (times
 * {@code √d_model} with {@code scale_embedding}) plus position embeddings, the encoder layers (self-attention,
 * feed-forward with {@code activation_function}), the decoder layers (causal self-attention over the cache and the
 * new tokens, cross-attention over the encoder output, feed-forward), with the layer norms where the
 * {@link BartFlavor} puts them; then the head. Dropout and LayerDrop are the identity at inference and are not
 * emitted.
 *
 * <p>Masks are additive as Transformers' {@code _expand_mask} and {@code _make_causal_mask} make them:
 * {@code finfo(float32).min} where a key is padding or in the future, 0 elsewhere; a decoder with its own mask adds
 * both (so a key masked twice gets {@code −inf}, as in PyTorch).
 *
 * <p>Cached steps follow Optimum v1.5.2's interface: the decoder's self-attention keys and values of the earlier
 * steps come in as {@code past_key_values.N.decoder.key/value} (causal-lm: {@code past_key_values.N.key/value}), the
 * new tokens' are appended and returned as {@code present.N…}; the cross-attention keys and values come in as
 * {@code past_key_values.N.encoder.key/value} and are used as given (and returned unchanged), as
 * {@code BartAttention} reuses them, so a cached step does not read the encoder output.
 */
public final class BartArchitecture extends FamilyArchitecture {
    private static final Set<Head> CACHED_HEADS = EnumSet.of(Head.BASE, Head.CAUSAL_LM, Head.SEQ2SEQ_LM);

    private final BartFlavor flavor;

    /**
     * @param heads the heads Transformers has a class for with this model type; base, causal-lm and seq2seq-lm are
     *     also built with the cache
     */
    public BartArchitecture(String modelType, BartFlavor flavor, Set<Head> heads) {
        super(modelType, "bart", variantsOf(heads));
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    /** The whole model, and Optimum 1.25.3's encoder and decoder parts. */
    @Override
    protected Set<Component> components() {
        return Set.of(Component.values());
    }

    /** Each head without the cache, and the base and language-model heads also with it. */
    private static Set<Variant> variantsOf(Set<Head> heads) {
        Set<Variant> all = new HashSet<>();
        for (Head head : heads) {
            all.add(Variant.of(head));
            if (CACHED_HEADS.contains(head)) {
                all.add(Variant.withPast(head));
            }
        }
        return all;
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        GraphInterface graphInterface = build.graphInterface();
        BartOptions options = BartOptions.read(config, modelType(), flavor, variant.head());
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        String purpose = build.purpose();
        String base = basePrefix(parameters);
        BartInputs inputs = BartInputs.declare(graph, graphInterface, variant, options, purpose);
        new Model(graph, parameters, options, base, config, variant).addOutputs(inputs, build);
    }

    /**
     * {@code model.} in checkpoints of the models with a head ({@code BartForConditionalGeneration.model},
     * {@code BartForCausalLM.model.decoder}), {@code ""} in one saved from the bare model; Transformers loads either
     * into either, and so does this.
     */
    private static String basePrefix(Parameters parameters) {
        for (String probe : List.of("shared.weight", "decoder.embed_tokens.weight", "encoder.embed_tokens.weight")) {
            if (parameters.contains("model." + probe)) {
                return "model.";
            }
            if (parameters.contains(probe)) {
                return "";
            }
        }
        return parameters.basePrefix("model", "decoder.embed_tokens.weight");
    }

    /** What one decoder layer's attention holds after the step: the cache to return. */
    private record LayerCache(Value selfKey, Value selfValue, Optional<Value> crossKey, Optional<Value> crossValue) {}

    /** The decoder's last hidden state as rows, and each layer's cache. */
    private record Decoded(Value rows, List<LayerCache> caches) {}

    /** The encoder's output as rows, on its grid, with the additive padding mask of its keys (null for none). */
    private record Encoded(Value rows, TokenGrid grid) {}

    /** One graph under construction. */
    private final class Model {
        private final OnnxGraphBuilder graph;
        private final Parameters parameters;
        private final BartOptions options;
        private final String base;
        private final ModelConfig config;
        private final Variant variant;
        private Value sinusoids;

        Model(OnnxGraphBuilder graph, Parameters parameters, BartOptions options, String base, ModelConfig config,
              Variant variant) {
            this.graph = graph;
            this.parameters = parameters;
            this.options = options;
            this.base = base;
            this.config = config;
            this.variant = variant;
        }

        void addOutputs(BartInputs inputs, GraphBuild build) {
            HeadOutputs outputs = build.outputs();
            long hidden = options.hiddenSize();
            Dim follows = Dim.unknown();
            Value pastLength = inputs.cached()
                    ? graph.gather(graph.shape(inputs.past().get(0).selfKey()), graph.scalar(2), 0)
                    : graph.scalar(0);
            if (variant.head() == Head.CAUSAL_LM) {
                // BartForCausalLM: the decoder alone (no cross-attention), its mask over the past and new tokens
                TokenGrid grid = TokenGrid.of(graph, inputs.inputIds());
                Supplier<Decoded> decoded = Lazy.of(() -> decode(inputs.inputIds(), grid, inputs.attentionMask(),
                        pastLength, inputs.past(), null, Optional.empty()));
                if (build.wants("logits")) {
                    build.output("logits", grid.unflatten(graph,
                            Linear.languageModelHead(build, decoded.get().rows(), this::logits),
                            options.decoderVocabSize()), follows, follows, Dim.of(options.decoderVocabSize()));
                }
                addPresent(outputs, decoded, Attention.SELF);
                return;
            }
            Component component = build.graphInterface().component();
            if (component == Component.ENCODER) {
                // the encoder part: its last hidden state over the encoder's tokens
                TokenGrid grid = TokenGrid.of(graph, inputs.inputIds());
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", grid.unflatten(graph, encode(inputs.inputIds(), grid,
                            inputs.attentionMask()), hidden), follows, follows, Dim.of(hidden));
                }
                return;
            }
            // the encoder is built once, when an output or the decoder's cross-attention (without a cache) needs it;
            // a decoder part reads its output (encoder_hidden_states), or only the cache
            Supplier<TokenGrid> encoderGrid = Lazy.of(() -> inputs.encoderHiddenStates()
                    .map(states -> new TokenGrid(graph.shape(states, 0, 2)))
                    .orElseGet(() -> TokenGrid.of(graph, inputs.inputIds())));
            Supplier<Encoded> encoded = Lazy.of(() -> new Encoded(inputs.encoderHiddenStates()
                    .map(states -> graph.reshape(states, -1, hidden))
                    .orElseGet(() -> encode(inputs.inputIds(), encoderGrid.get(), inputs.attentionMask())),
                    encoderGrid.get()));
            Value decoderIds = inputs.decoderInputIds().orElseGet(() -> shiftedRight(inputs.inputIds()));
            TokenGrid decoderGrid = TokenGrid.of(graph, decoderIds);
            Supplier<Decoded> decoded = Lazy.of(() -> decode(decoderIds, decoderGrid,
                    inputs.decoderAttentionMask(), pastLength, inputs.past(), encoded, inputs.attentionMask()));
            if (build.wants("encoder_last_hidden_state")) {
                build.output("encoder_last_hidden_state", encoderGrid.get().unflatten(graph, encoded.get().rows(),
                        hidden), follows, follows, Dim.of(hidden));
            }
            switch (variant.head()) {
                case BASE -> {
                    if (build.wants("last_hidden_state")) {
                        build.output("last_hidden_state", decoderGrid.unflatten(graph, decoded.get().rows(), hidden),
                                follows, follows, Dim.of(hidden));
                    }
                }
                case SEQ2SEQ_LM -> {
                    if (build.wants("logits")) {
                        build.output("logits", decoderGrid.unflatten(graph,
                                Linear.languageModelHead(build, decoded.get().rows(), this::logits),
                                options.decoderVocabSize()), follows, follows, Dim.of(options.decoderVocabSize()));
                    }
                }
                case SEQUENCE_CLASSIFICATION -> {
                    if (build.wants("logits")) {
                        long labels = EncoderHeads.labels(parameters, "classification_head.out_proj.weight", config);
                        build.output("logits", sequenceLogits(decoded.get().rows(), decoderGrid, inputs.inputIds(),
                                encoderGrid.get()), follows, Dim.of(labels));
                    }
                }
                case QUESTION_ANSWERING -> {
                    boolean start = build.wants("start_logits");
                    if (build.wants("end_logits") || start) {
                        EncoderHeads.spans(build, EncoderHeads.qaOutputs(build, decoderGrid, decoded.get().rows(),
                                hidden));
                    }
                }
                default -> throw new ArchitectureException(modelType() + " has no " + variant.head() + " head");
            }
            addPresent(outputs, decoded, Attention.DECODER_SELF);
        }

        /**
         * The decoder's tokens Transformers makes from {@code input_ids} when the caller gives none
         * ({@code shift_tokens_right}): the start token ({@code decoder_start_token_id}; mBART: each row's last
         * non-padding token) followed by {@code input_ids} without its last token, {@code -100} replaced by
         * {@code pad_token_id}.
         */
        private Value shiftedRight(Value ids) {
            long pad = config.optionalInt("pad_token_id").orElse(1);
            Value first = switch (flavor.decoderStart()) {
                case START_TOKEN -> graph.constantOfShape(graph.concat(0, graph.shape(ids, 0, 1),
                        graph.constant(1L)), ElementType.INT64,
                        config.optionalInt("decoder_start_token_id").orElseThrow(() -> new UnsupportedConfigException(
                                config.source() + ": " + modelType() + " needs decoder_start_token_id to make "
                                        + "the decoder's tokens from input_ids; set it in config.json")));
                case LAST_TOKEN -> {
                    Value real = graph.cast(graph.not(graph.equal(ids, graph.scalar(pad))), ElementType.INT64);
                    Value last = graph.sub(graph.reduceSum(real, KeepDims.YES, 1), graph.scalar(1));
                    yield graph.gatherElements(ids, last, 1);
                }
            };
            Value shifted = graph.concat(1, first, graph.slice(ids, 1, 0, -1));
            return graph.where(graph.equal(shifted, graph.scalar(-100)), graph.scalar(pad), shifted);
        }

        /**
         * The updated cache of every decoder layer as outputs (cached graphs only): the self-attention's under
         * {@code selfAttention} (a decoder alone: {@link Attention#SELF}; an encoder-decoder:
         * {@link Attention#DECODER_SELF}, followed by the cross-attention's).
         */
        private void addPresent(HeadOutputs outputs, Supplier<Decoded> decoded, Attention selfAttention) {
            if (!variant.usesPast()) {
                return;
            }
            Dim heads = Dim.of(options.decoderHeads());
            Dim headSize = Dim.of(options.decoderHeadSize());
            Dim follows = Dim.unknown();
            for (int layer = 0; layer < options.decoderLayers(); layer++) {
                int index = layer;
                // The Concats themselves, as in the graphs PyTorch traces for Optimum (an Identity copied the
                // whole cache each step). Optimum v1.5.2 names the past's and the present's sequence axis of
                // causal-lm alike ("past_sequence_length + sequence_length") and ONNX Runtime's memory planner
                // reuses buffers by such names; that is safe because nothing but the Concat reads the past
                // (CachedAttention.appendStep keeps ONNX Runtime's transpose optimizer from making past-sized
                // intermediates of it), so every computed tensor with that axis name has the present's length.
                outputs.add(new CacheTensor(Direction.PRESENT, layer, selfAttention, Part.KEY),
                        () -> decoded.get().caches().get(index).selfKey(), follows, heads, follows, headSize);
                outputs.add(new CacheTensor(Direction.PRESENT, layer, selfAttention, Part.VALUE),
                        () -> decoded.get().caches().get(index).selfValue(), follows, heads, follows, headSize);
                if (selfAttention == Attention.DECODER_SELF) {
                    outputs.add(new CacheTensor(Direction.PRESENT, layer, Attention.ENCODER_CROSS, Part.KEY),
                            () -> decoded.get().caches().get(index).crossKey().orElseThrow(),
                            follows, heads, follows, headSize);
                    outputs.add(new CacheTensor(Direction.PRESENT, layer, Attention.ENCODER_CROSS, Part.VALUE),
                            () -> decoded.get().caches().get(index).crossValue().orElseThrow(),
                            follows, heads, follows, headSize);
                }
            }
        }

        // -----------------------------------------------------------------------------------------------------------
        // Encoder and decoder stacks

        /** The encoder's last hidden state as rows {@code [batch × sequence, d_model]}. */
        private Value encode(Value ids, TokenGrid grid, Optional<Value> mask) {
            return graph.inScope("encoder", () -> {
                String stack = base + "encoder.";
                Value rows = embed(stack, Stack.ENCODER, ids, grid, graph.scalar(0));
                Value additive = mask.map(this::paddingMask).orElse(null);
                rows = new LayerStack(stack, "layers", options.encoderLayers()).apply(graph, rows,
                        (index, prefix, input) -> encoderLayer(prefix, input, grid, additive));
                return finalNorm(stack, rows);
            });
        }

        /** One encoder layer: self-attention, then feed-forward, each with its residual and norm. */
        private Value encoderLayer(String prefix, Value rows, TokenGrid grid, Value mask) {
            String module = prefix + "self_attn";
            BartAttention attention = encoderAttention(module);
            LayerNorm attentionNorm = norm(prefix + "self_attn_layer_norm");
            Value input = sublayerInput(rows, attentionNorm);
            boolean bigBird = flavor.encoderAttention() == BartFlavor.EncoderAttention.BIG_BIRD;
            Value keys = attention.project(graph, projection(module + (bigBird ? ".self.key" : ".k_proj")), input, grid);
            Value values = attention.project(graph, projection(module + (bigBird ? ".self.value" : ".v_proj")), input,
                    grid);
            Value attended = attention.attend(graph, input, grid, keys, values, mask);
            rows = sublayerOutput(rows, attended, attentionNorm);
            return feedForward(prefix, rows, options.encoderFfnSize());
        }

        /**
         * The decoder over {@code ids} after {@code pastLength} cached tokens. {@code encoded} is null for the
         * decoder alone (causal-lm: no cross-attention).
         */
        private Decoded decode(Value ids, TokenGrid grid, Optional<Value> mask, Value pastLength,
                               List<BartInputs.LayerPast> past, Supplier<Encoded> encoded,
                               Optional<Value> encoderMask) {
            return graph.inScope("decoder", () -> {
                String stack = base + "decoder.";
                Value rows = embed(stack, Stack.DECODER, ids, grid, pastLength);
                Value causal = CausalMask.additive(graph, pastLength, grid.sequenceLength(graph));
                Value selfMask = mask.map(m -> graph.add(paddingMask(m), causal)).orElse(causal);
                Value crossMask = encoderMask.map(this::paddingMask).orElse(null);
                List<LayerCache> caches = new ArrayList<>();
                for (int layer = 0; layer < options.decoderLayers(); layer++) {
                    String prefix = stack + "layers." + layer + ".";
                    Value input = rows;
                    Optional<BartInputs.LayerPast> layerPast = past.isEmpty()
                            ? Optional.empty() : Optional.of(past.get(layer));
                    rows = graph.inScope("layers." + layer, () -> decoderLayer(prefix, input, grid, selfMask,
                            layerPast, encoded, crossMask, caches));
                }
                return new Decoded(finalNorm(stack, rows), caches);
            });
        }

        /** One decoder layer; appends the layer's cache to {@code caches}. */
        private Value decoderLayer(String prefix, Value rows, TokenGrid grid, Value selfMask,
                                   Optional<BartInputs.LayerPast> past, Supplier<Encoded> encoded, Value crossMask,
                                   List<LayerCache> caches) {
            BartAttention selfAttention = decoderAttention(prefix + "self_attn");
            LayerNorm selfNorm = norm(prefix + "self_attn_layer_norm");
            Value input = sublayerInput(rows, selfNorm);
            Value keys = selfAttention.project(graph, projection(prefix + "self_attn.k_proj"), input, grid);
            Value values = selfAttention.project(graph, projection(prefix + "self_attn.v_proj"), input, grid);
            if (past.isPresent()) {
                keys = CachedAttention.appendStep(graph, past.get().selfKey(), keys, options.decoderHeads(),
                        options.decoderHeadSize());
                values = graph.concat(2, past.get().selfValue(), values);
            }
            rows = sublayerOutput(rows, selfAttention.attend(graph, input, grid, keys, values, selfMask), selfNorm);
            Optional<Value> crossKeys = Optional.empty();
            Optional<Value> crossValues = Optional.empty();
            if (encoded != null) {
                BartAttention crossAttention = decoderAttention(prefix + "encoder_attn");
                LayerNorm crossNorm = norm(prefix + "encoder_attn_layer_norm");
                Value crossInput = sublayerInput(rows, crossNorm);
                Optional<BartInputs.LayerPast> cachedCross = past.filter(p -> p.crossKey().isPresent());
                // BartAttention reuses cached cross-attention keys and values as they are
                Value crossKey = cachedCross.isPresent() ? cachedCross.get().crossKey().orElseThrow()
                        : crossAttention.project(graph, projection(prefix + "encoder_attn.k_proj"),
                                encoded.get().rows(), encoded.get().grid());
                Value crossValue = cachedCross.isPresent() ? cachedCross.get().crossValue().orElseThrow()
                        : crossAttention.project(graph, projection(prefix + "encoder_attn.v_proj"),
                                encoded.get().rows(), encoded.get().grid());
                rows = sublayerOutput(rows, crossAttention.attend(graph, crossInput, grid, crossKey, crossValue,
                        crossMask), crossNorm);
                crossKeys = Optional.of(crossKey);
                crossValues = Optional.of(crossValue);
            }
            caches.add(new LayerCache(keys, values, crossKeys, crossValues));
            return feedForward(prefix, rows, options.decoderFfnSize());
        }

        /** fc1, activation, fc2, with the residual and {@code final_layer_norm} where the flavor puts it. */
        private Value feedForward(String prefix, Value rows, long ffnSize) {
            long hidden = options.hiddenSize();
            LayerNorm norm = norm(prefix + "final_layer_norm");
            Value input = sublayerInput(rows, norm);
            Value inner = options.activation().apply(graph,
                    Linear.load(parameters, prefix + "fc1", hidden, ffnSize).apply(graph, input));
            Value output = Linear.load(parameters, prefix + "fc2", ffnSize, hidden).apply(graph, inner);
            return sublayerOutput(rows, output, norm);
        }

        /** Pre-norm layers normalize the sub-layer's input; post-norm layers take the rows as they are. */
        private Value sublayerInput(Value rows, LayerNorm norm) {
            return flavor.layerNorms() == BartFlavor.LayerNorms.PRE ? norm.apply(graph, rows) : rows;
        }

        /** The residual sum, normalized after it in post-norm layers. */
        private Value sublayerOutput(Value rows, Value result, LayerNorm norm) {
            Value sum = graph.add(rows, result);
            return flavor.layerNorms() == BartFlavor.LayerNorms.POST ? norm.apply(graph, sum) : sum;
        }

        private Value finalNorm(String stack, Value rows) {
            return flavor.finalNorm() == BartFlavor.FinalNorm.NONE ? rows
                    : norm(stack + flavor.finalNorm().module()).apply(graph, rows);
        }

        private LayerNorm norm(String prefix) {
            return LayerNorm.load(parameters, prefix, options.hiddenSize(), BartOptions.LAYER_NORM_EPSILON);
        }

        private BartAttention encoderAttention(String prefix) {
            if (flavor.encoderAttention() == BartFlavor.EncoderAttention.BIG_BIRD) {
                // BigBirdPegasusEncoderAttention: self (BigBirdPegasusSelfAttention) and output
                return new BartAttention(projection(prefix + ".self.query"), projection(prefix + ".output"),
                        options.encoderHeads(), options.encoderHeadSize(), BartAttention.Scaling.SCORES);
            }
            return new BartAttention(projection(prefix + ".q_proj"), projection(prefix + ".out_proj"),
                    options.encoderHeads(), options.encoderHeadSize(), BartAttention.Scaling.QUERY);
        }

        private BartAttention decoderAttention(String prefix) {
            return new BartAttention(projection(prefix + ".q_proj"), projection(prefix + ".out_proj"),
                    options.decoderHeads(), options.decoderHeadSize(), BartAttention.Scaling.QUERY);
        }

        /** A {@code d_model → d_model} attention projection, with or without bias as the options say. */
        private Linear projection(String prefix) {
            long hidden = options.hiddenSize();
            if (options.projectionBias() == Linear.Bias.WITH_BIAS) {
                return Linear.load(parameters, prefix, hidden, hidden);
            }
            return new Linear(parameters.tensor(prefix + ".weight", hidden, hidden), zero(), hidden, hidden);
        }

        private Value zero() {
            return graph.scalar(ElementType.FLOAT, 0.0);
        }

        // -----------------------------------------------------------------------------------------------------------
        // Embeddings and masks

        /** Token and position embeddings of one stack, normalized as the flavor says, as rows. */
        private Value embed(String stack, Stack which, Value ids, TokenGrid grid, Value pastLength) {
            long hidden = options.hiddenSize();
            long vocab = which == Stack.ENCODER ? options.vocabSize() : options.decoderVocabSize();
            Value tokens = graph.gather(parameters.tensor(tokenTable(which), vocab, hidden), ids, 0);
            if (options.embedScale() != 1.0) {
                tokens = graph.mul(tokens, graph.scalar(ElementType.FLOAT, options.embedScale()));
            }
            Value positions = positions(stack, ids, grid, pastLength);
            Value embedded = switch (flavor.embeddingNorm()) {
                case NONE -> graph.add(tokens, positions);
                case AFTER_POSITIONS -> norm(stack + "layernorm_embedding").apply(graph, graph.add(tokens, positions));
                case ENCODER_AFTER_DECODER_BEFORE_POSITIONS -> which == Stack.ENCODER
                        ? norm(stack + "layernorm_embedding").apply(graph, graph.add(tokens, positions))
                        // BlenderbotSmallDecoder: layernorm_embedding(inputs_embeds) + positions
                        : graph.add(norm(stack + "layernorm_embedding").apply(graph, tokens), positions);
            };
            return graph.reshape(embedded, -1, hidden);
        }

        /** The token table of a stack, by the first name the checkpoint has of that (tied) parameter. */
        private String tokenTable(Stack which) {
            String own = base + which.module + ".embed_tokens.weight";
            if (options.sharing() == BartOptions.Sharing.SEPARATE) {
                return parameters.firstPresent(own);
            }
            if (variant.head() == Head.CAUSAL_LM) {
                // BartForCausalLM's input embeddings are model.decoder.embed_tokens
                return parameters.firstPresent(own, base + "shared.weight");
            }
            String other = base + (which == Stack.ENCODER ? Stack.DECODER : Stack.ENCODER).module
                    + ".embed_tokens.weight";
            return parameters.firstPresent(base + "shared.weight", own, other);
        }

        /** Position embeddings, {@code [sequence, d_model]} or {@code [batch, sequence, d_model]}. */
        private Value positions(String stack, Value ids, TokenGrid grid, Value pastLength) {
            long hidden = options.hiddenSize();
            BartFlavor.Positions positions = flavor.positions();
            long rows = options.maxPositions() + positions.offset();
            return switch (positions) {
                case LEARNED, LEARNED_FROM_2, SINUSOIDAL -> {
                    Value table = positions == BartFlavor.Positions.SINUSOIDAL
                            ? sinusoids(stack + "embed_positions.weight", SinusoidalPositions.MARIAN, rows)
                            : parameters.tensor(stack + "embed_positions.weight", rows, hidden);
                    // arange(past, past + sequence) + offset
                    Value start = graph.add(pastLength, graph.scalar(positions.offset()));
                    Value end = graph.add(start, grid.sequenceLength(graph));
                    yield graph.gather(table, graph.range(start, end, graph.scalar(1)), 0);
                }
                case SINUSOIDAL_FROM_PADDING -> {
                    // create_position_ids_from_input_ids: (cumsum(mask) + past) * mask + padding_idx
                    Value padding = graph.scalar(options.paddingIndex());
                    Value notPadding = graph.cast(graph.not(graph.equal(ids, padding)), ElementType.INT64);
                    Value numbered = graph.mul(graph.add(graph.cumSum(notPadding, 1), pastLength), notPadding);
                    Value table = sinusoids(stack + "embed_positions.weights", SinusoidalPositions.FAIRSEQ, rows);
                    yield graph.gather(table, graph.add(numbered, padding), 0);
                }
            };
        }

        /**
         * The checkpoint's sinusoidal table when it holds one (Transformers loads it), else the table computed as
         * Transformers initializes it; computed once per graph.
         */
        private Value sinusoids(String name, SinusoidalPositions kind, long rows) {
            long hidden = options.hiddenSize();
            if (parameters.contains(name)) {
                return parameters.tensor(name, rows, hidden);
            }
            if (sinusoids == null) {
                if (kind == SinusoidalPositions.FAIRSEQ && hidden < 4) {
                    throw new UnsupportedConfigException(config.source() + " sets d_model " + hidden + ": "
                            + modelType() + "'s sinusoidal positions need d_model of 4 or more "
                            + "(Transformers divides by d_model / 2 − 1)");
                }
                if (rows * hidden > Integer.MAX_VALUE) {
                    throw new UnsupportedConfigException(config.source() + ": max_position_embeddings "
                            + options.maxPositions() + " × d_model " + hidden + " is too large a position table "
                            + "to compute; save the checkpoint with its embed_positions table");
                }
                sinusoids = graph.initializer(name, kind.table((int) rows, (int) hidden, options.paddingIndex()));
            }
            return sinusoids;
        }

        /** {@code _expand_mask}: 0 where the 0/1 mask {@code [batch, keys]} is 1, else the float32 minimum. */
        private Value paddingMask(Value mask) {
            Value keep = graph.equal(graph.cast(mask, ElementType.FLOAT), graph.scalar(ElementType.FLOAT, 1.0));
            Value additive = graph.where(keep, graph.scalar(ElementType.FLOAT, 0.0),
                    graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN));
            return graph.unsqueeze(additive, 1, 2);
        }

        // -----------------------------------------------------------------------------------------------------------
        // Heads

        /**
         * {@code lm_head} (the decoder's token table when {@code tie_word_embeddings}), plus
         * {@code final_logits_bias} in the seq2seq models that register it (zeros when the checkpoint lacks it, as
         * Transformers leaves the buffer); rows {@code [tokens, vocab]}.
         */
        private Value logits(Value rows) {
            long hidden = options.hiddenSize();
            long vocab = options.decoderVocabSize();
            String weight = options.tie().decoderWeight(tokenTable(Stack.DECODER), "lm_head.weight");
            Value bias = variant.head() == Head.SEQ2SEQ_LM
                    && flavor.logitsBias() == BartFlavor.LogitsBias.FINAL_LOGITS_BIAS
                    && parameters.contains("final_logits_bias")
                    ? parameters.tensor("final_logits_bias", 1, vocab)
                    : zero();
            return new Linear(parameters.tensor(weight, vocab, hidden), bias, hidden, vocab).apply(graph, rows);
        }

        /**
         * {@code *ForSequenceClassification}: the decoder's hidden state at the last EOS of each row of
         * {@code input_ids} ({@code hidden_states[eos_mask].view(batch, -1, hidden)[:, -1]}; Transformers refuses
         * rows with different EOS counts, and a row without EOS pools its last token here), then
         * {@code classification_head}: dense, tanh, out_proj.
         */
        private Value sequenceLogits(Value decoderRows, TokenGrid decoderGrid, Value inputIds, TokenGrid encoderGrid) {
            long hidden = options.hiddenSize();
            Value states = decoderGrid.unflatten(graph, decoderRows, hidden);
            Value isEos = graph.equal(inputIds, graph.scalar(options.eosTokenId()));
            Value eosPositions = graph.where(isEos, encoderGrid.positions(graph), graph.scalar(-1));
            Value last = graph.unsqueeze(graph.reduceMax(eosPositions, KeepDims.YES, 1), 2);
            Value index = graph.expand(last, graph.constant(1, 1, hidden));
            Value pooled = graph.reshape(graph.gatherElements(states, index, 1), -1, hidden);
            Value dense = graph.tanh(Linear.load(parameters, "classification_head.dense", hidden, hidden)
                    .apply(graph, pooled));
            return Linear.loadWithOutputsFromWeights(parameters, "classification_head.out_proj", hidden)
                    .apply(graph, dense);
        }
    }

    /** Which stack an embedding belongs to. */
    private enum Stack {
        ENCODER("encoder"),
        DECODER("decoder");

        private final String module;

        Stack(String module) {
            this.module = module;
        }
    }

}
