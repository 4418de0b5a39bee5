package org.exporters4j.models.bart;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;

/**
 * The graph inputs of one BART-family graph, declared in the order the interface lists them: token ids and masks
 * as 2-D int64 {@code [batch, sequence]} (int32 is cast), and for a cached step the past keys and values
 * {@code [batch, decoder heads, past length, head_dim]} — Optimum v1.5.2's {@code past_key_values.N.key/value}
 * for the decoder alone (causal-lm), {@code past_key_values.N.decoder.key … encoder.value} for the
 * encoder-decoder. Dimensions the interface does not name are left unnamed.
 *
 * @param inputIds {@code input_ids}: the encoder's tokens, or the decoder's for causal-lm
 * @param attentionMask {@code attention_mask}: over {@code input_ids} (causal-lm: over past and new tokens)
 * @param decoderInputIds {@code decoder_input_ids}
 * @param decoderAttentionMask {@code decoder_attention_mask}
 * @param past the cache of each decoder layer, in layer order; empty without the cache
 */
record BartInputs(Value inputIds, Optional<Value> attentionMask, Optional<Value> decoderInputIds,
                  Optional<Value> decoderAttentionMask, List<LayerPast> past) {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String DECODER_INPUT_IDS = "decoder_input_ids";
    static final String DECODER_ATTENTION_MASK = "decoder_attention_mask";

    /**
     * One decoder layer's cache: its self-attention keys and values, and for an encoder-decoder step the
     * cross-attention keys and values (computed once from the encoder output by the first step).
     */
    record LayerPast(Value selfKey, Value selfValue, Optional<Value> crossKey, Optional<Value> crossValue) {}

    BartInputs {
        past = List.copyOf(past);
    }

    /** Whether the graph takes the cache. */
    boolean cached() {
        return !past.isEmpty();
    }

    static BartInputs declare(OnnxGraphBuilder graph, GraphInterface graphInterface, Variant variant,
                              BartOptions options, String purpose) {
        Head head = variant.head();
        boolean decoderOnly = head == Head.CAUSAL_LM;
        List<String> accepted = accepted(variant);
        Value inputIds = null;
        Value attentionMask = null;
        Value decoderInputIds = null;
        Value decoderAttentionMask = null;
        TreeMap<Integer, Value[]> cache = new TreeMap<>();
        for (InterfaceTensor tensor : graphInterface.inputs()) {
            String name = tensor.name();
            Optional<CacheTensor> past = tensor.cache().filter(c -> variant.usesPast()
                    && c.direction() == Direction.PAST
                    && (decoderOnly ? c.attention() == Attention.SELF : c.attention() != Attention.SELF));
            if (past.isPresent()) {
                int slot = (past.get().attention() == Attention.ENCODER_CROSS ? 2 : 0)
                        + (past.get().part() == Part.KEY ? 0 : 1);
                putCache(cache, past.get().layer(), slot, pastInput(graph, tensor, options, purpose), name, options,
                        purpose);
                continue;
            }
            if (!accepted.contains(name) || tensor.cache().isPresent()) {
                throw new ArchitectureException(purpose + " has no input '" + name + "'; it takes "
                        + String.join(", ", accepted));
            }
            Value ids = tokenInput(graph, tensor, purpose);
            switch (name) {
                case INPUT_IDS -> inputIds = ids;
                case ATTENTION_MASK -> attentionMask = ids;
                case DECODER_INPUT_IDS -> decoderInputIds = ids;
                case DECODER_ATTENTION_MASK -> decoderAttentionMask = ids;
                default -> throw new IllegalStateException("unhandled input " + name);
            }
        }
        if (inputIds == null) {
            throw new ArchitectureException(purpose + " needs the input '" + INPUT_IDS + "', which the interface "
                    + "does not list (it lists " + graphInterface.inputNames() + ")");
        }
        if (!decoderOnly && decoderInputIds == null) {
            throw new ArchitectureException(purpose + " needs the input '" + DECODER_INPUT_IDS + "', which the "
                    + "interface does not list (it lists " + graphInterface.inputNames() + ")");
        }
        List<LayerPast> past = variant.usesPast() ? layers(cache, decoderOnly, options, purpose) : List.of();
        return new BartInputs(inputIds, Optional.ofNullable(attentionMask), Optional.ofNullable(decoderInputIds),
                Optional.ofNullable(decoderAttentionMask), past);
    }

    private static List<String> accepted(Variant variant) {
        List<String> names = new ArrayList<>(List.of(INPUT_IDS, ATTENTION_MASK));
        if (variant.head() != Head.CAUSAL_LM) {
            names.add(DECODER_INPUT_IDS);
            names.add(DECODER_ATTENTION_MASK);
        }
        if (variant.usesPast()) {
            names.add(variant.head() == Head.CAUSAL_LM ? "past_key_values.N.key/value"
                    : "past_key_values.N.decoder.key/value, past_key_values.N.encoder.key/value");
        }
        return List.copyOf(names);
    }

    private static Value tokenInput(OnnxGraphBuilder graph, InterfaceTensor tensor, String purpose) {
        if (tensor.elementType() != ElementType.INT64 && tensor.elementType() != ElementType.INT32) {
            throw new ArchitectureException(purpose + ": input '" + tensor.name() + "' must be int64 (or int32), not "
                    + tensor.elementType().onnxName());
        }
        requireRank(tensor, 2, "[batch_size, sequence_length]", purpose);
        Value input = graph.input(tensor.name(), tensor.elementType(),
                new Shape(List.of(tensor.dim(0, Dim.unknown()), tensor.dim(1, Dim.unknown()))));
        return tensor.elementType() == ElementType.INT64 ? input : graph.cast(input, ElementType.INT64);
    }

    private static Value pastInput(OnnxGraphBuilder graph, InterfaceTensor tensor, BartOptions options,
                                   String purpose) {
        if (tensor.elementType() != ElementType.FLOAT) {
            throw new ArchitectureException(purpose + ": cache input '" + tensor.name() + "' must be float32, not "
                    + tensor.elementType().onnxName());
        }
        requireRank(tensor, 4, "[batch_size, num_heads, past_sequence_length, head_dim]", purpose);
        return graph.input(tensor.name(), ElementType.FLOAT, new Shape(List.of(tensor.dim(0, Dim.unknown()),
                tensor.dim(1, Dim.of(options.decoderHeads())), tensor.dim(2, Dim.unknown()),
                tensor.dim(3, Dim.of(options.decoderHeadSize())))));
    }

    private static void requireRank(InterfaceTensor tensor, int rank, String layout, String purpose) {
        for (int index : tensor.dynamicAxes().keySet()) {
            if (index >= rank) {
                throw new ArchitectureException(purpose + ": input '" + tensor.name() + "' is " + layout
                        + " but the interface names dynamic axis " + index);
            }
        }
    }

    private static void putCache(TreeMap<Integer, Value[]> cache, int layer, int slot, Value value, String name,
                                 BartOptions options, String purpose) {
        if (layer >= options.decoderLayers()) {
            throw new ArchitectureException(purpose + " has no cache input '" + name + "': the model has "
                    + options.decoderLayers() + " decoder layers (decoder_layers), numbered from 0");
        }
        cache.computeIfAbsent(layer, unused -> new Value[4])[slot] = value;
    }

    private static List<LayerPast> layers(TreeMap<Integer, Value[]> cache, boolean decoderOnly, BartOptions options,
                                          String purpose) {
        String expected = decoderOnly ? "past_key_values.N.key and .value"
                : "past_key_values.N.decoder.key/value (and encoder.key/value)";
        List<LayerPast> layers = new ArrayList<>();
        for (int layer = 0; layer < options.decoderLayers(); layer++) {
            Value[] slots = cache.get(layer);
            if (slots == null || slots[0] == null || slots[1] == null) {
                throw new ArchitectureException(purpose + " needs the cache of every decoder layer (" + expected
                        + " for N = 0 … " + (options.decoderLayers() - 1) + "); layer " + layer
                        + "'s key or value is not in the interface");
            }
            if ((slots[2] == null) != (slots[3] == null)) {
                throw new ArchitectureException(purpose + ": the interface lists only one of "
                        + new CacheTensor(Direction.PAST, layer, Attention.ENCODER_CROSS, Part.KEY) + " and "
                        + new CacheTensor(Direction.PAST, layer, Attention.ENCODER_CROSS, Part.VALUE)
                        + "; list both or neither");
            }
            layers.add(new LayerPast(slots[0], slots[1], Optional.ofNullable(slots[2]),
                    Optional.ofNullable(slots[3])));
        }
        return layers;
    }
}
