package org.exporters4j.tasks;

import static org.exporters4j.tasks.CommonOutputs.BATCH;
import static org.exporters4j.tasks.CommonOutputs.axes;
import static org.exporters4j.tasks.Seq2SeqFamilies.DECODER_SEQUENCE;
import static org.exporters4j.tasks.Seq2SeqFamilies.ENCODER_SEQUENCE;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.onnx.ElementType;

/**
 * Optimum 1.25.3's files and interfaces of an encoder-decoder export ({@code ../shared/reference/optimum-today-layout.md}
 * §3, §4.3 to §4.6): which files a task writes ({@code optimum/exporters/utils.py:_get_submodels_and_export_configs})
 * and each file's inputs and outputs, in graph order with Optimum's axis names:
 *
 * <ul>
 *   <li>{@code encoder_model.onnx}: the encoder's inputs over {@code encoder_sequence_length} to
 *       {@code last_hidden_state} ({@code OnnxSeq2SeqConfigWithPast} with the ENCODER behavior);</li>
 *   <li>{@code decoder_model.onnx}: {@code encoder_attention_mask}, the decoder's {@code input_ids} over
 *       {@code decoder_sequence_length}, {@code encoder_hidden_states} ({@code torch_to_onnx_input_map}) to the head's
 *       output and, with past, {@code present.{i}.decoder.*} over {@code past_decoder_sequence_length + 1} and
 *       {@code present.{i}.encoder.*} over {@code encoder_sequence_length_out};</li>
 *   <li>{@code decoder_with_past_model.onnx}: {@code encoder_attention_mask}, {@code input_ids} (axis 1 unnamed),
 *       the cache ({@code past_decoder_sequence_length}, {@code encoder_sequence_length_out}) to the head's output
 *       (axis 1 named {@code "1"}) and the self-attention's present cache; {@code encoder_hidden_states}, declared
 *       by Optimum but read by no node, is not an input (torch.onnx drops it);</li>
 *   <li>{@code decoder_model_merged.onnx}: decoder_model's inputs, the cache, then {@code use_cache_branch}; decoder
 *       model's outputs ({@code transformations_utils.py:_get_all_inputs}, {@code _unify_onnx_outputs}).</li>
 * </ul>
 *
 * Whisper's encoder takes {@code input_features} (only the batch axis dynamic) and nothing takes a mask; its encoder
 * output is over {@code encoder_sequence_length / 2} ({@code WhisperOnnxConfig}).
 */
final class Seq2SeqSplit {
    private Seq2SeqSplit() {}

    /** What the encoder reads: text tokens with their mask, or audio features without one. */
    enum EncoderInput { TEXT, AUDIO_FEATURES }

    /** Whisper's encoder output: half the frames (its convolution's stride 2). */
    static final Axis HALF_ENCODER_SEQUENCE = Axis.of("encoder_sequence_length / 2", Dimension.CROSS_ATTENTION_SEQUENCE);
    /** The cross-attention cache: the encoder output's positions (a text encoder's tokens, half Whisper's frames). */
    static Axis encoderSequenceOut(EncoderInput encoder) {
        return Axis.of("encoder_sequence_length_out", encoder == EncoderInput.TEXT ? Dimension.ENCODER_SEQUENCE
                : Dimension.CROSS_ATTENTION_SEQUENCE);
    }
    static final Axis PAST_DECODER_SEQUENCE = Axis.of("past_decoder_sequence_length", Dimension.PAST_SEQUENCE);
    /** The present self-attention cache: past and new tokens (Optimum's dummy step feeds one). */
    static final Axis PAST_DECODER_PLUS_ONE = Axis.sum("past_decoder_sequence_length + 1", Dimension.PAST_SEQUENCE,
            Dimension.DECODER_SEQUENCE);
    /** The first step's present self-attention cache, under the same name: the decoder's tokens. */
    static final Axis FIRST_STEP_PRESENT = Axis.of("past_decoder_sequence_length + 1", Dimension.DECODER_SEQUENCE);
    /** A later step's output tokens: Optimum forces the name {@code "1"} ({@code OnnxSeq2SeqConfigWithPast.outputs}). */
    static final Axis STEP_TOKENS = Axis.of("1", Dimension.DECODER_SEQUENCE);

