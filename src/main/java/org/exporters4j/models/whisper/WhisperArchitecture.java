package org.exporters4j.models.whisper;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.Component;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.GraphInputs.Accepted;
import org.exporters4j.models.blocks.GraphInputs.Kind;
import org.exporters4j.models.blocks.HeadOutputs;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.GeluApproximation;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds Whisper ({@code WhisperModel} for default, {@code WhisperForConditionalGeneration} for speech2seq-lm, each
 * with or without the cache, and {@code WhisperForAudioClassification} for Optimum 1.25.3's audio-classification) as
 * Transformers 4.25.1's {@code modeling_whisper.py} computes it in eval mode (4.51's for the classifier, which came
 * in 4.28 over the same encoder):
 *
 * <ul>
 *   <li>the encoder: {@code gelu(conv1)}, {@code gelu(conv2)} (stride 2) over {@code input_features [batch, mel bins,
 *       frames]}, plus the whole {@code embed_positions} table (so the frames must be
 *       {@code 2 × max_source_positions}, as Transformers requires), pre-LayerNorm layers, {@code layer_norm};</li>
 *   <li>the decoder: token embeddings plus the learned positions from the cache length on, pre-LayerNorm layers
 *       (causal self-attention, cross-attention over the encoder, feed-forward), {@code layer_norm};</li>
 *   <li>speech2seq-lm: {@code proj_out} without bias, the token embedding table when tied;</li>
 *   <li>audio-classification: the encoder alone (its weights without the {@code model.} prefix), its last hidden
 *       state or, with {@code use_weighted_layer_sum}, the softmax-weighted sum ({@code layer_weights}) of its
 *       {@code encoder_layers + 1} hidden states (the embeddings, each layer's output, the last one after
 *       {@code layer_norm}, as {@code output_hidden_states} returns them); {@code projector} to
 *       {@code classifier_proj_size}, the mean over the {@code max_source_positions} frames, {@code classifier}.</li>
 * </ul>
 * With the cache, the graph takes each decoder layer's past self-attention keys and values and its cross-attention
 * keys and values ({@code past_key_values.N.decoder.key} …), and returns them updated ({@code present.N.…}); the
 * cross-attention cache is reused as is, so {@code input_features} is then not read, as in Transformers, where the
 * cached cross-attention keys replace the encoder's.
 */
public final class WhisperArchitecture extends FamilyArchitecture {
    private static final Set<Variant> VARIANTS = Set.of(Variant.of(Head.BASE), Variant.withPast(Head.BASE),
            Variant.of(Head.SPEECH2SEQ_LM), Variant.withPast(Head.SPEECH2SEQ_LM),
            Variant.of(Head.AUDIO_CLASSIFICATION));
    /** A decoder layer's cache tensors in Optimum's order: self-attention key, value, cross-attention key, value. */
    private static List<CacheTensor> cache(Direction direction, int layer) {
        return List.of(new CacheTensor(direction, layer, Attention.DECODER_SELF, Part.KEY),
                new CacheTensor(direction, layer, Attention.DECODER_SELF, Part.VALUE),
                new CacheTensor(direction, layer, Attention.ENCODER_CROSS, Part.KEY),
                new CacheTensor(direction, layer, Attention.ENCODER_CROSS, Part.VALUE));
    }

    public WhisperArchitecture() {
        super("whisper", "whisper", VARIANTS);
    }

    /**
     * The whole model, and Optimum 1.25.3's parts: the encoder ({@code input_features} to
     * {@code last_hidden_state}), the decoder over {@code input_ids} and {@code encoder_hidden_states}, and the
     * decoder over {@code input_ids} and the cache.
     */
    @Override
    protected Set<Component> components() {
        return Set.of(Component.values());
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        WhisperOptions options = WhisperOptions.read(config);
        String base = build.parameters().basePrefix("model", "encoder.conv1.weight");
        GraphInputs inputs = GraphInputs.declare(build, accepted(options, variant,
                build.graphInterface().component()));
        Builder builder = new Builder(build.graph(), build.parameters(), options, base);
        if (variant.head() == Head.AUDIO_CLASSIFICATION) {
            builder.classify(build, config, inputs.required("input_features"));
        } else {
            builder.addOutputs(build, inputs);
        }
    }

