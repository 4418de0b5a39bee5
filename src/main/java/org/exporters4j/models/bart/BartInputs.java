package org.exporters4j.models.bart;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.Component;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.GraphInputs.Accepted;
import org.exporters4j.models.blocks.GraphInputs.CacheInputs;
import org.exporters4j.models.blocks.GraphInputs.Kind;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
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
 * @param encoderHiddenStates the encoder's output a decoder part reads ({@code encoder_hidden_states})
 *
 * <p>The parts of Optimum 1.25.3's split ({@link Component}) take their own names: the encoder {@code input_ids}
 * and {@code attention_mask}; a decoder part the decoder's ids as {@code input_ids} (here {@code decoderInputIds},
 * {@code inputIds} then being the same value), the encoder's mask as {@code encoder_attention_mask} (here
 * {@code attentionMask}) and {@code encoder_hidden_states} or the cache.
 */
record BartInputs(Value inputIds, Optional<Value> attentionMask, Optional<Value> decoderInputIds,
                  Optional<Value> decoderAttentionMask, List<LayerPast> past, Optional<Value> encoderHiddenStates) {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String DECODER_INPUT_IDS = "decoder_input_ids";
    static final String DECODER_ATTENTION_MASK = "decoder_attention_mask";
    static final String ENCODER_ATTENTION_MASK = "encoder_attention_mask";
    static final String ENCODER_HIDDEN_STATES = "encoder_hidden_states";

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
        Component component = graphInterface.component();
        if (component != Component.MODEL) {
            return declarePart(graph, graphInterface, component, options, purpose);
        }
        boolean decoderOnly = variant.head() == Head.CAUSAL_LM;
        List<String> names = new ArrayList<>(List.of(INPUT_IDS, ATTENTION_MASK));
        if (!decoderOnly) {
            names.add(DECODER_INPUT_IDS);
            names.add(DECODER_ATTENTION_MASK);
        }
        List<Dim> cacheDims = List.of(Dim.unknown(), Dim.of(options.decoderHeads()), Dim.unknown(),
                Dim.of(options.decoderHeadSize()));
        CacheInputs cache = !variant.usesPast() ? CacheInputs.NONE : new CacheInputs(decoderOnly
                ? "past_key_values.N.key/value"
                : "past_key_values.N.decoder.key/value, past_key_values.N.encoder.key/value", past -> {
            if (past.direction() != Direction.PAST
                    || (decoderOnly ? past.attention() != Attention.SELF : past.attention() == Attention.SELF)) {
                return Optional.empty();
            }
            if (past.layer() >= options.decoderLayers()) {
                throw new ArchitectureException(purpose + " has no cache input '" + past + "': the model has "
                        + options.decoderLayers() + " decoder layers (decoder_layers), numbered from 0");
            }
            return Optional.of(cacheDims);
        });
        GraphInputs inputs = GraphInputs.declare(graph, graphInterface, names.stream()
                .map(name -> Accepted.of(name, Kind.INTEGER, Dim.unknown(), Dim.unknown())).toList(), cache, purpose);
        Value inputIds = inputs.required(INPUT_IDS);
        // without decoder_input_ids (Optimum 1.25.3's classification and question-answering interface) the model
        // shifts input_ids right, as Transformers does when the caller gives none
        Optional<Value> decoderInputIds = decoderOnly ? Optional.empty() : inputs.optional(DECODER_INPUT_IDS);
        List<LayerPast> past = variant.usesPast() ? layers(inputs, decoderOnly, options, purpose) : List.of();
        return new BartInputs(inputIds, inputs.optional(ATTENTION_MASK), decoderInputIds,
                inputs.optional(DECODER_ATTENTION_MASK), past, Optional.empty());
    }

    /** The inputs of one part of Optimum 1.25.3's encoder-decoder split. */
    private static BartInputs declarePart(OnnxGraphBuilder graph, GraphInterface graphInterface, Component component,
                                          BartOptions options, String purpose) {
        Accepted ids = Accepted.of(INPUT_IDS, Kind.INTEGER, Dim.unknown(), Dim.unknown());
        if (component == Component.ENCODER) {
            GraphInputs inputs = GraphInputs.declare(graph, graphInterface, List.of(ids,
                    Accepted.of(ATTENTION_MASK, Kind.INTEGER, Dim.unknown(), Dim.unknown())), purpose);
            return new BartInputs(inputs.required(INPUT_IDS), inputs.optional(ATTENTION_MASK), Optional.empty(),
                    Optional.empty(), List.of(), Optional.empty());
        }
        boolean cached = component == Component.DECODER_WITH_PAST;
        List<Dim> cacheDims = List.of(Dim.unknown(), Dim.of(options.decoderHeads()), Dim.unknown(),
                Dim.of(options.decoderHeadSize()));
        CacheInputs cache = !cached ? CacheInputs.NONE : new CacheInputs(
                "past_key_values.N.decoder.key/value, past_key_values.N.encoder.key/value", past ->
                past.direction() == Direction.PAST && past.attention() != Attention.SELF
                        && past.layer() < options.decoderLayers() ? Optional.of(cacheDims) : Optional.empty());
        GraphInputs inputs = GraphInputs.declare(graph, graphInterface, List.of(
                Accepted.of(ENCODER_ATTENTION_MASK, Kind.INTEGER, Dim.unknown(), Dim.unknown()), ids,
                Accepted.of(ENCODER_HIDDEN_STATES, Kind.FLOAT, Dim.unknown(), Dim.unknown(),
                        Dim.of(options.hiddenSize()))), cache, purpose);
        Value decoderIds = inputs.required(INPUT_IDS);
        Optional<Value> encoderHiddenStates = cached ? Optional.empty()
                : Optional.of(inputs.required(ENCODER_HIDDEN_STATES));
        List<LayerPast> past = cached ? layers(inputs, false, options, purpose) : List.of();
        if (cached && past.stream().anyMatch(layer -> layer.crossKey().isEmpty())) {
            throw new ArchitectureException(purpose + " needs the cross-attention cache of every decoder layer "
                    + "(past_key_values.N.encoder.key/value): it does not read the encoder's output");
        }
        return new BartInputs(decoderIds, inputs.optional(ENCODER_ATTENTION_MASK), Optional.of(decoderIds),
                Optional.empty(), past, encoderHiddenStates);
    }

    private static List<LayerPast> layers(GraphInputs inputs, boolean decoderOnly, BartOptions options,
                                          String purpose) {
        String expected = decoderOnly ? "past_key_values.N.key and .value"
                : "past_key_values.N.decoder.key/value (and encoder.key/value)";
        Attention self = decoderOnly ? Attention.SELF : Attention.DECODER_SELF;
        List<LayerPast> layers = new ArrayList<>();
        for (int layer = 0; layer < options.decoderLayers(); layer++) {
            Optional<Value> selfKey = inputs.cache(new CacheTensor(Direction.PAST, layer, self, Part.KEY));
            Optional<Value> selfValue = inputs.cache(new CacheTensor(Direction.PAST, layer, self, Part.VALUE));
            if (selfKey.isEmpty() || selfValue.isEmpty()) {
                throw new ArchitectureException(purpose + " needs the cache of every decoder layer (" + expected
                        + " for N = 0 … " + (options.decoderLayers() - 1) + "); layer " + layer
                        + "'s key or value is not in the interface");
            }
            CacheTensor crossKeyName = new CacheTensor(Direction.PAST, layer, Attention.ENCODER_CROSS, Part.KEY);
            CacheTensor crossValueName = new CacheTensor(Direction.PAST, layer, Attention.ENCODER_CROSS, Part.VALUE);
            Optional<Value> crossKey = inputs.cache(crossKeyName);
            Optional<Value> crossValue = inputs.cache(crossValueName);
            if (crossKey.isPresent() != crossValue.isPresent()) {
                throw new ArchitectureException(purpose + ": the interface lists only one of " + crossKeyName
                        + " and " + crossValueName + "; list both or neither");
            }
            layers.add(new LayerPast(selfKey.get(), selfValue.get(), crossKey, crossValue));
        }
        return layers;
    }
}
