package org.exporters4j.models.t5;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.Lazy;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.PadMode;
import org.exporters4j.onnx.Value;

/**
 * Builds T5-family encoder-decoder graphs (t5, mt5, longt5) from the checkpoint's weights, as Transformers 4.25.1
 * computes {@code T5Model} / {@code T5ForConditionalGeneration} (and the MT5 and LongT5 classes) in eval mode:
 *
 * <ul>
 *   <li>embeddings: {@code shared.weight}, unscaled, for encoder and decoder;</li>
 *   <li>each block: pre-norm residual sub-layers with {@link T5LayerNorm}; self-attention (cross-attention in the
 *       decoder between the two) without score scaling, the relative position bias computed by block 0's
 *       {@code relative_attention_bias} and shared by every block (bidirectional buckets in the encoder, causal in
 *       the decoder; the masks added to it); the feed-forward {@code DenseReluDense}, plain or gated;</li>
 *   <li>LongT5's encoder attends locally: blocks of {@code local_radius + 1} tokens see their own and both
 *       neighbouring blocks, as {@code LongT5LocalAttention}, with its {@code -1e10} mask (a padding query then
 *       attends uniformly, as in PyTorch);
 *       with {@code encoder_attention_type "transient-global"} ({@code LongT5TransientGlobalAttention}) each token
 *       also attends to one global token per {@code global_block_size} tokens (their sum, layer-normed), with a
 *       side bias of its own;</li>
 *   <li>the final layer norms; the LM head {@code lm_head} (or {@code shared.weight} when
 *       {@code tie_word_embeddings}, the decoder output then rescaled by {@code d_model ** -0.5}).</li>
 * </ul>
 *
 * <p>Graphs with past take Optimum's cache inputs and return the present cache: the decoder's self-attention keys
 * and values are the past ones followed by the step's (a past of length 0 is a first step), the queries sit at
 * positions {@code past … past + steps − 1} for the position bias and the causal mask. The cross-attention keys and
 * values are the encoder part of the past when its length equals the encoder's sequence length — Transformers
 * 4.25.1 always uses them as given, whatever {@code input_ids} hold, and Optimum's interface passes them so — and
 * otherwise (an empty encoder past on the first step) they are projected from this run's encoder output, as the
 * graph without past computes them and as Transformers does from 4.26 on; {@code present.*.encoder.*} returns what
 * was used, so the first step's outputs seed the cache. {@code decoder_start_token_id} is the caller's first
 * decoder token; the graph takes {@code decoder_input_ids} as given.
 */
public final class T5Architecture extends FamilyArchitecture {
    private static final Set<Variant> VARIANTS = Set.of(Variant.of(Head.BASE), Variant.withPast(Head.BASE),
            Variant.of(Head.SEQ2SEQ_LM), Variant.withPast(Head.SEQ2SEQ_LM));
    /** {@code torch.where(mask > 0, 0.0, -1e10)}: LongT5 masks local attention with −10¹⁰, not float32 min. */
    private static final double LOCAL_MASK_VALUE = -1e10;

    private final T5Flavor flavor;