    /**
     * The files of {@code task}: the four of a with-past generation or feature-extraction task, encoder and decoder
     * for a generation task without past, else one {@code model.onnx} (seq2seq feature extraction, classification).
     */
    static List<OnnxFile> splitFiles(ExportTask task) {
        boolean generates = task.task() == Task.SEQ2SEQ_LM || task.task() == Task.SPEECH2SEQ_LM;
        if (task.usesPast() && (generates || task.task() == Task.DEFAULT)) {
            return List.of(OnnxFile.ENCODER_MODEL, OnnxFile.DECODER_MODEL, OnnxFile.DECODER_WITH_PAST_MODEL,
                    OnnxFile.DECODER_MODEL_MERGED);
        }
        return generates ? List.of(OnnxFile.ENCODER_MODEL, OnnxFile.DECODER_MODEL) : List.of(OnnxFile.MODEL);
    }

    static List<DynamicTensor> splitInputs(EncoderInput encoder, OnnxModelRow row, ExportTask task, ModelConfig config,
                                      OnnxFile file) {
        Axis encoderOutput = encoder == EncoderInput.AUDIO_FEATURES ? HALF_ENCODER_SEQUENCE : ENCODER_SEQUENCE;
        List<DynamicTensor> inputs = new ArrayList<>();
        switch (file) {
            case ENCODER_MODEL -> inputs.addAll(encoderInputs(encoder));
            case DECODER_MODEL, DECODER_WITH_PAST_MODEL, DECODER_MODEL_MERGED -> {
                if (encoder == EncoderInput.TEXT) {
                    inputs.add(tensor("encoder_attention_mask", ElementType.INT64, axes(0, BATCH, 1,
                            ENCODER_SEQUENCE)));
                }
                inputs.add(tensor("input_ids", ElementType.INT64, file == OnnxFile.DECODER_WITH_PAST_MODEL
                        ? axes(0, BATCH, 1, Axis.unlabelled(Dimension.DECODER_SEQUENCE))
                        : axes(0, BATCH, 1, DECODER_SEQUENCE)));
                if (file != OnnxFile.DECODER_WITH_PAST_MODEL) {
                    inputs.add(tensor("encoder_hidden_states", ElementType.FLOAT, axes(0, BATCH, 1, encoderOutput)));
                }
                if (file != OnnxFile.DECODER_MODEL) {
                    inputs.addAll(cache(Direction.PAST, row.layers(config), PAST_DECODER_SEQUENCE,
                            encoderSequenceOut(encoder), List.of(Attention.DECODER_SELF, Attention.ENCODER_CROSS)));
                }
                if (file == OnnxFile.DECODER_MODEL_MERGED) {
                    inputs.add(tensor(OnnxFile.USE_CACHE_BRANCH, ElementType.BOOL, Map.of()));
                }
            }
            case MODEL -> throw new IllegalArgumentException("model.onnx is the family's own interface");
        }
        return inputs;
    }

    static List<DynamicTensor> splitOutputs(EncoderInput encoder, OnnxModelRow row, ExportTask task, ModelConfig config,
                                       OnnxFile file) {
        List<DynamicTensor> outputs = new ArrayList<>();
        if (file == OnnxFile.ENCODER_MODEL) {
            outputs.add(tensor("last_hidden_state", ElementType.FLOAT, axes(0, BATCH, 1,
                    encoder == EncoderInput.AUDIO_FEATURES ? HALF_ENCODER_SEQUENCE : ENCODER_SEQUENCE)));
            return outputs;
        }
        boolean withPastInputs = file == OnnxFile.DECODER_WITH_PAST_MODEL;
        String head = task.task() == Task.DEFAULT ? "last_hidden_state" : "logits";
        outputs.add(tensor(head, ElementType.FLOAT, axes(0, BATCH, 1, withPastInputs ? STEP_TOKENS
                : DECODER_SEQUENCE)));
        if (task.usesPast()) {
            List<Attention> attentions = withPastInputs ? List.of(Attention.DECODER_SELF)
                    : List.of(Attention.DECODER_SELF, Attention.ENCODER_CROSS);
            outputs.addAll(cache(Direction.PRESENT, row.layers(config), file == OnnxFile.DECODER_MODEL
                    ? FIRST_STEP_PRESENT : PAST_DECODER_PLUS_ONE, encoderSequenceOut(encoder), attentions));
        }
        return outputs;
    }

