package org.exporters4j.tasks;

import static org.exporters4j.tasks.CommonOutputs.BATCH;
import static org.exporters4j.tasks.CommonOutputs.SEQUENCE;
import static org.exporters4j.tasks.CommonOutputs.axes;
import static org.exporters4j.tasks.OnnxFamily.PAST_AND_NEW_TOKENS;
import static org.exporters4j.tasks.OnnxFamily.PAST_PLUS_SEQUENCE;
import static org.exporters4j.tasks.OnnxFamily.decoderCache;
import static org.exporters4j.tasks.OnnxFamily.input;
import static org.exporters4j.tasks.OnnxFamily.retyped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;

/**
 * The inputs and outputs of the encoder-decoder families of {@link OnnxFamily}: T5's ({@code TextSeq2SeqOnnxConfig}),
 * BART's ({@code BartOnnxConfig}) and Whisper's ({@code WhisperOnnxConfig}), as Optimum v1.5.2 and Optimum 1.25.3
 * declare them (the files of 1.25.3's encoder-decoder split are {@link Seq2SeqSplit}'s).
 */
final class Seq2SeqFamilies {
    static final Axis ENCODER_SEQUENCE = Axis.of("encoder_sequence_length", Dimension.ENCODER_SEQUENCE);
    static final Axis DECODER_SEQUENCE = Axis.of("decoder_sequence_length", Dimension.DECODER_SEQUENCE);
    static final Axis FEATURE_SIZE = Axis.of("feature_size", Dimension.FEATURE_SIZE);
    /** A seq2seq step's decoder tokens: Optimum leaves the axis unnamed (it feeds one token). */
    static final Axis ONE_STEP_DECODER_TOKENS = Axis.unlabelled(Dimension.DECODER_SEQUENCE);

    private Seq2SeqFamilies() {}

