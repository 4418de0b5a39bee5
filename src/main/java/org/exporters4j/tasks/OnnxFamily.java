package org.exporters4j.tasks;

import static org.exporters4j.tasks.CommonOutputs.BATCH;
import static org.exporters4j.tasks.CommonOutputs.SEQUENCE;
import static org.exporters4j.tasks.CommonOutputs.axes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.onnx.ElementType;

/**
 * Optimum v1.5.2's ONNX configuration classes, folded into the few families that differ in their inputs and outputs;
 * a model type's own differences (token type ids, pixel mask, cache layout, config names) are data in its
 * {@link OnnxModelRow}. Each family gives the inputs in the order of Optimum's {@code inputs} dict (the forward
 * signature re-orders them afterwards) and the outputs in graph order, each axis typed ({@link Axis}): Optimum's
 * label, and what its size is, where Optimum's label alone would mislead (a cache past named like the longer present,
 * BLOOM's fused batch × heads named {@code batch_size}, output tokens a model adds to the input's). A family is a
 * row: the Optimum release whose interface it is, its cache support, and the methods that give its inputs and outputs
 * (the encoder-decoders' are {@link Seq2SeqFamilies}').
 */
enum OnnxFamily {
    /** {@code TextEncoderOnnxConfig}: BertOnnxConfig, DistilBertOnnxConfig, DebertaOnnxConfig and their aliases. */
    TEXT_ENCODER(Optimum.V1_5_2, CacheSupport.NONE, OnnxFamily::textEncoderInputs),

    /** {@code TextDecoderOnnxConfig}: GPT-2, GPT-J, CodeGen, GPT-Neo, BLOOM. */
    TEXT_DECODER(Optimum.V1_5_2, CacheSupport.CACHE_WITH_MASK_OVER_PAST, OnnxFamily::textDecoderInputsV152,
            OnnxFamily::textDecoderOutputsV152),

