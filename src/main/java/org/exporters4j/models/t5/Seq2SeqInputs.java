package org.exporters4j.models.t5;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.Component;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.GraphInputs.Accepted;
import org.exporters4j.models.blocks.GraphInputs.CacheInputs;
import org.exporters4j.models.blocks.GraphInputs.Kind;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The inputs of an encoder-decoder graph, declared in the order the interface lists them: int64 (or int32)
 * {@code input_ids}, {@code attention_mask} and {@code decoder_input_ids} {@code [batch, sequence]}, and for a
 * graph with past the cache of every decoder layer, {@code past_key_values.{i}.decoder.key/value} (self-attention)
 * and {@code past_key_values.{i}.encoder.key/value} (cross-attention), float32 {@code [batch, heads, length,
 * head_size]}, as Optimum v1.5.2's {@code TextSeq2SeqOnnxConfig} names them.
 *
 * <p>The parts of Optimum 1.25.3's split ({@link Component}) take their own inputs: the encoder {@code input_ids}
 * and {@code attention_mask}; the decoder {@code encoder_attention_mask}, the decoder's ids as {@code input_ids},
 * and {@code encoder_hidden_states} {@code [batch, encoder_sequence, d_model]} (without past) or the cache (with).
 *
 * @param inputIds the encoder's {@code input_ids}, int64 (absent in a decoder part)
 * @param attentionMask the encoder's mask ({@code attention_mask}, or {@code encoder_attention_mask} in a decoder
 *     part), int64, when the interface has it (else every token is attended)
 * @param decoderInputIds {@code decoder_input_ids} (a decoder part's {@code input_ids}), int64; absent in the encoder
 * @param encoderHiddenStates a decoder part's {@code encoder_hidden_states}, when the interface has it
 * @param past the cache per decoder layer (empty without past)
 */
record Seq2SeqInputs(Optional<Value> inputIds, Optional<Value> attentionMask, Optional<Value> decoderInputIds,
                     Optional<Value> encoderHiddenStates, List<LayerPast> past) {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String DECODER_INPUT_IDS = "decoder_input_ids";
    /** The decoder parts' names (Optimum 1.25.3's {@code TextSeq2SeqOnnxConfig.torch_to_onnx_input_map}). */
    static final String ENCODER_ATTENTION_MASK = "encoder_attention_mask";
    static final String ENCODER_HIDDEN_STATES = "encoder_hidden_states";
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
                                 long headSize, long modelSize, String purpose) {
        List<Dim> cacheDims = List.of(Dim.unknown(), Dim.of(heads), Dim.unknown(), Dim.of(headSize));
        CacheInputs cache = cacheLayers == 0 ? CacheInputs.NONE
                : new CacheInputs("past_key_values.{0.." + (cacheLayers - 1) + "}.{decoder,encoder}.{key,value}",
                        c -> c.direction() == Direction.PAST && c.attention() != Attention.SELF
                                && c.layer() < cacheLayers ? Optional.of(cacheDims) : Optional.empty());
        Component component = graphInterface.component();
        List<Accepted> accepted = switch (component) {
            case MODEL -> TOKEN_INPUTS.stream()
                    .map(name -> Accepted.of(name, Kind.INTEGER, Dim.unknown(), Dim.unknown())).toList();
            case ENCODER -> List.of(Accepted.of(INPUT_IDS, Kind.INTEGER, Dim.unknown(), Dim.unknown()),
                    Accepted.of(ATTENTION_MASK, Kind.INTEGER, Dim.unknown(), Dim.unknown()));
            // the decoder parts: the decoder's ids under the name input_ids, the encoder's mask and output renamed
            case DECODER, DECODER_WITH_PAST -> List.of(
                    Accepted.of(ENCODER_ATTENTION_MASK, Kind.INTEGER, Dim.unknown(), Dim.unknown()),
                    Accepted.of(INPUT_IDS, Kind.INTEGER, Dim.unknown(), Dim.unknown()),
                    Accepted.of(ENCODER_HIDDEN_STATES, Kind.FLOAT, Dim.unknown(), Dim.unknown(), Dim.of(modelSize)));
        };
        GraphInputs inputs = GraphInputs.declare(graph, graphInterface, accepted, cache, purpose);
        if (component.readsEncoderOutput()) {
            Optional<Value> encoderHiddenStates = inputs.optional(ENCODER_HIDDEN_STATES);
            if (component == Component.DECODER && encoderHiddenStates.isEmpty()) {
                inputs.required(ENCODER_HIDDEN_STATES); // the error naming what the interface lists
            }
            List<LayerPast> layers = new ArrayList<>();
            for (int layer = 0; layer < cacheLayers; layer++) {
                layers.add(layerPast(inputs, layer, graphInterface, purpose));
            }
            return new Seq2SeqInputs(Optional.empty(), inputs.optional(ENCODER_ATTENTION_MASK),
                    Optional.of(inputs.required(INPUT_IDS)), encoderHiddenStates, layers);
        }
        Value inputIds = inputs.required(INPUT_IDS);
        if (component == Component.ENCODER) {
            return new Seq2SeqInputs(Optional.of(inputIds), inputs.optional(ATTENTION_MASK), Optional.empty(),
                    Optional.empty(), List.of());
        }
        Value decoderInputIds = inputs.required(DECODER_INPUT_IDS);
        List<LayerPast> layers = new ArrayList<>();
        for (int layer = 0; layer < cacheLayers; layer++) {
            layers.add(layerPast(inputs, layer, graphInterface, purpose));
        }
        return new Seq2SeqInputs(Optional.of(inputIds), inputs.optional(ATTENTION_MASK), Optional.of(decoderInputIds),
                Optional.empty(), layers);
    }

    private static LayerPast layerPast(GraphInputs inputs, int layer, GraphInterface graphInterface, String purpose) {
        return new LayerPast(cacheInput(inputs, layer, Attention.DECODER_SELF, Part.KEY, graphInterface, purpose),
                cacheInput(inputs, layer, Attention.DECODER_SELF, Part.VALUE, graphInterface, purpose),
                cacheInput(inputs, layer, Attention.ENCODER_CROSS, Part.KEY, graphInterface, purpose),
                cacheInput(inputs, layer, Attention.ENCODER_CROSS, Part.VALUE, graphInterface, purpose));
    }

    private static Value cacheInput(GraphInputs inputs, int layer, Attention attention, Part part,
                                    GraphInterface graphInterface, String purpose) {
        CacheTensor name = new CacheTensor(Direction.PAST, layer, attention, part);
        return inputs.cache(name).orElseThrow(() -> new ArchitectureException(purpose + " needs the cache input '"
                + name + "' (every decoder layer's decoder and encoder key and value), which the interface does not "
                + "list (it lists " + graphInterface.inputNames() + ")"));
    }
}