    /** {@code TextSeq2SeqOnnxConfig} (T5, MT5, LongT5): the encoder's tokens and mask, then the decoder's inputs. */
    static List<DynamicTensor> textInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> inputs = new ArrayList<>();
        inputs.add(input("input_ids", axes(0, BATCH, 1, ENCODER_SEQUENCE)));
        // with past, Optimum v1.5.2 names the encoder's mask after the past; it is over the encoder's tokens
        inputs.add(input("attention_mask", axes(0, BATCH, 1, task.usesPast()
                ? Axis.of("past_encoder_sequence_length + sequence_length", Dimension.ENCODER_SEQUENCE)
                : ENCODER_SEQUENCE)));
        inputs.addAll(decoderInputs(row, task, config));
        return inputs;
    }

    /**
     * Optimum 1.25.3's {@code T5OnnxConfig} as one {@code model.onnx} ({@code feature-extraction}): {@code input_ids},
     * {@code attention_mask} and {@code decoder_input_ids}.
     */
    static List<DynamicTensor> textInputsToday(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return List.of(input("input_ids", axes(0, BATCH, 1, ENCODER_SEQUENCE)),
                input("attention_mask", axes(0, BATCH, 1, ENCODER_SEQUENCE)),
                input("decoder_input_ids", axes(0, BATCH, 1, DECODER_SEQUENCE)));
    }

    /**
     * {@code BartOnnxConfig} of Optimum v1.5.2: seq2seq inputs for default and seq2seq-lm, the decoder's tokens and
     * a decoder-only cache for causal-lm, decoder inputs and mask for classification and question answering.
     */
    static List<DynamicTensor> bartInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> inputs = new ArrayList<>();
        if (task.task() == Task.CAUSAL_LM) {
            // As Optimum v1.5.2: the decoder's own tokens keep the encoder's name, and so does the mask over
            // the past and new tokens
            inputs.add(input("input_ids", axes(0, BATCH, 1, ENCODER_SEQUENCE.sized(new Axis.Bound(
                    Dimension.SEQUENCE)))));
            inputs.add(input("attention_mask", axes(0, BATCH, 1, ENCODER_SEQUENCE.sized(task.usesPast()
                    ? PAST_AND_NEW_TOKENS.size() : new Axis.Bound(Dimension.SEQUENCE)))));
        } else {
            inputs.add(input("input_ids", axes(0, BATCH, 1, ENCODER_SEQUENCE)));
            inputs.add(input("attention_mask", axes(0, BATCH, 1, ENCODER_SEQUENCE)));
        }
        switch (task.task()) {
            case DEFAULT, SEQ2SEQ_LM -> inputs.addAll(decoderInputs(row, task, config));
            case CAUSAL_LM -> {
                if (task.usesPast()) {
                    inputs.addAll(decoderCache(Direction.PAST, row, config,
                            Axis.of(PAST_PLUS_SEQUENCE, Dimension.PAST_SEQUENCE)));
                }
            }
            default -> {
                inputs.add(input("decoder_input_ids", axes(0, BATCH, 1, DECODER_SEQUENCE)));
                inputs.add(input("decoder_attention_mask", axes(0, BATCH, 1, DECODER_SEQUENCE)));
            }
        }
        return inputs;
    }

    /**
     * The outputs of Optimum v1.5.2's {@code BartOnnxConfig}: seq2seq outputs for default and seq2seq-lm; else the
     * common outputs (over the decoder's tokens for classification and question answering) and, with past, the
     * decoder-only cache.
     */
    static List<DynamicTensor> bartOutputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        if (task.task() == Task.DEFAULT || task.task() == Task.SEQ2SEQ_LM) {
            return outputs(row, task, config);
        }
        List<DynamicTensor> outputs = new ArrayList<>();
        for (DynamicTensor common : CommonOutputs.of(task.task())) {
            // classification and question answering read the decoder's tokens: Optimum's "sequence_length"
            // there is the decoder's sequence
            outputs.add(task.task() == Task.CAUSAL_LM ? common : retyped(common, Dimension.SEQUENCE,
                    new Axis.Bound(Dimension.DECODER_SEQUENCE)));
        }
        if (task.usesPast()) {
            // Optimum v1.5.2 counts these present outputs with encoder_layers; BartForCausalLM returns one per
            // decoder layer, so the decoder's count is used (the same whenever the two counts are equal).
            outputs.addAll(decoderCache(Direction.PRESENT, row, config, PAST_AND_NEW_TOKENS));
        }
        return outputs;
    }

    /**
     * Optimum 1.25.3's {@code BartOnnxConfig} as one {@code model.onnx}: T5's for {@code feature-extraction}; the
     * {@code *ForCausalLM} decoder as a text decoder ({@code text-generation}); {@code input_ids} and
     * {@code attention_mask} only for classification and question answering (the model makes the decoder's tokens).
     */
    static List<DynamicTensor> bartInputsToday(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return switch (task.task()) {
            case DEFAULT -> textInputsToday(row, task, config);
            case CAUSAL_LM -> OnnxFamily.textDecoderInputs(row, task, config);
            default -> List.of(input("input_ids", axes(0, BATCH, 1, SEQUENCE)),
                    input("attention_mask", axes(0, BATCH, 1, SEQUENCE)));
        };
    }

    /**
     * The outputs of Optimum 1.25.3's {@code BartOnnxConfig} as one {@code model.onnx}: the decoder's
     * {@code last_hidden_state} for {@code feature-extraction}; else the common outputs and, with past, the present
     * cache over the past and new tokens ({@code M2M100OnnxConfig.outputs}).
     */
    static List<DynamicTensor> bartOutputsToday(OnnxModelRow row, ExportTask task, ModelConfig config) {
        if (task.task() == Task.DEFAULT) {
            return outputs(row, task, config);
        }
        List<DynamicTensor> outputs = new ArrayList<>(CommonOutputs.of(task.task()));
        if (task.usesPast()) {
            outputs.addAll(decoderCache(Direction.PRESENT, row, config, PAST_AND_NEW_TOKENS));
        }
        return outputs;
    }

    /** {@code WhisperOnnxConfig} of Optimum v1.5.2: the audio features, then the decoder's inputs. */
    static List<DynamicTensor> speechInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> inputs = new ArrayList<>();
        inputs.add(input("input_features", axes(0, BATCH, 1, FEATURE_SIZE, 2, ENCODER_SEQUENCE)));
        inputs.addAll(decoderInputs(row, task, config));
        return inputs;
    }

    /**
     * Optimum 1.25.3's {@code WhisperOnnxConfig} as one {@code model.onnx}: {@code input_features} (only its batch
     * axis dynamic), then {@code decoder_input_ids} ({@code feature-extraction}) or nothing
     * ({@code audio-classification}).
     */
    static List<DynamicTensor> speechInputsToday(OnnxModelRow row, ExportTask task, ModelConfig config) {
        DynamicTensor features = input("input_features", axes(0, BATCH));
        return task.task() == Task.AUDIO_CLASSIFICATION ? List.of(features)
                : List.of(features, input("decoder_input_ids", axes(0, BATCH, 1, DECODER_SEQUENCE)));
    }

    /**
     * A seq2seq model's decoder inputs after the encoder's: {@code decoder_input_ids} over the decoder's sequence,
     * or with past one new token and then the past cache of every decoder layer, as Optimum v1.5.2's
     * {@code Seq2SeqOnnxConfig.inputs} orders them.
     */
    static List<DynamicTensor> decoderInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        if (!task.usesPast()) {
            return List.of(input("decoder_input_ids", axes(0, BATCH, 1, DECODER_SEQUENCE)));
        }
        List<DynamicTensor> inputs = new ArrayList<>();
        inputs.add(input("decoder_input_ids", axes(0, BATCH, 1, ONE_STEP_DECODER_TOKENS)));
        inputs.addAll(cache(Direction.PAST, row.layers(config)));
        return inputs;
    }

    /**
     * Seq2seq cache, layer by layer: decoder self-attention key/value, then encoder (cross-attention) key/value, as
     * Optimum v1.5.2's {@code OnnxSeq2SeqConfigWithPast.add_past_key_values}.
     */
    static List<DynamicTensor> cache(Direction direction, int layers) {
        Axis decoderAxis = direction == Direction.PAST
                ? Axis.of("past_decoder_sequence_length", Dimension.PAST_SEQUENCE)
                : Axis.sum("past_decoder_sequence_length + sequence_length", Dimension.PAST_SEQUENCE,
                        Dimension.DECODER_SEQUENCE);
        // the cross-attention cache holds the encoder output, in and out alike
        Axis encoderAxis = Axis.of("past_encoder_sequence_length", Dimension.CROSS_ATTENTION_SEQUENCE);
        List<DynamicTensor> cache = new ArrayList<>();
        for (CacheTensor tensor : CacheTensor.layers(direction, layers,
                List.of(Attention.DECODER_SELF, Attention.ENCODER_CROSS))) {
            Axis axis = tensor.attention() == Attention.DECODER_SELF ? decoderAxis : encoderAxis;
            cache.add(DynamicTensor.of(tensor, axes(0, BATCH, 2, axis)));
        }
        return cache;
    }

    /**
     * The task's common outputs with every axis that names a sequence renamed to the decoder's sequence (every
     * common output of a seq2seq task is the decoder's), then the present cache: as Optimum v1.5.2's
     * {@code OnnxSeq2SeqConfigWithPast.outputs}, which renames the axes whose name contains "sequence" (the tokens'
     * axes, here: the axes bound to {@link Dimension#SEQUENCE} or already the decoder's).
     */
    static List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> outputs = new ArrayList<>();
        for (DynamicTensor common : CommonOutputs.of(task.task())) {
            Map<Integer, Axis> renamed = new LinkedHashMap<>();
            common.axes().forEach((index, axis) -> renamed.put(index,
                    axis.sets().filter(dimension -> dimension == Dimension.SEQUENCE
                            || dimension == Dimension.DECODER_SEQUENCE).isPresent() ? DECODER_SEQUENCE : axis));
            outputs.add(common.withAxes(renamed));
        }
        if (task.usesPast()) {
            outputs.addAll(cache(Direction.PRESENT, row.layers(config)));
        }
        return outputs;
    }
}