    /**
     * The files Optimum 1.25.3 writes for {@code task} with {@code family}'s configuration, in its order: one
     * {@code model.onnx}, except the encoder-decoder split ({@link #splitFiles}).
     */
    static List<OnnxFile> files(OnnxFamily family, ExportTask task) {
        return encoder(family).isPresent() ? splitFiles(task) : List.of(OnnxFile.MODEL);
    }

    /**
     * What the encoder of Optimum 1.25.3's encoder-decoder split reads, for the families it splits; empty for the
     * families written as one {@code model.onnx} whatever the task.
     */
    static Optional<EncoderInput> encoder(OnnxFamily family) {
        return switch (family) {
            case TEXT_SEQ2SEQ_OPTIMUM_1_25_3, BART_SEQ2SEQ_OPTIMUM_1_25_3 -> Optional.of(EncoderInput.TEXT);
            case SPEECH_SEQ2SEQ_OPTIMUM_1_25_3 -> Optional.of(EncoderInput.AUDIO_FEATURES);
            default -> Optional.empty();
        };
    }

    /** Whether the family's encoder reads audio features (Whisper's families): its output is half the frames. */
    static boolean readsAudioFeatures(OnnxFamily family) {
        return family == OnnxFamily.SPEECH_SEQ2SEQ || family == OnnxFamily.SPEECH_SEQ2SEQ_OPTIMUM_1_25_3;
    }

    /**
     * The inputs of one file in graph order: {@code model.onnx}'s are the family's (then ordered by the forward
     * signature); a split file's are in Optimum's order already.
     */
    static List<DynamicTensor> inputs(OnnxFamily family, OnnxModelRow row, ExportTask task, ModelConfig config,
                                      OnnxFile file) {
        return file == OnnxFile.MODEL ? family.inputs(row, task, config)
                : splitInputs(encoderOf(family, file), row, task, config, file);
    }

    /** The outputs of one file in graph order. */
    static List<DynamicTensor> outputs(OnnxFamily family, OnnxModelRow row, ExportTask task, ModelConfig config,
                                       OnnxFile file) {
        return file == OnnxFile.MODEL ? family.outputs(row, task, config)
                : splitOutputs(encoderOf(family, file), row, task, config, file);
    }

    private static EncoderInput encoderOf(OnnxFamily family, OnnxFile file) {
        return encoder(family).orElseThrow(() -> new IllegalArgumentException(family + " writes model.onnx only, not "
                + file));
    }

    private static List<DynamicTensor> encoderInputs(EncoderInput encoder) {
        if (encoder == EncoderInput.AUDIO_FEATURES) {
            return List.of(tensor("input_features", ElementType.FLOAT, axes(0, BATCH)));
        }
        return List.of(tensor("input_ids", ElementType.INT64, axes(0, BATCH, 1, ENCODER_SEQUENCE)),
                tensor("attention_mask", ElementType.INT64, axes(0, BATCH, 1, ENCODER_SEQUENCE)));
    }

    private static List<DynamicTensor> cache(Direction direction, int layers, Axis decoderAxis, Axis encoderAxis,
                                             List<Attention> attentions) {
        List<DynamicTensor> cache = new ArrayList<>();
        for (CacheTensor tensor : CacheTensor.layers(direction, layers, attentions)) {
            cache.add(DynamicTensor.of(tensor, axes(0, BATCH, 2,
                    tensor.attention() == Attention.DECODER_SELF ? decoderAxis : encoderAxis)));
        }
        return cache;
    }

    private static DynamicTensor tensor(String name, ElementType type, Map<Integer, Axis> axes) {
        return new DynamicTensor(name, type, axes);
    }
}
