package org.exporters4j.models.t5;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;

/**
 * The inputs of an encoder-decoder graph, declared in the order the interface lists them: int64 (or int32)
 * {@code input_ids}, {@code attention_mask} and {@code decoder_input_ids} {@code [batch, sequence]}, and for a
 * graph with past the cache of every decoder layer, {@code past_key_values.{i}.decoder.key/value} (self-attention)
 * and {@code past_key_values.{i}.encoder.key/value} (cross-attention), float32 {@code [batch, heads, length,
 * head_size]}, as Optimum v1.5.2's {@code TextSeq2SeqOnnxConfig} names them.
 *
 * @param inputIds {@code input_ids}, int64
 * @param attentionMask {@code attention_mask}, int64, when the interface has it (else every token is attended)
 * @param decoderInputIds {@code decoder_input_ids}, int64
 * @param past the cache per decoder layer (empty without past)
 */
record Seq2SeqInputs(Value inputIds, Optional<Value> attentionMask, Value decoderInputIds, List<LayerPast> past) {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String DECODER_INPUT_IDS = "decoder_input_ids";
    private static final List<String> TOKEN_INPUTS = List.of(INPUT_IDS, ATTENTION_MASK, DECODER_INPUT_IDS);

    /** One decoder layer's cache inputs, {@code [batch, heads, length, head_size]} each. */
    record LayerPast(Value decoderKey, Value decoderValue, Value encoderKey, Value encoderValue) {}

    Seq2SeqInputs {
        past = List.copyOf(past);
    }

    /**
     * Declares the interface's inputs; a name outside the family's inputs, a wrong element type or an incomplete
     * cache is an error naming it.
     *
     * @param cacheLayers the decoder layer count when the graph takes the cache, 0 when it does not
     */
    static Seq2SeqInputs declare(OnnxGraphBuilder graph, GraphInterface graphInterface, int cacheLayers, long heads,
                                 long headSize, String purpose) {
        Map<String, Value> tokens = new HashMap<>();
        Map<CacheTensor, Value> cache = new HashMap<>();
        for (InterfaceTensor tensor : graphInterface.inputs()) {
            String name = tensor.name();
            Optional<CacheTensor> past = tensor.cache().filter(c -> c.direction() == Direction.PAST
                    && c.attention() != Attention.SELF && c.layer() < cacheLayers);
            if (TOKEN_INPUTS.contains(name)) {
                requireAxesBelow(tensor, 2, purpose);
                if (tensor.elementType() != ElementType.INT64 && tensor.elementType() != ElementType.INT32) {
                    throw new ArchitectureException(purpose + ": input '" + name + "' must be int64 (or int32), not "
                            + tensor.elementType().onnxName());
                }
                Value input = graph.input(name, tensor.elementType(),
                        Shape.of(tensor.dim(0, Dim.unknown()), tensor.dim(1, Dim.unknown())));
                tokens.put(name, tensor.elementType() == ElementType.INT64 ? input
                        : graph.cast(input, ElementType.INT64));
            } else if (past.isPresent()) {
                requireAxesBelow(tensor, 4, purpose);
                if (tensor.elementType() != ElementType.FLOAT) {
                    throw new ArchitectureException(purpose + ": input '" + name + "' must be float32, not "
                            + tensor.elementType().onnxName());
                }
                cache.put(past.get(), graph.input(name, ElementType.FLOAT, Shape.of(tensor.dim(0, Dim.unknown()),
                        tensor.dim(1, Dim.of(heads)), tensor.dim(2, Dim.unknown()), tensor.dim(3, Dim.of(headSize)))));
            } else {
                throw new ArchitectureException(purpose + " has no input '" + name + "'; it takes "
                        + String.join(", ", TOKEN_INPUTS) + (cacheLayers > 0
                        ? " and past_key_values.{0.." + (cacheLayers - 1) + "}.{decoder,encoder}.{key,value}" : ""));
            }
        }
        for (String required : List.of(INPUT_IDS, DECODER_INPUT_IDS)) {
            if (!tokens.containsKey(required)) {
                throw new ArchitectureException(purpose + " needs the input '" + required + "', which the interface "
                        + "does not list (it lists " + graphInterface.inputNames() + ")");
            }
        }
        List<LayerPast> layers = new ArrayList<>();
        for (int layer = 0; layer < cacheLayers; layer++) {
            layers.add(new LayerPast(cacheInput(cache, layer, Attention.DECODER_SELF, Part.KEY, graphInterface, purpose),
                    cacheInput(cache, layer, Attention.DECODER_SELF, Part.VALUE, graphInterface, purpose),
                    cacheInput(cache, layer, Attention.ENCODER_CROSS, Part.KEY, graphInterface, purpose),
                    cacheInput(cache, layer, Attention.ENCODER_CROSS, Part.VALUE, graphInterface, purpose)));
        }
        return new Seq2SeqInputs(tokens.get(INPUT_IDS), Optional.ofNullable(tokens.get(ATTENTION_MASK)),
                tokens.get(DECODER_INPUT_IDS), layers);
    }

    private static Value cacheInput(Map<CacheTensor, Value> cache, int layer, Attention attention, Part part,
                                    GraphInterface graphInterface, String purpose) {
        CacheTensor name = new CacheTensor(Direction.PAST, layer, attention, part);
        Value value = cache.get(name);
        if (value == null) {
            throw new ArchitectureException(purpose + " needs the cache input '" + name + "' (every decoder layer's "
                    + "decoder and encoder key and value), which the interface does not list (it lists "
                    + graphInterface.inputNames() + ")");
        }
        return value;
    }

    private static void requireAxesBelow(InterfaceTensor tensor, int rank, String purpose) {
        for (int index : tensor.dynamicAxes().keySet()) {
            if (index >= rank) {
                throw new ArchitectureException(purpose + ": input '" + tensor.name() + "' has " + rank
                        + " dimensions but the interface names dynamic axis " + index);
            }
        }
    }
}