    public T5Architecture(String modelType, T5Flavor flavor) {
        super(modelType, "t5", VARIANTS);
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    /** The whole model, and Optimum 1.25.3's encoder and decoder parts. */
    @Override
    protected Set<Component> components() {
        return Set.of(Component.values());
    }

    public T5Flavor flavor() {
        return flavor;
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        GraphInterface graphInterface = build.graphInterface();
        T5Options options = T5Options.read(config, flavor);
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        String purpose = build.purpose();
        Component component = graphInterface.component();
        // the cache inputs: the whole model's with past, and the decoder part's over the cache
        int cacheLayers = variant.usesPast() && (component == Component.MODEL
                || component == Component.DECODER_WITH_PAST) ? options.decoderLayers() : 0;
        // the present outputs: the whole model's and the decoder parts' with past
        int presentLayers = variant.usesPast() && component != Component.ENCODER ? options.decoderLayers() : 0;
        Seq2SeqInputs inputs = Seq2SeqInputs.declare(graph, graphInterface, cacheLayers, options.heads(),
                options.keyValueSize(), options.modelSize(), purpose);
        Stacks stacks = new Stacks(graph, parameters, options, inputs, component);
        Dim follows = Dim.unknown();
        long modelSize = options.modelSize();
        if (component == Component.ENCODER) {
            // the encoder part: T5Stack's last hidden state over the encoder's tokens
            if (build.wants("last_hidden_state")) {
                build.output("last_hidden_state", stacks.encoderGrid.get().unflatten(graph, stacks.encoder.get(),
                        modelSize), follows, follows, Dim.of(modelSize));
            }
            return;
        }
        switch (variant.head()) {
            case BASE -> {
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", stacks.decoderGrid.get().unflatten(graph, stacks.decoder.get().rows(),
                            modelSize), follows, follows, Dim.of(modelSize));
                }
            }
            case SEQ2SEQ_LM -> {
                if (build.wants("logits")) {
                    build.output("logits", stacks.decoderGrid.get().unflatten(graph,
                            Linear.languageModelHead(build, stacks.decoder.get().rows(), stacks::logits),
                            options.vocabSize()), follows, follows,
                            Dim.of(options.vocabSize()));
                }
            }
            default -> throw new ArchitectureException(modelType() + " has no " + variant.head() + " head");
        }
        if (build.wants("encoder_last_hidden_state")) {
            build.output("encoder_last_hidden_state", stacks.encoderGrid.get().unflatten(graph, stacks.encoder.get(),
                    modelSize), follows, follows, Dim.of(modelSize));
        }
        for (int layer = 0; layer < presentLayers; layer++) {
            int index = layer;
            Dim heads = Dim.of(options.heads());
            Dim headSize = Dim.of(options.keyValueSize());
            List<CacheTensor> present = List.of(
                    new CacheTensor(Direction.PRESENT, layer, Attention.DECODER_SELF, Part.KEY),
                    new CacheTensor(Direction.PRESENT, layer, Attention.DECODER_SELF, Part.VALUE),
                    new CacheTensor(Direction.PRESENT, layer, Attention.ENCODER_CROSS, Part.KEY),
                    new CacheTensor(Direction.PRESENT, layer, Attention.ENCODER_CROSS, Part.VALUE));
            for (int slot = 0; slot < present.size(); slot++) {
                int at = slot;
                build.outputs().add(present.get(slot), () -> stacks.decoder.get().present().get(index).get(at),
                        follows, heads, follows, headSize);
            }
        }
    }

    /** {@code supplier} computed at most once: a stack or a bias is built only if an output needs it. */

    /** The decoder's output rows {@code [batch × steps, d_model]} and, per layer, its present cache (4 tensors). */
    private record DecoderOutput(Value rows, List<List<Value>> present) {}

    /** One graph under construction: the encoder and decoder stacks over the declared inputs. */
    private final class Stacks {
        private final OnnxGraphBuilder graph;
        private final Parameters parameters;
        private final T5Options options;
        private final Seq2SeqInputs inputs;
        private final Supplier<TokenGrid> encoderGrid;
        private final Supplier<TokenGrid> decoderGrid;
        private final Component component;
        private final Supplier<Value> embeddingTable;
        private final Supplier<Value> encoder;
        private final Supplier<DecoderOutput> decoder;
        /** Transient-global attention's token → global block assignment, shared by every encoder layer. */
        private final Supplier<GlobalBlocks> globalBlocks;

        Stacks(OnnxGraphBuilder graph, Parameters parameters, T5Options options, Seq2SeqInputs inputs,
               Component component) {
            this.graph = graph;
            this.parameters = parameters;
            this.options = options;
            this.inputs = inputs;
            this.component = component;
            // the encoder's (batch, sequence): its ids, or in a decoder part its mask or output
            this.encoderGrid = Lazy.of(() -> inputs.inputIds().map(ids -> TokenGrid.of(graph, ids))
                    .or(() -> inputs.attentionMask().map(mask -> TokenGrid.of(graph, mask)))
                    .orElseGet(() -> new TokenGrid(graph.shape(inputs.encoderHiddenStates().orElseThrow(), 0, 2))));
            this.decoderGrid = Lazy.of(() -> TokenGrid.of(graph, inputs.decoderInputIds().orElseThrow()));
            if (component == Component.MODEL) {
                // the whole model reads both grids, made first (a part makes only those it reads, when it reads them)
                encoderGrid.get();
                decoderGrid.get();
            }
            // T5Model.shared is the encoder's and the decoder's embed_tokens: one parameter under three names
            this.embeddingTable = Lazy.of(() -> parameters.tensor(parameters.firstPresent("shared.weight",
                    "encoder.embed_tokens.weight", "decoder.embed_tokens.weight"), options.vocabSize(),
                    options.modelSize()));
            // a decoder part reads the encoder's output as rows instead of computing it
            this.encoder = Lazy.of(() -> component.readsEncoderOutput()
                    ? graph.reshape(inputs.encoderHiddenStates().orElseThrow(), -1, options.modelSize())
                    : graph.inScope("encoder", this::encode));
            this.decoder = Lazy.of(() -> {
                if (component != Component.DECODER_WITH_PAST) {
                    encoder.get(); // built first, under its own scope, as the decoder reads it
                }
                return graph.inScope("decoder", this::decode);
            });
            this.globalBlocks = Lazy.of(() -> graph.inScope("global_blocks", () -> GlobalBlocks.of(graph,
                    encoderMask(), encoderGrid.get(), options.globalBlockSize())));
        }

        // ---------------------------------------------------------------------------------------------------------
        // Encoder

        /** T5Stack as encoder: the last hidden state as rows {@code [batch × sequence, d_model]}. */
        private Value encode() {
            Value rows = embed(inputs.inputIds().orElseThrow());
            Supplier<Value> bias = Lazy.of(() -> graph.inScope("position_bias", this::encoderBias));
            for (int layer = 0; layer < options.encoderLayers(); layer++) {
                String prefix = "encoder.block." + layer + ".layer.";
                Value input = rows;
                rows = graph.inScope("block." + layer, () -> {
                    Value normed = norm(prefix + "0.layer_norm", input);
                    Value attended = switch (options.encoderSelfAttention()) {
                        case FULL -> {
                            String attention = prefix + "0.SelfAttention";
                            yield attend(projectHeads(attention + ".q", normed, encoderGrid.get()),
                                    projectHeads(attention + ".k", normed, encoderGrid.get()),
                                    projectHeads(attention + ".v", normed, encoderGrid.get()), bias.get(), attention + ".o");
                        }
                        case LOCAL -> localAttention(prefix + "0.LocalSelfAttention", normed, bias.get());
                        case TRANSIENT_GLOBAL -> transientGlobalAttention(prefix + "0.TransientGlobalSelfAttention",
                                normed, bias.get());
                    };
                    Value residual = graph.add(input, attended);
                    return graph.add(residual, feedForward(prefix + "1.", residual));
                });
            }
            return norm("encoder.final_layer_norm", rows);
        }

        /** Block 0's position bias plus the padding mask, shared by every encoder block. */
        private Value encoderBias() {
            return switch (options.encoderSelfAttention()) {
                case FULL -> {
                    // compute_bias(seq, seq): [1, heads, seq, seq], then + (1 − mask) · min, [batch, 1, 1, seq]
                    Value positions = encoderGrid.get().positions(graph);
                    Value relative = options.buckets().bias(graph,
                            relativeAttentionBias("encoder.block.0.layer.0.SelfAttention"), positions, positions,
                            AttentionDirection.BIDIRECTIONAL);
                    yield graph.add(graph.unsqueeze(relative, 0), AttentionMask.additive(graph,
                            inputs.attentionMask().orElse(null), AttentionDirection.BIDIRECTIONAL, encoderGrid.get()));
                }
                case LOCAL -> localBias("encoder.block.0.layer.0.LocalSelfAttention");
                // LongT5TransientGlobalAttention: the local bias, then the side bias of the global keys after it
                case TRANSIENT_GLOBAL -> graph.concat(-1,
                        localBias("encoder.block.0.layer.0.TransientGlobalSelfAttention"),
                        sideBias("encoder.block.0.layer.0.TransientGlobalSelfAttention"));
            };
        }

        /**
         * LongT5LocalAttention.compute_bias(block_len) plus the local mask: {@code [batch, blocks, heads, block_len,
         * 3 · block_len]}. The bias takes the window's key positions {@code 0 … 3·block_len − 1} against query
         * positions {@code block_len … 2·block_len − 1} (the middle block, as Transformers 4.25.1 computes it; the
         * first LongT5 port did not centre them); the mask keeps keys that are real tokens within
         * {@code local_radius} of a real query ({@code _get_local_attention_mask}), adding −1e10 elsewhere (a
         * float32 sum with −1e10 drops the scores, so a padding query weighs its whole window equally, as PyTorch
         * computes it).
         */
        private Value localBias(String attention) {
            long blockLength = options.blockLength();
            // the window's middle block holds the queries: block_len … 2·block_len − 1 of 0 … 3·block_len − 1
            Value queries = graph.range(graph.scalar(blockLength), graph.scalar(2 * blockLength), graph.scalar(1));
            Value keys = graph.range(graph.scalar(0), graph.scalar(3 * blockLength), graph.scalar(1));
            Value relative = options.buckets().bias(graph, relativeAttentionBias(attention), queries, keys,
                    AttentionDirection.BIDIRECTIONAL);
            Value blockedMask = splitIntoBlocks(encoderMask()); // [batch, blocks, block_len], padding blocks 0
            Value blocked = graph.cast(blockedMask, ElementType.BOOL);
            Value window = graph.cast(concatenateThreeBlocks(blockedMask, 3), ElementType.BOOL);
            Value pairs = graph.and(graph.unsqueeze(blocked, 3), graph.unsqueeze(window, 2));
            // _mask_local_attention_mask: |key − (query + block_len)| < block_len within the 3-block window
            Value centred = graph.sub(graph.unsqueeze(keys, 0), graph.unsqueeze(queries, 1));
            Value local = graph.and(pairs, graph.less(graph.abs(centred), graph.scalar(blockLength)));
            Value additive = graph.where(local, graph.scalar(ElementType.FLOAT, 0.0),
                    graph.scalar(ElementType.FLOAT, LOCAL_MASK_VALUE));
            return graph.add(graph.unsqueeze(relative, 0, 1), graph.unsqueeze(additive, 2));
        }

        /** LongT5LocalAttention: rows in, projected rows out. */
        private Value localAttention(String prefix, Value rows, Value bias) {
            // [batch, blocks, block_len, heads, head_size] → [batch, blocks, heads, block_len, head_size]
            Value q = graph.transpose(blocks(prefix + ".q", rows), 0, 1, 3, 2, 4);
            // [batch, blocks, 3·block_len, heads, head_size]; keys as [batch, blocks, heads, head_size, 3·block_len]
            Value kT = graph.transpose(concatenateThreeBlocks(blocks(prefix + ".k", rows), 5), 0, 1, 3, 4, 2);
            Value v = graph.transpose(concatenateThreeBlocks(blocks(prefix + ".v", rows), 5), 0, 1, 3, 2, 4);
            Value probabilities = graph.softmax(graph.add(graph.matMul(q, kT), bias), -1);
            return mergeBlocks(prefix, graph.matMul(probabilities, v));
        }

        /**
         * The blocks' context {@code [batch, blocks, heads, block_len, head_size]} as rows: heads merged, the first
         * {@code sequence} tokens kept (the padding of the last block dropped), then the output projection.
         */
        private Value mergeBlocks(String prefix, Value context) {
            Value merged = graph.reshape(graph.transpose(context, 0, 1, 3, 2, 4), 0, -1, options.innerSize());
            Value sequence = graph.shape(inputs.inputIds().orElseThrow(), 1, 2);
            Value kept = graph.slice(merged, graph.constant(0), sequence, graph.constant(1));
            return projection(prefix + ".o").apply(graph, graph.reshape(kept, -1, options.innerSize()));
        }

        /** The encoder's attention mask, int64 {@code [batch, sequence]}; all ones when the graph takes none. */
        private Value encoderMask() {
            return inputs.attentionMask().orElseGet(() ->
                    graph.constantOfShape(encoderGrid.get().batchAndSequence(), ElementType.INT64, 1.0));
        }

        /**
         * LongT5TransientGlobalAttention: rows in, projected rows out. Each block's queries attend to the three-block
         * window (as {@link #localAttention}) and to the global tokens: per global block, the sum of the (normed)
         * rows whose block id it is, normed by {@code global_input_layer_norm} and projected by the same {@code k}
         * and {@code v} ({@code _create_global_aggregates}); the scores of both go through one softmax.
         */
        private Value transientGlobalAttention(String prefix, Value rows, Value bias) {
            long modelSize = options.modelSize();
            long heads = options.heads();
            long headSize = options.keyValueSize();
            // [batch, globals, sequence] · [batch, sequence, d_model]: the sum over each global block
            Value sums = graph.matMul(globalBlocks.get().membership(), encoderGrid.get().unflatten(graph, rows, modelSize));
            Value globalRows = norm(prefix + ".global_input_layer_norm", graph.reshape(sums, -1, modelSize));
            Value perHead = graph.concat(0, graph.shape(sums, 0, 1), graph.constant(-1, heads, headSize));
            // [batch, 1, heads, d_kv, globals] and [batch, 1, heads, globals, d_kv], shared by every block
            Value sideKeysT = graph.unsqueeze(graph.transpose(graph.reshape(
                    projection(prefix + ".k").apply(graph, globalRows), perHead), 0, 2, 3, 1), 1);
            Value sideValues = graph.unsqueeze(graph.transpose(graph.reshape(
                    projection(prefix + ".v").apply(graph, globalRows), perHead), 0, 2, 1, 3), 1);
            Value q = graph.transpose(blocks(prefix + ".q", rows), 0, 1, 3, 2, 4);
            Value kT = graph.transpose(concatenateThreeBlocks(blocks(prefix + ".k", rows), 5), 0, 1, 3, 4, 2);
            Value v = graph.transpose(concatenateThreeBlocks(blocks(prefix + ".v", rows), 5), 0, 1, 3, 2, 4);
            // scores [batch, blocks, heads, block_len, 3·block_len + globals]: the window's keys, then the globals'
            Value scores = graph.concat(-1, graph.matMul(q, kT), graph.matMul(q, sideKeysT));
            Value probabilities = graph.softmax(graph.add(scores, bias), -1);
            long window = 3 * options.blockLength();
            Value context = graph.add(graph.matMul(graph.slice(probabilities, 4, 0, window), v),
                    graph.matMul(graph.slice(probabilities, 4, window, Long.MAX_VALUE), sideValues));
            return mergeBlocks(prefix, context);
        }

        /**
         * LongT5TransientGlobalAttention.compute_side_bias, split into blocks: {@code [batch, blocks, heads,
         * block_len, globals]}. A token sees a global block when its mask value equals the block's segment flag
         * ({@code torch.eq(mask, global_segment_ids)}: real tokens the blocks that hold real tokens, padding tokens
         * the others), −1e10 elsewhere; plus {@code global_relative_attention_bias} of the bidirectional bucket of
         * {@code global position − block id}.
         */
        private Value sideBias(String attention) {
            GlobalBlocks blocks = globalBlocks.get();
            Value mask = encoderMask();
            Value visible = graph.equal(graph.unsqueeze(mask, 2), graph.unsqueeze(blocks.segments(), 1));
            Value masked = graph.where(visible, graph.scalar(ElementType.FLOAT, 0.0),
                    graph.scalar(ElementType.FLOAT, LOCAL_MASK_VALUE));
            Value relative = graph.sub(graph.unsqueeze(blocks.globalPositions(), 0, 1),
                    graph.unsqueeze(blocks.blockIds(), 2));
            Value table = parameters.tensor(attention + ".global_relative_attention_bias.weight",
                    options.buckets().numBuckets(), options.heads());
            // [batch, sequence, globals, heads]
            Value bias = graph.add(graph.gather(table, options.buckets().apply(graph, relative,
                    AttentionDirection.BIDIRECTIONAL), 0), graph.unsqueeze(masked, 3));
            // _split_into_blocks(dim=-2) on the sequence: zero rows pad it to whole blocks
            Value padded = padToBlocks(bias, 4);
            Value blocked = graph.reshape(padded, graph.concat(0, graph.shape(padded, 0, 1),
                    graph.constant(-1, options.blockLength()), graph.shape(padded, 2, 4)));
            return graph.transpose(blocked, 0, 1, 4, 2, 3);
        }

        /** A projection of rows in heads, split into blocks: {@code [batch, blocks, block_len, heads, d_kv]}. */
        private Value blocks(String name, Value rows) {
            long heads = options.heads();
            long headSize = options.keyValueSize();
            Value projected = graph.reshape(projection(name).apply(graph, rows),
                    encoderGrid.get().shapeWith(graph, heads, headSize));
            return splitIntoBlocks(projected, heads, headSize);
        }

        /**
         * {@code _split_into_blocks(x, block_len, dim=1)}: axis 1 of {@code [batch, sequence, trailing…]}
         * zero-padded to a multiple of the block length, then viewed as {@code [batch, blocks, block_len,
         * trailing…]}.
         */
        private Value splitIntoBlocks(Value x, long... trailing) {
            long blockLength = options.blockLength();
            int rank = 2 + trailing.length;
            Value padded = padToBlocks(x, rank);
            long[] shape = new long[rank + 1];
            shape[1] = -1; // shape[0] = 0 copies the batch
            shape[2] = blockLength;
            System.arraycopy(trailing, 0, shape, 3, trailing.length);
            return graph.reshape(padded, shape);
        }

        /** {@code x} of rank {@code rank} with zeros after axis 1 (the sequence) up to a multiple of the block length. */
        private Value padToBlocks(Value x, int rank) {
            Value block = graph.constant(options.blockLength());
            Value padding = graph.mod(graph.sub(block, graph.mod(graph.shape(x, 1, 2), block)), block);
            // pads: the begin of every axis, then the ends; only axis 1's end is non-zero
            List<Value> pads = new ArrayList<>(List.of(graph.constant(new long[rank + 1]), padding));
            if (rank > 2) {
                pads.add(graph.constant(new long[rank - 2]));
            }
            return graph.pad(x, graph.concat(0, pads), PadMode.CONSTANT);
        }

        /**
         * {@code _concatenate_3_blocks(x, block_dim=1, sequence_dim=2)}: each block next to its predecessor and
         * successor (zero blocks at the ends), {@code [batch, blocks, 3 · block_len, …]}.
         */
        private Value concatenateThreeBlocks(Value x, int rank) {
            long[] pads = new long[2 * rank];
            pads[1] = 1;
            pads[rank + 1] = 1;
            Value padded = graph.pad(x, PadMode.CONSTANT, pads);
            return graph.concat(2, graph.slice(padded, 1, 0, -2), graph.slice(padded, 1, 1, -1),
                    graph.slice(padded, 1, 2, Long.MAX_VALUE));
        }

        // ---------------------------------------------------------------------------------------------------------
        // Decoder

        /** T5Stack as decoder over the encoder output, with the cache when the graph has one. */
        private DecoderOutput decode() {
            Value rows = embed(inputs.decoderInputIds().orElseThrow());
            List<Seq2SeqInputs.LayerPast> past = inputs.past();
            // positions: the step's queries follow the cached ones (past length from layer 0's cache)
            Value pastLength = past.isEmpty() ? graph.scalar(0)
                    : graph.gather(graph.shape(past.get(0).decoderKey()), graph.scalar(2), 0);
            Value total = graph.add(pastLength, decoderGrid.get().sequenceLength(graph));
            Value queries = graph.range(pastLength, total, graph.scalar(1));
            Value keys = graph.range(graph.scalar(0), total, graph.scalar(1));
            Supplier<Value> selfBias = Lazy.of(() -> graph.inScope("position_bias",
                    () -> decoderBias(queries, keys, pastLength)));
            // invert_attention_mask(encoder mask): the cross-attention's only bias (no relative bias there)
            // (the grid only sizes a mask the interface lacks: the step over the cache reads no other encoder shape)
            Supplier<Value> crossBias = Lazy.of(() -> AttentionMask.additive(graph,
                    inputs.attentionMask().orElse(null), AttentionDirection.BIDIRECTIONAL,
                    inputs.attentionMask().isPresent() && component == Component.DECODER_WITH_PAST ? null
                            : encoderGrid.get()));
            List<List<Value>> present = new ArrayList<>();
            for (int layer = 0; layer < options.decoderLayers(); layer++) {
                String prefix = "decoder.block." + layer + ".layer.";
                Seq2SeqInputs.LayerPast layerPast = past.isEmpty() ? null : past.get(layer);
                Value input = rows;
                List<Value> cache = new ArrayList<>();
                rows = graph.inScope("block." + layer, () -> {
                    String self = prefix + "0.SelfAttention";
                    Value normed = norm(prefix + "0.layer_norm", input);
                    Value key = projectHeads(self + ".k", normed, decoderGrid.get());
                    Value value = projectHeads(self + ".v", normed, decoderGrid.get());
                    if (layerPast != null) {
                        key = CachedAttention.appendStep(graph, layerPast.decoderKey(), key,
                                options.heads(), options.keyValueSize());
                        value = graph.concat(2, layerPast.decoderValue(), value);
                    }
                    Value attended = graph.add(input, attend(projectHeads(self + ".q", normed, decoderGrid.get()), key,
                            value, selfBias.get(), self + ".o"));
                    String cross = prefix + "1.EncDecAttention";
                    Value crossNormed = norm(prefix + "1.layer_norm", attended);
                    Value encoderKey;
                    Value encoderValue;
                    if (component == Component.DECODER_WITH_PAST) {
                        // Optimum 1.25.3's later steps: the cross-attention's keys and values are the cache's
                        encoderKey = layerPast.encoderKey();
                        encoderValue = layerPast.encoderValue();
                    } else {
                        encoderKey = projectHeads(cross + ".k", encoder.get(), encoderGrid.get());
                        encoderValue = projectHeads(cross + ".v", encoder.get(), encoderGrid.get());
                    }
                    if (layerPast != null && component == Component.MODEL) {
                        encoderKey = pastWhenItFits(layerPast.encoderKey(), encoderKey);
                        encoderValue = pastWhenItFits(layerPast.encoderValue(), encoderValue);
                    }
                    Value crossAttended = graph.add(attended, attend(projectHeads(cross + ".q", crossNormed,
                            decoderGrid.get()), encoderKey, encoderValue, crossBias.get(), cross + ".o"));
                    cache.addAll(List.of(key, value, encoderKey, encoderValue));
                    return graph.add(crossAttended, feedForward(prefix + "2.", crossAttended));
                });
                present.add(List.copyOf(cache));
            }
            return new DecoderOutput(norm("decoder.final_layer_norm", rows), present);
        }

        /**
         * Block 0's causal position bias over (query, key) positions plus the causal mask
         * ({@code get_extended_attention_mask} of a decoder: a key is visible up to the query's own position),
         * {@code [1, heads, steps, past + steps]}; the mask is the kit's {@link CausalMask#additive} (float32 min
         * where the key comes after the query, 0 elsewhere).
         */
        private Value decoderBias(Value queries, Value keys, Value pastLength) {
            Value relative = options.buckets().bias(graph,
                    relativeAttentionBias("decoder.block.0.layer.0.SelfAttention"), queries, keys,
                    AttentionDirection.CAUSAL);
            return graph.add(graph.unsqueeze(relative, 0),
                    CausalMask.additive(graph, pastLength, decoderGrid.get().sequenceLength(graph)));
        }

        /**
         * The cross-attention cache input when its length is the encoder's sequence length (Transformers 4.25.1
         * uses it as given), else {@code computed} from this run's encoder output (an empty encoder past on the
         * first step), chosen at run time: both are laid end to end and the graph slices the one that applies.
         */
        private Value pastWhenItFits(Value past, Value computed) {
            Value pastLength = graph.shape(past, 2, 3);
            Value encoderLength = graph.shape(computed, 2, 3);
            Value start = graph.where(graph.equal(pastLength, encoderLength), graph.constant(0), pastLength);
            Value both = CachedAttention.appendStep(graph, past, computed, options.heads(), options.keyValueSize());
            return graph.identity(graph.slice(both, start, graph.add(start, encoderLength), graph.constant(2)));
        }

        // ---------------------------------------------------------------------------------------------------------
        // Shared pieces

        /** {@code shared(ids)} as rows {@code [batch × sequence, d_model]}; T5 does not scale embeddings. */
        private Value embed(Value ids) {
            return graph.reshape(graph.gather(embeddingTable.get(), ids, 0), -1, options.modelSize());
        }

        private Value norm(String prefix, Value rows) {
            return T5LayerNorm.load(parameters, prefix, options.modelSize(), options.layerNormEpsilon())
                    .apply(graph, rows);
        }

        /** {@code relative_attention_bias.weight} of an attention module, {@code [num_buckets, heads]}. */
        private Value relativeAttentionBias(String attention) {
            return parameters.tensor(attention + ".relative_attention_bias.weight",
                    options.buckets().numBuckets(), options.heads());
        }

        private Linear projection(String name) {
            return name.endsWith(".o")
                    ? Linear.load(parameters, name, options.innerSize(), options.modelSize(), Bias.WITHOUT_BIAS)
                    : Linear.load(parameters, name, options.modelSize(), options.innerSize(), Bias.WITHOUT_BIAS);
        }

        /** A q/k/v projection of rows split into heads: {@code [batch, heads, sequence, d_kv]}. */
        private Value projectHeads(String name, Value rows, TokenGrid grid) {
            Value projected = projection(name).apply(graph, rows);
            return graph.transpose(graph.reshape(projected,
                    grid.shapeWith(graph, options.heads(), options.keyValueSize())), 0, 2, 1, 3);
        }

        /**
         * T5Attention's core: {@code softmax(q · kᵀ + bias) · v} (no {@code 1/√d} scaling: the Mesh TensorFlow
         * initialization folds it into {@code q}), heads merged, then the output projection {@code output}.
         */
        private Value attend(Value q, Value k, Value v, Value bias, String output) {
            Value scores = graph.add(graph.matMul(q, graph.transpose(k, 0, 1, 3, 2)), bias);
            Value context = graph.matMul(graph.softmax(scores, -1), v);
            Value merged = graph.reshape(graph.transpose(context, 0, 2, 1, 3), -1, options.innerSize());
            return projection(output).apply(graph, merged);
        }

        /** T5LayerFF without its residual: the layer norm, then DenseReluDense (plain or gated). */
        private Value feedForward(String prefix, Value rows) {
            Value normed = norm(prefix + "layer_norm", rows);
            String dense = prefix + "DenseReluDense.";
            long modelSize = options.modelSize();
            long feedForwardSize = options.feedForwardSize();
            Value hidden = switch (options.feedForward()) {
                case PLAIN -> options.activation().apply(graph,
                        Linear.load(parameters, dense + "wi", modelSize, feedForwardSize, Bias.WITHOUT_BIAS)
                                .apply(graph, normed));
                case GATED -> graph.mul(options.activation().apply(graph,
                                Linear.load(parameters, dense + "wi_0", modelSize, feedForwardSize, Bias.WITHOUT_BIAS)
                                        .apply(graph, normed)),
                        Linear.load(parameters, dense + "wi_1", modelSize, feedForwardSize, Bias.WITHOUT_BIAS)
                                .apply(graph, normed));
            };
            return Linear.load(parameters, dense + "wo", feedForwardSize, modelSize, Bias.WITHOUT_BIAS)
                    .apply(graph, hidden);
        }

        /**
         * The LM head: {@code lm_head(rows)}, or, when {@code tie_word_embeddings}, {@code shared.weight} applied
         * to the rows rescaled by {@code d_model ** -0.5} (T5ForConditionalGeneration.forward).
         */
        private Value logits(Value rows) {
            long modelSize = options.modelSize();
            return switch (options.tie()) {
                case TIED -> Linear.withoutBias(embeddingTable.get(), modelSize, options.vocabSize()).apply(graph,
                        graph.mul(rows, graph.scalar(ElementType.FLOAT, Math.pow(modelSize, -0.5))));
                case UNTIED -> Linear.load(parameters, "lm_head", modelSize, options.vocabSize(),
                        Bias.WITHOUT_BIAS).apply(graph, rows);
            };
        }
    }
}