    /**
     * The inputs Whisper reads. With the cache, Optimum's interface leaves the step's length unnamed (its export
     * fixes it to one token); the graph leaves it open, so a step may also feed several tokens.
     */
    private static List<Accepted> accepted(WhisperOptions options, Variant variant, Component component) {
        List<Accepted> accepted = new ArrayList<>();
        if (component == Component.MODEL || component == Component.ENCODER) {
            // the frames are fixed (2 × max_source_positions); Optimum 1.25.3 names only the batch axis
            accepted.add(Accepted.of("input_features", Kind.FLOAT, Dim.symbolic("batch_size"),
                    Dim.of(options.melBins()), Dim.of(2L * options.sourcePositions())));
        }
        if (component == Component.ENCODER || variant.head() == Head.AUDIO_CLASSIFICATION) {
            return accepted;
        }
        // a decoder part takes the decoder's ids as input_ids, and the encoder's output (without the cache)
        accepted.add(Accepted.of(component == Component.MODEL ? "decoder_input_ids" : "input_ids", Kind.INTEGER,
                Dim.symbolic("batch_size"), variant.usesPast() && component != Component.DECODER ? Dim.unknown()
                        : Dim.symbolic("decoder_sequence_length")));
        if (component == Component.DECODER) {
            accepted.add(Accepted.of("encoder_hidden_states", Kind.FLOAT, Dim.symbolic("batch_size"),
                    Dim.of(options.sourcePositions()), Dim.of(options.modelSize())));
        }
        long headSize = options.modelSize() / options.decoderHeads();
        for (int layer = 0; layer < options.decoderLayers(); layer++) {
            for (CacheTensor past : cache(Direction.PAST, layer)) {
                accepted.add(Accepted.of(past.name(), Kind.FLOAT,
                        Dim.symbolic("batch_size"), Dim.of(options.decoderHeads()),
                        Dim.symbolic(past.attention() == Attention.DECODER_SELF ? "past_decoder_sequence_length"
                                : "past_encoder_sequence_length"),
                        Dim.of(headSize)));
            }
        }
        return accepted;
    }

    /** One graph under construction. */
    private record Builder(OnnxGraphBuilder graph, Parameters parameters, WhisperOptions options, String base) {

        void addOutputs(GraphBuild build, GraphInputs inputs) {
            Variant variant = build.variant();
            HeadOutputs outputs = build.outputs();
            long size = options.modelSize();
            Component component = build.graphInterface().component();
            Dim follows = Dim.unknown();
            if (component == Component.ENCODER) {
                // the encoder part: WhisperEncoder's last hidden state, [batch, frames / 2, d_model]
                if (build.wants("last_hidden_state")) {
                    Value features = inputs.required("input_features");
                    build.output("last_hidden_state", graph.inScope("encoder", () -> encode(features)), follows,
                            follows, Dim.of(size));
                }
                return;
            }
            Value ids = inputs.required(component == Component.MODEL ? "decoder_input_ids" : "input_ids");
            List<LayerCache> past = new ArrayList<>();
            Value encoderStates = null;
            if (component == Component.DECODER) {
                encoderStates = inputs.required("encoder_hidden_states");
            } else if (variant.usesPast()) {
                for (int layer = 0; layer < options.decoderLayers(); layer++) {
                    List<CacheTensor> names = cache(Direction.PAST, layer);
                    past.add(new LayerCache(inputs.required(names.get(0).name()),
                            inputs.required(names.get(1).name()), inputs.required(names.get(2).name()),
                            inputs.required(names.get(3).name())));
                }
            } else {
                Value features = inputs.required("input_features");
                encoderStates = graph.inScope("encoder", () -> encode(features));
            }
            List<LayerCache> present = new ArrayList<>();
            Value encoded = encoderStates;
            Value decoded = graph.inScope("decoder", () -> decode(ids, encoded, past, present));
            switch (variant.head()) {
                case BASE -> {
                    if (build.wants("last_hidden_state")) {
                        build.output("last_hidden_state", decoded, follows, follows, Dim.of(size));
                    }
                }
                case SPEECH2SEQ_LM -> {
                    if (build.wants("logits")) {
                        build.output("logits", Linear.languageModelHead(build, decoded, this::languageModelLogits),
                                follows, follows,
                                Dim.of(options.vocabSize()));
                    }
                }
                default -> throw new ArchitectureException("whisper has no " + variant.head() + " head");
            }
            if (variant.usesPast()) {
                long headSize = size / options.decoderHeads();
                for (int layer = 0; layer < present.size(); layer++) {
                    LayerCache cache = present.get(layer);
                    List<Value> parts = List.of(cache.selfKeys(), cache.selfValues(), cache.crossKeys(),
                            cache.crossValues());
                    List<CacheTensor> names = cache(Direction.PRESENT, layer);
                    for (int part = 0; part < names.size(); part++) {
                        Value value = parts.get(part);
                        outputs.add(names.get(part), () -> value, follows,
                                Dim.of(options.decoderHeads()), follows, Dim.of(headSize));
                    }
                }
            }
        }

