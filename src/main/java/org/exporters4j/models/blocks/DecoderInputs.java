package org.exporters4j.models.blocks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The inputs of a decoder-only graph, declared in the order the interface lists them: {@code input_ids}
 * {@code [batch, sequence]}, {@code attention_mask} {@code [batch, past + sequence]}, {@code position_ids}
 * {@code [batch, sequence]} and, for a with-past variant, {@code past_key_values.<i>.key} / {@code .value} of every
 * layer. Dimensions the interface names get its names; the others are fixed (heads, head width) or unnamed dynamic
 * dimensions, so one with-past graph takes any sequence length and any past length, including an empty past
 * (length 0): the same file serves the prompt and every later step.
 *
 * @param inputIds int64 {@code [batch, sequence]}
 * @param attentionMask int64 {@code [batch, past + sequence]}, when the interface has it
 * @param positionIds int64 {@code [batch, sequence]}, when the interface has it
 * @param past each layer's cache in the common layout {@code (batch, kv_heads, past, head_dim)}; empty without past
 * @param grid the runtime {@code [batch, sequence]} of the ids
 * @param pastLength rank-0 int64 past length (a constant 0 without past)
 */
public record DecoderInputs(Value inputIds, Optional<Value> attentionMask, Optional<Value> positionIds,
                            List<LayerPast> past, TokenGrid grid, Value pastLength) {

    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String POSITION_IDS = "position_ids";
    /** A decoder's inputs when it takes explicit positions: ids, mask and {@code position_ids}, in this order. */
    public static final List<String> WITH_POSITION_IDS = List.of(INPUT_IDS, ATTENTION_MASK, POSITION_IDS);
    /** A decoder's inputs when its positions are implicit (ALiBi, or counted from the mask): ids and mask. */
    public static final List<String> WITHOUT_POSITION_IDS = List.of(INPUT_IDS, ATTENTION_MASK);

    /** One layer's cache as graph inputs, in the common layout. */
    public record LayerPast(Value key, Value value) {
        public LayerPast {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** The cache shape of a family: layer count, cache heads and head width, and its layout at the graph's edge. */
    public record CacheShape(int layers, int heads, long headDim, CacheLayout layout) {
        public CacheShape {
            Objects.requireNonNull(layout, "layout");
            if (layers <= 0 || heads <= 0 || headDim <= 0) {
                throw new IllegalArgumentException("a cache needs layers, heads and a head width, got " + layers
                        + " × " + heads + " × " + headDim);
            }
        }
    }

    public DecoderInputs {
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(attentionMask, "attentionMask");
        Objects.requireNonNull(positionIds, "positionIds");
        past = List.copyOf(past);
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(pastLength, "pastLength");
    }

    /** Whether the graph takes the cache of earlier steps. */
    public boolean hasPast() {
        return !past.isEmpty();
    }

    /**
     * Declares the interface's inputs. {@code accepted} lists the non-cache inputs the family's forward takes;
     * a with-past variant takes the cache of every layer or none (then it returns the present of the new tokens
     * only), a variant without past takes none.
     *
     * @param purpose the graph, for errors, e.g. {@code "the gpt2 causal-lm with past graph"}
     */
    public static DecoderInputs declare(OnnxGraphBuilder graph, GraphInterface graphInterface, Variant variant,
                                        CacheShape cache, List<String> accepted, String purpose) {
        boolean fused = cache.layout().fusesKeyAndValue();
        String described = fused ? "past_key_values.<layer>.key_value" : "past_key_values.<layer>.key/value";
        GraphInputs.CacheInputs cacheInputs = new GraphInputs.CacheInputs(variant.usesPast() ? described : "",
                tensor -> {
            if (tensor.direction() != Direction.PAST || tensor.attention() != Attention.SELF
                    || (tensor.part() == Part.KEY_VALUE) != fused) {
                throw new ArchitectureException(purpose + " takes a decoder-only cache (" + described + "), not '"
                        + tensor + "'");
            }
            if (!variant.usesPast()) {
                throw new ArchitectureException(purpose + " takes no cache input such as '" + tensor + "'; ask "
                        + "for the with-past variant to feed the cache");
            }
            if (tensor.layer() >= cache.layers()) {
                throw new ArchitectureException(purpose + ": input '" + tensor + "' names layer " + tensor.layer()
                        + " but the model has " + cache.layers() + " layers (0 to " + (cache.layers() - 1) + ")");
            }
            return Optional.of(cache.layout().naturalDims(tensor.part(), cache.heads(), cache.headDim()));
        });
        GraphInputs inputs = GraphInputs.declare(graph, graphInterface, accepted.stream()
                .map(name -> GraphInputs.Accepted.of(name, GraphInputs.Kind.INTEGER, Dim.unknown(), Dim.unknown()))
                .toList(), cacheInputs, purpose);
        for (String name : inputs.names()) {
            if (!List.of(INPUT_IDS, ATTENTION_MASK, POSITION_IDS).contains(name)) {
                throw new ArchitectureException(purpose + " does not read input '" + name + "'; it takes "
                        + String.join(", ", accepted));
            }
        }
        Value inputIds = inputs.required(INPUT_IDS);
        TokenGrid grid = TokenGrid.of(graph, inputIds);
        List<LayerPast> layers = new ArrayList<>();
        // a with-past graph takes the cache of every layer, or none: Optimum 1.25.3's feature-extraction-with-past
        // of a decoder returns the present of the prompt without taking a past (use_past_in_inputs=False)
        boolean anyPast = graphInterface.inputs().stream().anyMatch(input -> input.cache().isPresent());
        if (variant.usesPast() && anyPast) {
            for (int layer = 0; layer < cache.layers(); layer++) {
                Value[] common = new Value[2];
                for (Part part : List.of(Part.KEY, Part.VALUE)) {
                    CacheTensor name = new CacheTensor(Direction.PAST, layer, Attention.SELF,
                            fused ? Part.KEY_VALUE : part);
                    Value past = inputs.cache(name).orElseThrow(() -> new ArchitectureException(purpose
                            + " needs the input '" + name + "', which the interface does not list; a with-past graph"
                            + " takes the key and value cache of each of its " + cache.layers() + " layers"));
                    common[part.ordinal()] = cache.layout().toCommon(graph, past, part, cache.heads(),
                            cache.headDim(), grid);
                }
                layers.add(new LayerPast(common[0], common[1]));
            }
        }
        Value pastLength = layers.isEmpty() ? graph.scalar(0)
                : graph.gather(graph.shape(layers.get(0).key()), graph.scalar(2), 0);
        return new DecoderInputs(inputIds, inputs.optional(ATTENTION_MASK), inputs.optional(POSITION_IDS),
                layers, grid, pastLength);
    }

    /** {@code past + sequence}, rank-0 int64. */
    public Value totalLength(OnnxGraphBuilder graph) {
        return graph.add(pastLength, grid.sequenceLength(graph));
    }

    /**
     * The 0/1 mask over {@code [batch, past + sequence]}: the input, or ones where the interface has none (as
     * Transformers defaults it).
     */
    public Value maskOrOnes(OnnxGraphBuilder graph) {
        return attentionMask.orElseGet(() -> graph.constantOfShape(
                graph.concat(0, graph.shape(inputIds, 0, 1), graph.unsqueeze(totalLength(graph), 0)),
                ElementType.INT64, 1.0));
    }

    /**
     * The position of each token: {@code position_ids} when given, else {@code past + 0 … past + sequence − 1} as
     * {@code [1, sequence]}, as Transformers' decoders count positions from the cache length when called without
     * position ids (GPT-2 4.25.1, Llama 4.31: padding does not shift them).
     */
    public Value positions(OnnxGraphBuilder graph) {
        return positionIds.orElseGet(() -> graph.unsqueeze(
                graph.range(pastLength, totalLength(graph), graph.scalar(1)), 0));
    }

    /**
     * The position of each token: {@code position_ids} when given, else counted over the real tokens of the mask,
     * {@code cumsum(mask) − 1}, with {@code paddingPosition} where the mask is 0, for the step's columns
     * {@code past … past + sequence − 1} ({@code [batch, sequence]}): GPT-BigCode's positions for batch generation
     * (padding at 1), OPT's {@code (cumsum(mask) · mask − 1)} (padding at −1).
     */
    public Value positionsCountedByMask(OnnxGraphBuilder graph, long paddingPosition) {
        return positionIds.orElseGet(() -> {
            Value mask = maskOrOnes(graph);
            Value counted = graph.sub(graph.cumSum(mask, 1), graph.scalar(1));
            Value positions = graph.where(graph.equal(mask, graph.scalar(0)), graph.scalar(paddingPosition),
                    counted);
            return graph.slice(positions, graph.unsqueeze(pastLength, 0),
                    graph.unsqueeze(totalLength(graph), 0), graph.constant(1L));
        });
    }
}