    /**
     * Optimum 1.25.3's {@code TextDecoderOnnxConfig} (MPT, OPT before Transformers 4.46, ...): without past,
     * {@code input_ids} and {@code attention_mask} over {@code sequence_length}; with past (the cache in the inputs,
     * as its {@code main_export} builds {@code text-generation-with-past}), {@code input_ids} over
     * {@code sequence_length}, the cache over {@code past_sequence_length}, the mask and the present cache over
     * {@code past_sequence_length + 1} (Optimum's dummy step feeds one token; the graph takes any number, and an
     * empty past, so one file serves the prompt and each step), and {@code logits} over batch and sequence, or
     * {@code last_hidden_state} over the batch only ({@code OnnxConfigWithPast.outputs} of 1.25.3).
     */
    TEXT_DECODER_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.CACHE_WITH_MASK_OVER_PAST, OnnxFamily::textDecoderInputs,
            OnnxFamily::textDecoderOutputs),

    /**
     * Optimum 1.25.3's {@code TextDecoderWithPositionIdsOnnxConfig} (LlamaOnnxConfig, MistralOnnxConfig, Qwen2, Gemma,
     * Granite, Phi, ...): {@link #TEXT_DECODER_OPTIMUM_1_25_3}'s interface plus {@code position_ids}
     * {@code [batch_size, sequence_length]} for the {@code feature-extraction} and {@code text-generation} tasks
     * (with and without past), not for the classification heads.
     */
    TEXT_DECODER_WITH_POSITION_IDS_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.CACHE_WITH_MASK_OVER_PAST,
            OnnxFamily::textDecoderInputsWithPositionIds, OnnxFamily::textDecoderOutputs),

    /**
     * Optimum 1.25.3's {@code FalconOnnxConfig}: {@link #TEXT_DECODER_OPTIMUM_1_25_3}'s interface plus
     * {@code position_ids} for the {@code feature-extraction} and {@code text-generation} tasks unless the config
     * uses ALiBi ({@code alibi}: Falcon then takes no positions).
     */
    FALCON_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.CACHE_WITH_MASK_OVER_PAST, OnnxFamily::falconInputs,
            OnnxFamily::textDecoderOutputs),

    /** {@code TextSeq2SeqOnnxConfig} as T5, MT5 and LongT5 use it. */
    TEXT_SEQ2SEQ(Optimum.V1_5_2, CacheSupport.CACHE, Seq2SeqFamilies::textInputs, Seq2SeqFamilies::outputs),

    /**
     * Optimum 1.25.3's {@code T5OnnxConfig} ({@code TextSeq2SeqOnnxConfig}: T5, MT5, LongT5) with its file split
     * ({@link Seq2SeqSplit}): {@code feature-extraction} one {@code model.onnx} over {@code input_ids},
     * {@code attention_mask} and {@code decoder_input_ids} to the decoder's {@code last_hidden_state};
     * {@code text2text-generation} the encoder and decoder files; the {@code -with-past} tasks the four files.
     */
    TEXT_SEQ2SEQ_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.CACHE, Seq2SeqFamilies::textInputsToday,
            Seq2SeqFamilies::outputs),

    /**
     * {@code BartOnnxConfig} (BART, mBART, Marian, M2M-100, Blenderbot, Blenderbot-Small, BigBird-Pegasus):
     * seq2seq inputs for default and seq2seq-lm, a decoder-only cache for causal-lm, decoder inputs and mask for
     * classification and question answering.
     */
    BART_SEQ2SEQ(Optimum.V1_5_2, CacheSupport.CACHE, Seq2SeqFamilies::bartInputs, Seq2SeqFamilies::bartOutputs),

    /**
     * Optimum 1.25.3's {@code BartOnnxConfig} (BART, mBART, Marian, M2M-100, Blenderbot, Blenderbot-Small,
     * BigBird-Pegasus): the encoder-decoder split of {@link Seq2SeqSplit} for the generation and with-past
     * feature-extraction tasks; {@code feature-extraction} one {@code model.onnx} as T5's; the
     * {@code *ForCausalLM} decoder ({@code text-generation}) over {@code input_ids}, {@code attention_mask}
     * ({@code past_sequence_length + 1} with past) and the cache ({@code past_sequence_length}), its present over
     * {@code past_sequence_length + sequence_length} ({@code M2M100OnnxConfig.outputs}); classification and question
     * answering over {@code input_ids} and {@code attention_mask} only (the model makes the decoder's tokens).
     */
    BART_SEQ2SEQ_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.CACHE, Seq2SeqFamilies::bartInputsToday,
            Seq2SeqFamilies::bartOutputsToday),

    /** {@code WhisperOnnxConfig} ({@code TextAndAudioOnnxConfig}): audio features in, a seq2seq decoder out. */
    SPEECH_SEQ2SEQ(Optimum.V1_5_2, CacheSupport.CACHE, Seq2SeqFamilies::speechInputs, Seq2SeqFamilies::outputs),

    /**
     * Optimum 1.25.3's {@code WhisperOnnxConfig}: the encoder-decoder split of {@link Seq2SeqSplit} over
     * {@code input_features} (only its batch axis dynamic) for {@code automatic-speech-recognition(-with-past)} and
     * {@code feature-extraction-with-past}; {@code feature-extraction} one {@code model.onnx} over
     * {@code input_features} and {@code decoder_input_ids} to the decoder's {@code last_hidden_state};
     * {@code audio-classification} one {@code model.onnx}, {@code input_features} alone to {@code logits}.
     */
    SPEECH_SEQ2SEQ_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.CACHE, Seq2SeqFamilies::speechInputsToday,
            Seq2SeqFamilies::outputs),

    /** {@code ViTOnnxConfig} and the vision types built on it; DETR adds a pixel mask. */
    VISION(Optimum.V1_5_2, CacheSupport.NONE, OnnxFamily::visionInputs),

    /** {@code CLIPOnnxConfig} (CLIP, GroupViT, OWL-ViT): text and image in, similarity logits and embeddings out. */
    CONTRASTIVE_TEXT_AND_VISION(Optimum.V1_5_2, CacheSupport.NONE, OnnxFamily::contrastiveInputs,
            OnnxFamily::contrastiveOutputs),

    /** {@code LayoutLMOnnxConfig}: tokens with their bounding boxes. */
    LAYOUT_TEXT(Optimum.V1_5_2, CacheSupport.NONE, OnnxFamily::layoutTextInputs),

    /**
     * {@code LayoutLMv3OnnxConfig}: tokens, boxes and the page image; the hidden states cover the text tokens and
     * then the image's ({@link #layoutTextAndVisionOutputs}).
     */
    LAYOUT_TEXT_AND_VISION(Optimum.V1_5_2, CacheSupport.NONE, OnnxFamily::layoutTextAndVisionInputs,
            OnnxFamily::layoutTextAndVisionOutputs),

    /**
     * {@code PerceiverOnnxConfig}: one input. Optimum v1.5.2 declares it as {@code inputs} but renames it while making
     * its dummy inputs, so the exported graph's input is {@code input_ids} (text tasks) or {@code pixel_values}; the
     * masked-LM logits are over the model's queries ({@link #perceiverOutputs}).
     */
    PERCEIVER(Optimum.V1_5_2, CacheSupport.NONE, OnnxFamily::perceiverInputs, OnnxFamily::perceiverOutputs),

    /**
     * Optimum 1.25.3's {@code TextEncoderOnnxConfig} (its BertOnnxConfig, DistilBertOnnxConfig and the classes on
     * them: MPNet, ModernBERT): {@link #TEXT_ENCODER}'s inputs; the outputs of 1.25.3's
     * {@code _TASK_TO_COMMON_OUTPUTS}, where multiple choice names its choices axis ({@code num_choices}).
     */
    TEXT_ENCODER_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.NONE, OnnxFamily::textEncoderInputs,
            OnnxFamily::textEncoderOutputsToday),

    /**
     * Optimum 1.25.3's {@code ViTOnnxConfig} and the vision classes on it (DINOv2, Swin, DETR): {@code pixel_values};
     * the outputs name the batch only: {@code last_hidden_state} ({@code ViTOnnxConfig.outputs} for feature
     * extraction), {@code logits} of image classification, and masked image modelling's {@code reconstruction}
     * (1.25.3's name); object detection's {@code logits} and {@code pred_boxes} (1.25.3's common outputs) and
     * DetrOnnxConfig's image segmentation {@code logits} and {@code pred_masks} also name the object queries
     * ({@code num_queries}, fixed by the config: a label only).
     */
    VISION_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.NONE, OnnxFamily::visionInputs,
            OnnxFamily::visionOutputsToday),

    /**
     * Optimum 1.25.3's {@code CLIPOnnxConfig} as {@code SiglipOnnxConfig} uses it: {@code input_ids} and
     * {@code pixel_values} only (SigLIP's text tower is exported without an attention mask), texts and images counted
     * apart ({@code text_batch_size}, {@code image_batch_size}); the outputs of zero-shot image classification for
     * both of its tasks.
     */
    CONTRASTIVE_TEXT_AND_VISION_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.NONE,
            OnnxFamily::contrastiveInputsToday,
            (row, task, config) -> CommonOutputs.of(Task.ZERO_SHOT_IMAGE_CLASSIFICATION)),

    /**
     * Optimum 1.25.3's {@code AudioOnnxConfig} (Wav2Vec2OnnxConfig, HubertOnnxConfig, WavLMOnnxConfig): raw samples
     * {@code input_values} in, no attention mask. Optimum labels the samples axis {@code sequence_length}, and so the
     * frame axis of the per-frame outputs, which the feature encoder's strides make shorter: there it is a label only.
     */
    AUDIO_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.NONE, OnnxFamily::audioInputs, OnnxFamily::audioOutputs),

    /**
     * Optimum 1.25.3's {@code SamOnnxConfig} in its default variant {@code split}: the configuration's own interface
     * is the prompt encoder and mask decoder's (points, labels, the image embeddings and positions in; the IoU
     * scores and masks out, per prompt), and {@code main_export} writes two graphs, {@code vision_encoder}
     * (pixels in, the image embeddings and positions out) and {@code prompt_encoder_mask_decoder}.
     */
    SAM_OPTIMUM_1_25_3(Optimum.V1_25_3, CacheSupport.NONE, OnnxFamily::samInputs, OnnxFamily::samOutputs) {
        @Override
        List<SplitGraph> splitGraphs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            return List.of(
                    new SplitGraph("vision_encoder", List.of(input("pixel_values", axes(0, BATCH))),
                            List.of(CommonOutputs.output("image_embeddings", 0, BATCH),
                                    CommonOutputs.output("image_positional_embeddings", 0, BATCH))),
                    new SplitGraph("prompt_encoder_mask_decoder", inputs(row, task, config),
                            outputs(row, task, config)));
        }
    };

    /** The Optimum release whose interface a family is. */
    enum Optimum {
        /** Optimum v1.5.2's, written in the layout {@link Layout#OPTIMUM_1_5}. */
        V1_5_2,
        /** Optimum 1.25.3's, written in the layouts {@link Layout#OPTIMUM} and {@link Layout#TRANSFORMERS_JS}. */
        V1_25_3
    }

    /** Whether the family derives from Optimum's {@code OnnxConfigWithPast}, which decides {@code use_cache}. */
    enum CacheSupport {
        NONE,
        /** {@code OnnxConfigWithPast}: the encoder-decoders. */
        CACHE,
        /**
         * {@code TextDecoderOnnxConfig}, an {@code OnnxConfigWithPast} whose {@code -with-past} mask covers the past
         * and the new tokens ({@code PAD_ATTENTION_MASK_TO_PAST}), so the dummy mask is made that long.
         */
        CACHE_WITH_MASK_OVER_PAST
    }

    /** The inputs or the outputs a family declares for one task and config.json. */
    @FunctionalInterface
    interface Tensors {
        List<DynamicTensor> of(OnnxModelRow row, ExportTask task, ModelConfig config);
    }

    /** SAM's prompts per image and points per prompt, Optimum 1.25.3's labels. */
    private static final Axis POINT_BATCH = Axis.of("point_batch_size", Dimension.POINT_BATCH);
    private static final Axis POINTS_PER_PROMPT = Axis.of("nb_points_per_image", Dimension.POINTS_PER_PROMPT);

    /** One graph of a split export: its name (Optimum's file name without {@code .onnx}) and interface. */
    record SplitGraph(String name, List<DynamicTensor> inputs, List<DynamicTensor> outputs) {
        SplitGraph {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }

    static final Axis NUM_CHOICES = Axis.of("num_choices", Dimension.NUM_CHOICES);
    static final Axis NUM_CHANNELS = Axis.of("num_channels", Dimension.NUM_CHANNELS);
    static final Axis HEIGHT = Axis.of("height", Dimension.HEIGHT);
    static final Axis WIDTH = Axis.of("width", Dimension.WIDTH);
    /** Optimum v1.5.2's name for a decoder cache's sequence axis, on the past as on the (longer) present. */
    static final String PAST_PLUS_SEQUENCE = "past_sequence_length + sequence_length";
    /** The mask and the present cache of a decoder with past: the past and the new tokens. */
    static final Axis PAST_AND_NEW_TOKENS = Axis.sum(PAST_PLUS_SEQUENCE, Dimension.PAST_SEQUENCE,
            Dimension.SEQUENCE);
    /** Optimum 1.25.3's name for the same, as its dummy step feeds one new token; the graph takes any number. */
    static final Axis PAST_PLUS_ONE = Axis.sum("past_sequence_length + 1", Dimension.PAST_SEQUENCE,
            Dimension.SEQUENCE);
    /** The present cache of a graph without past inputs: Optimum 1.25.3's label, the new tokens' size. */
    static final Axis PROMPT_ONLY_PRESENT = Axis.of("past_sequence_length + 1", Dimension.SEQUENCE);
    /** Optimum 1.25.3's name for a decoder cache's past axis. */
    static final Axis PAST_SEQUENCE = Axis.of("past_sequence_length", Dimension.PAST_SEQUENCE);

    private final Optimum optimum;
    private final CacheSupport cacheSupport;
    private final Tensors inputs;
    private final Tensors outputs;

    /** A family whose outputs are the task's common outputs. */
    OnnxFamily(Optimum optimum, CacheSupport cacheSupport, Tensors inputs) {
        this(optimum, cacheSupport, inputs, (row, task, config) -> CommonOutputs.of(task.task()));
    }

    OnnxFamily(Optimum optimum, CacheSupport cacheSupport, Tensors inputs, Tensors outputs) {
        this.optimum = optimum;
        this.cacheSupport = cacheSupport;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    CacheSupport cacheSupport() {
        return cacheSupport;
    }

    /**
     * Whether the family is Optimum 1.25.3's interface (the {@code *_OPTIMUM_1_25_3} families), written in the
     * layouts {@link Layout#OPTIMUM} and {@link Layout#TRANSFORMERS_JS}; every other family is Optimum v1.5.2's.
     */
    boolean hasTodaysInterface() {
        return optimum == Optimum.V1_25_3;
    }

    /** The inputs in the order of Optimum's {@code inputs} dict, before the forward signature orders them. */
    List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return inputs.of(row, task, config);
    }

    /** The outputs in graph order. */
    List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return outputs.of(row, task, config);
    }

    /**
     * The graphs {@code main_export} writes for this family, each its own file, in its order; empty (the default)
     * for one {@code model.onnx} with the configuration's interface.
     */
    List<SplitGraph> splitGraphs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return List.of();
    }

    /**
     * Whether a decoder-only {@code -with-past} task's mask covers the past and the new tokens (Optimum's
     * {@code PAD_ATTENTION_MASK_TO_PAST} of text decoders), so the dummy mask is made that long.
     */
    boolean padsMaskToPast() {
        return cacheSupport == CacheSupport.CACHE_WITH_MASK_OVER_PAST;
    }

    private static List<DynamicTensor> textEncoderInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        Map<Integer, Axis> axis = task.task() == Task.MULTIPLE_CHOICE
                ? axes(0, BATCH, 1, NUM_CHOICES, 2, SEQUENCE) : axes(0, BATCH, 1, SEQUENCE);
        List<DynamicTensor> inputs = new ArrayList<>();
        inputs.add(input("input_ids", axis));
        inputs.add(input("attention_mask", axis));
        if (row.tokenTypeIds().includedFor(row, config)) {
            inputs.add(input("token_type_ids", axis));
        }
        return inputs;
    }

    private static List<DynamicTensor> textEncoderOutputsToday(OnnxModelRow row, ExportTask task,
                                                               ModelConfig config) {
        if (task.task() == Task.MULTIPLE_CHOICE) {
            return List.of(CommonOutputs.output("logits", 0, BATCH, 1, NUM_CHOICES));
        }
        return CommonOutputs.of(task.task());
    }

    private static List<DynamicTensor> textDecoderInputsV152(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> inputs = new ArrayList<>();
        inputs.add(input("input_ids", axes(0, BATCH, 1, SEQUENCE)));
        if (task.usesPast()) {
            // As Optimum v1.5.2: the past's axis is named "past_sequence_length + sequence_length" like the
            // (longer) present and the mask; its size is the past's alone. The graph keeps the real axes dynamic.
            inputs.addAll(decoderCache(Direction.PAST, row, config,
                    Axis.of(PAST_PLUS_SEQUENCE, Dimension.PAST_SEQUENCE)));
            inputs.add(input("attention_mask", axes(0, BATCH, 1, PAST_AND_NEW_TOKENS)));
        } else {
            inputs.add(input("attention_mask", axes(0, BATCH, 1, SEQUENCE)));
        }
        return inputs;
    }

    private static List<DynamicTensor> textDecoderOutputsV152(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> outputs = new ArrayList<>(CommonOutputs.of(task.task()));
        if (task.usesPast()) {
            outputs.addAll(decoderCache(Direction.PRESENT, row, config, PAST_AND_NEW_TOKENS));
        }
        return outputs;
    }

    /**
     * Whether Optimum 1.25.3's {@code main_export} puts a decoder-only model's cache in the graph's inputs: for
     * {@code text-generation-with-past} only ({@code utils.py:get_decoder_models_for_export} builds its config with
     * {@code use_past_in_inputs = use_past}); {@code feature-extraction-with-past} goes through the one-model branch
     * of {@code _get_submodels_and_export_configs}, whose config keeps the constructor's
     * {@code use_past_in_inputs=False}: present outputs, no past inputs ({@code optimum-today-layout.md} §3, §4.2;
     * fixtures-layout's {@code *--feature-extraction-with-past}).
     */
    static boolean cacheInInputs(ExportTask task) {
        return task.usesPast() && task.task() == Task.CAUSAL_LM;
    }

    /**
     * The inputs of Optimum 1.25.3's {@code TextDecoderOnnxConfig}, in its dict order: {@code input_ids}, with the
     * cache in the inputs ({@link #cacheInInputs}) the cache and then {@code attention_mask} over the past and the
     * new tokens, else {@code attention_mask} over the new tokens.
     */
    static List<DynamicTensor> textDecoderInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> inputs = new ArrayList<>();
        inputs.add(input("input_ids", axes(0, BATCH, 1, SEQUENCE)));
        if (cacheInInputs(task)) {
            inputs.addAll(decoderCache(Direction.PAST, row, config, PAST_SEQUENCE));
            inputs.add(input("attention_mask", axes(0, BATCH, 1, PAST_PLUS_ONE)));
        } else {
            inputs.add(input("attention_mask", axes(0, BATCH, 1, SEQUENCE)));
        }
        return inputs;
    }

    /** {@link #textDecoderInputs}, then {@code position_ids} for the bare model and the LM head. */
    private static List<DynamicTensor> textDecoderInputsWithPositionIds(OnnxModelRow row, ExportTask task,
                                                                        ModelConfig config) {
        List<DynamicTensor> inputs = textDecoderInputs(row, task, config);
        if (task.task() == Task.DEFAULT || task.task() == Task.CAUSAL_LM) {
            inputs.add(input("position_ids", axes(0, BATCH, 1, SEQUENCE)));
        }
        return inputs;
    }

    /** {@link #textDecoderInputsWithPositionIds}, without the positions when the config uses ALiBi. */
    private static List<DynamicTensor> falconInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return config.optionalBoolean("alibi").orElse(false) ? textDecoderInputs(row, task, config)
                : textDecoderInputsWithPositionIds(row, task, config);
    }

    /**
     * The outputs of Optimum 1.25.3's {@code OnnxConfigWithPast}: the task's common outputs; with past, then the
     * present cache over {@code past_sequence_length + 1}, which holds the past and the new tokens when the cache is
     * an input ({@code text-generation-with-past}), and the new tokens alone when it is not
     * ({@code feature-extraction-with-past}: Optimum's label is then the dummy step's, the size the prompt's).
     */
    static List<DynamicTensor> textDecoderOutputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> outputs = new ArrayList<>(CommonOutputs.of(task.task()));
        if (task.usesPast()) {
            outputs.addAll(decoderCache(Direction.PRESENT, row, config,
                    cacheInInputs(task) ? PAST_PLUS_ONE : PROMPT_ONLY_PRESENT));
        }
        return outputs;
    }

    private static List<DynamicTensor> visionInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> inputs = new ArrayList<>();
        inputs.add(input("pixel_values", axes(0, BATCH, 1, NUM_CHANNELS, 2, HEIGHT, 3, WIDTH)));
        if (row.pixelMask() == OnnxModelRow.PixelMask.INCLUDED) {
            inputs.add(input("pixel_mask", axes(0, BATCH)));
        }
        return inputs;
    }

    private static List<DynamicTensor> visionOutputsToday(OnnxModelRow row, ExportTask task, ModelConfig config) {
        Axis queries = Axis.labelOnly("num_queries");
        if (task.task() == Task.OBJECT_DETECTION) {
            return List.of(CommonOutputs.output("logits", 0, BATCH, 1, queries),
                    CommonOutputs.output("pred_boxes", 0, BATCH, 1, queries));
        }
        if (task.task() == Task.IMAGE_SEGMENTATION) {
            return List.of(CommonOutputs.output("logits", 0, BATCH, 1, queries),
                    CommonOutputs.output("pred_masks", 0, BATCH, 1, queries));
        }
        String name = switch (task.task()) {
            case DEFAULT -> "last_hidden_state";
            case MASKED_IM -> "reconstruction";
            default -> "logits";
        };
        return List.of(CommonOutputs.output(name, 0, BATCH));
    }

    private static List<DynamicTensor> contrastiveInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return List.of(
                input("input_ids", axes(0, BATCH, 1, SEQUENCE)),
                input("pixel_values", axes(0, BATCH, 1, NUM_CHANNELS, 2, HEIGHT, 3, WIDTH)),
                input("attention_mask", axes(0, BATCH, 1, SEQUENCE)));
    }

    private static List<DynamicTensor> contrastiveOutputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return List.of(
                CommonOutputs.output("logits_per_image", 0, BATCH),
                CommonOutputs.output("logits_per_text", 0, BATCH),
                CommonOutputs.output("text_embeds", 0, BATCH),
                CommonOutputs.output("image_embeds", 0, BATCH));
    }

    private static List<DynamicTensor> contrastiveInputsToday(OnnxModelRow row, ExportTask task,
                                                              ModelConfig config) {
        return List.of(
                input("input_ids", axes(0, CommonOutputs.TEXT_BATCH, 1, SEQUENCE)),
                input("pixel_values", axes(0, CommonOutputs.IMAGE_BATCH, 1, NUM_CHANNELS, 2, HEIGHT, 3, WIDTH)));
    }

    private static List<DynamicTensor> layoutTextInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return List.of(
                input("input_ids", axes(0, BATCH, 1, SEQUENCE)),
                input("bbox", axes(0, BATCH, 1, SEQUENCE)),
                input("attention_mask", axes(0, BATCH, 1, SEQUENCE)),
                input("token_type_ids", axes(0, BATCH, 1, SEQUENCE)));
    }

    private static List<DynamicTensor> layoutTextAndVisionInputs(OnnxModelRow row, ExportTask task,
                                                                 ModelConfig config) {
        // As Optimum v1.5.2: only these two tasks declare the image's height and width dynamic.
        Map<Integer, Axis> pixelAxes = task.task() == Task.SEQUENCE_CLASSIFICATION
                || task.task() == Task.QUESTION_ANSWERING
                ? axes(0, BATCH, 1, NUM_CHANNELS, 2, HEIGHT, 3, WIDTH)
                : axes(0, BATCH, 1, NUM_CHANNELS);
        return List.of(
                input("input_ids", axes(0, BATCH, 1, SEQUENCE)),
                input("attention_mask", axes(0, BATCH, 1, SEQUENCE)),
                input("bbox", axes(0, BATCH, 1, SEQUENCE)),
                input("pixel_values", pixelAxes));
    }

    /**
     * LayoutLMv3's hidden states cover the text tokens and then the image's: a CLS token and one per patch of
     * the config's {@code input_size} image (none without {@code visual_embed}), as Transformers 4.25.1's
     * {@code LayoutLMv3Model} appends them; Optimum still names that axis {@code sequence_length}. The
     * token-classification head keeps the text tokens only.
     */
    private static List<DynamicTensor> layoutTextAndVisionOutputs(OnnxModelRow row, ExportTask task,
                                                                  ModelConfig config) {
        List<DynamicTensor> outputs = new ArrayList<>();
        for (DynamicTensor common : CommonOutputs.of(task.task())) {
            outputs.add(task.task() == Task.TOKEN_CLASSIFICATION ? common : retyped(common, Dimension.SEQUENCE,
                    new Axis.Sum(List.of(Dimension.SEQUENCE), imageTokens(row, config))));
        }
        return outputs;
    }

    private static List<DynamicTensor> perceiverInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        if (task.task() == Task.MASKED_LM || task.task() == Task.SEQUENCE_CLASSIFICATION) {
            return List.of(input("input_ids", axes(0, BATCH, 1, SEQUENCE)));
        }
        // Optimum v1.5.2 names the image's channel axis sequence_length
        return List.of(input("pixel_values", axes(0, BATCH, 1, Axis.labelOnly(SEQUENCE.label().orElseThrow()))));
    }

    /**
     * PerceiverForMaskedLM decodes one query per position, {@code max_position_embeddings} of them whatever the
     * input's length (Transformers 4.25.1); Optimum names that axis {@code sequence_length}.
     */
    private static List<DynamicTensor> perceiverOutputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> outputs = new ArrayList<>();
        for (DynamicTensor common : CommonOutputs.of(task.task())) {
            outputs.add(task.task() != Task.MASKED_LM ? common : retyped(common, Dimension.SEQUENCE,
                    new Axis.Fixed(config.intValue("max_position_embeddings"))));
        }
        return outputs;
    }

    private static List<DynamicTensor> audioInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return List.of(input("input_values", axes(0, BATCH, 1, Axis.of("sequence_length",
                Dimension.ENCODER_SEQUENCE))));
    }

    private static List<DynamicTensor> audioOutputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        if (task.task() == Task.DEFAULT) {
            return List.of(CommonOutputs.output("last_hidden_state", 0, BATCH, 1,
                    Axis.labelOnly("sequence_length")));
        }
        return CommonOutputs.of(task.task());
    }

    private static List<DynamicTensor> samInputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        Map<Integer, Axis> points = axes(0, BATCH, 1, POINT_BATCH, 2, POINTS_PER_PROMPT);
        return List.of(
                input("image_positional_embeddings", axes(0, BATCH)),
                input("image_embeddings", axes(0, BATCH)),
                input("input_points", points),
                input("input_labels", points));
    }

    private static List<DynamicTensor> samOutputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return List.of(CommonOutputs.output("iou_scores", 0, BATCH, 1, POINT_BATCH),
                CommonOutputs.output("pred_masks", 0, BATCH, 1, POINT_BATCH));
    }

    /** Element type by input name, as Transformers' forward takes them: ids, masks and boxes int64, the rest float. */
    static ElementType inputElementType(String name) {
        if (name.equals("pixel_values") || name.equals("input_features") || name.equals("input_values")
                || name.equals("encoder_outputs") || name.equals("input_points") || name.equals("image_embeddings")
                || name.equals("image_positional_embeddings") || name.equals("encoder_hidden_states")) {
            return ElementType.FLOAT;
        }
        return ElementType.INT64;
    }

    static DynamicTensor input(String name, Map<Integer, Axis> axes) {
        return new DynamicTensor(name, inputElementType(name), axes);
    }

    /**
     * Decoder-only cache, layer by layer: {@code past_key_values.<i>.key}, {@code .value} (or {@code present.…}), or
     * GPT-BigCode's one {@code past_key_values.<i>.key_value}, with Optimum's {@code batch_size} and
     * {@code sequenceAxis} on the axes the row's cache layout puts them ({@link OnnxModelRow.CacheLayout#axes}).
     */
    static List<DynamicTensor> decoderCache(Direction direction, OnnxModelRow row, ModelConfig config,
            Axis sequenceAxis) {
        OnnxModelRow.CacheLayout layout = row.cacheLayout();
        List<CacheTensor> tensors = layout.fusesKeyAndValue()
                ? CacheTensor.fusedLayers(direction, row.layers(config))
                : CacheTensor.layers(direction, row.layers(config), List.of(Attention.SELF));
        List<DynamicTensor> cache = new ArrayList<>();
        for (CacheTensor tensor : tensors) {
            cache.add(DynamicTensor.of(tensor, layout.axes(tensor.part(), BATCH, sequenceAxis, config)));
        }
        return cache;
    }

    /** {@code tensor} with every axis bound to {@code dimension} given {@code size}, its label kept. */
    static DynamicTensor retyped(DynamicTensor tensor, Dimension dimension, Axis.Size size) {
        Map<Integer, Axis> axes = new LinkedHashMap<>();
        tensor.axes().forEach((index, axis) -> axes.put(index,
                axis.sets().filter(dimension::equals).isPresent() ? axis.sized(size) : axis));
        return tensor.withAxes(axes);
    }

    /**
     * The image tokens LayoutLMv3 appends to the text's: a CLS token and one per {@code patch_size} patch of the
     * config's {@code input_size} image, none when {@code visual_embed} is off.
     */
    static long imageTokens(OnnxModelRow row, ModelConfig config) {
        if (!config.optionalBoolean("visual_embed").orElse(true)) {
            return 0;
        }
        List<Integer> size = row.attributes().intOrPair(config, ConfigAttribute.IMAGE_SIZE);
        int patch = config.intValue("patch_size");
        if (size.isEmpty() || patch < 1) {
            throw new org.exporters4j.checkpoint.ModelConfigException(config.source() + ": LayoutLMv3 needs "
                    + "input_size and a positive patch_size to count its image tokens, got " + size + " and " + patch);
        }
        int height = size.get(0);
        int width = size.size() > 1 ? size.get(1) : height;
        return (long) (height / patch) * (width / patch) + 1;
    }
}