        /**
         * WhisperForAudioClassification's {@code logits [batch, num_labels]}: the encoder's last hidden state or,
         * with {@code use_weighted_layer_sum}, the weighted sum of its hidden states; {@code projector}
         * ({@code d_model} to {@code classifier_proj_size}), the mean over frames, {@code classifier}.
         */
        void classify(GraphBuild build, ModelConfig config, Value features) {
            if (!build.wants("logits")) {
                return;
            }
            List<Value> states = graph.inScope("encoder", () -> encoderStates(features));
            Value classified = config.booleanValue("use_weighted_layer_sum")
                    ? EncoderHeads.weightedLayerSum(graph, parameters, states)
                    : states.get(states.size() - 1);
            EncoderHeads.meanPooledClassification(build, config, Linear.load(parameters, "projector",
                    options.modelSize(), config.intValue("classifier_proj_size")), classified);
        }

        /** WhisperEncoder's {@code last_hidden_state}. */
        private Value encode(Value features) {
            List<Value> states = encoderStates(features);
            return states.get(states.size() - 1);
        }

        /**
         * WhisperEncoder: the convolutional front-end, positions, layers and the final layer norm; its hidden states
         * as {@code output_hidden_states} returns them: the embeddings, the output of every layer but the last, and
         * the last one's after {@code layer_norm} ({@code last_hidden_state}).
         */
        private List<Value> encoderStates(Value features) {
            long size = options.modelSize();
            String prefix = base + "encoder.";
            Value first = gelu(graph.conv(features,
                    parameters.tensor(prefix + "conv1.weight", size, options.melBins(), 3),
                    parameters.tensor(prefix + "conv1.bias", size), Window.of(3).withPads(1, 1), 1));
            Value second = gelu(graph.conv(first, parameters.tensor(prefix + "conv2.weight", size, size, 3),
                    parameters.tensor(prefix + "conv2.bias", size), Window.of(3).withStrides(2).withPads(1, 1), 1));
            // [batch, d_model, frames / 2] → [batch, frames / 2, d_model], plus the whole position table
            Value states = graph.add(graph.transpose(second, 0, 2, 1),
                    parameters.tensor(prefix + "embed_positions.weight", options.sourcePositions(), size));
            List<Value> hidden = new ArrayList<>();
            for (int layer = 0; layer < options.encoderLayers(); layer++) {
                hidden.add(states);
                String layerPrefix = prefix + "layers." + layer + ".";
                Value input = states;
                states = graph.inScope("layers." + layer, () -> {
                    WhisperAttention attention = new WhisperAttention(graph, parameters, layerPrefix + "self_attn",
                            size, options.encoderHeads());
                    Value normalized = layerNorm(layerPrefix + "self_attn_layer_norm", input);
                    Value attended = graph.add(input, attention.apply(normalized, attention.keys(normalized),
                            attention.values(normalized), null));
                    return graph.add(attended, feedForward(layerPrefix, options.encoderFeedForward(), attended));
                });
            }
            hidden.add(layerNorm(prefix + "layer_norm", states));
            return List.copyOf(hidden);
        }

        /**
         * WhisperDecoder over {@code ids [batch, length]}: cross-attention reads {@code encoderStates}, or the cached
         * cross-attention keys and values of {@code past} when given; fills {@code present} with each layer's cache.
         */
        private Value decode(Value ids, Value encoderStates, List<LayerCache> past, List<LayerCache> present) {
            long size = options.modelSize();
            String prefix = base + "decoder.";
            Value length = graph.gather(graph.shape(ids), graph.scalar(1), 0);
            Value pastLength = past.isEmpty()
                    ? graph.scalar(0)
                    : graph.gather(graph.shape(past.get(0).selfKeys()), graph.scalar(2), 0);
            Value total = graph.add(pastLength, length);
            Value queryPositions = graph.range(pastLength, total, graph.scalar(1));
            Value embedded = graph.add(
                    graph.gather(parameters.tensor(prefix + "embed_tokens.weight", options.vocabSize(), size), ids, 0),
                    graph.gather(parameters.tensor(prefix + "embed_positions.weight", options.targetPositions(), size),
                            queryPositions, 0));
            // _make_causal_mask with the cache: query i (at position past + i) sees keys 0 … past + i
            Value causalMask = CausalMask.additive(graph, pastLength, length);
            Value states = embedded;
            for (int layer = 0; layer < options.decoderLayers(); layer++) {
                String layerPrefix = prefix + "layers." + layer + ".";
                Value input = states;
                LayerCache layerPast = past.isEmpty() ? null : past.get(layer);
                states = graph.inScope("layers." + layer, () -> decoderLayer(layerPrefix, input, encoderStates,
                        layerPast, causalMask, present));
            }
            return layerNorm(prefix + "layer_norm", states);
        }

        /** WhisperDecoderLayer; appends its cache to {@code present}. */
        private Value decoderLayer(String prefix, Value input, Value encoderStates, LayerCache past, Value causalMask,
                                   List<LayerCache> present) {
            long size = options.modelSize();
            int heads = options.decoderHeads();
            WhisperAttention self = new WhisperAttention(graph, parameters, prefix + "self_attn", size, heads);
            Value normalized = layerNorm(prefix + "self_attn_layer_norm", input);
            Value keys = self.keys(normalized);
            Value values = self.values(normalized);
            if (past != null) {
                keys = CachedAttention.appendStep(graph, past.selfKeys(), keys, heads, size / heads);
                values = graph.concat(2, past.selfValues(), values);
            }
            Value attended = graph.add(input, self.apply(normalized, keys, values, causalMask));

            WhisperAttention cross = new WhisperAttention(graph, parameters, prefix + "encoder_attn", size, heads);
            Value crossKeys = past != null ? past.crossKeys() : cross.keys(encoderStates);
            Value crossValues = past != null ? past.crossValues() : cross.values(encoderStates);
            Value crossInput = layerNorm(prefix + "encoder_attn_layer_norm", attended);
            Value crossed = graph.add(attended, cross.apply(crossInput, crossKeys, crossValues, null));
            present.add(new LayerCache(keys, values, crossKeys, crossValues));
            return graph.add(crossed, feedForward(prefix, options.decoderFeedForward(), crossed));
        }

        /** {@code fc2(activation(fc1(final_layer_norm(x))))}. */
        private Value feedForward(String prefix, long width, Value states) {
            long size = options.modelSize();
            Value normalized = layerNorm(prefix + "final_layer_norm", states);
            Value inner = options.activation().apply(graph, linear(prefix + "fc1", size, width, normalized));
            return linear(prefix + "fc2", width, size, inner);
        }

        /** {@code proj_out} (no bias): the decoder's token table when tied, as {@code tie_weights} makes it. */
        private Value languageModelLogits(Value states) {
            String weight = options.tie().decoderWeight(base + "decoder.embed_tokens.weight", "proj_out.weight");
            return Linear.withoutBias(parameters.tensor(weight, options.vocabSize(), options.modelSize()),
                    options.modelSize(), options.vocabSize()).applyToLastAxis(graph, states);
        }

        private Value linear(String prefix, long in, long out, Value states) {
            return Linear.load(parameters, prefix, in, out).applyToLastAxis(graph, states);
        }

        private Value layerNorm(String prefix, Value states) {
            return LayerNorm.load(parameters, prefix, options.modelSize(), WhisperOptions.LAYER_NORM_EPS)
                    .apply(graph, states);
        }

        private Value gelu(Value x) {
            return graph.gelu(x, GeluApproximation.NONE);
        }
    }

    /** One decoder layer's cache: self-attention keys and values, then cross-attention keys and values. */
    private record LayerCache(Value selfKeys, Value selfValues, Value crossKeys, Value crossValues) {}
}
