package org.exporters4j.tasks;

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
 * signature re-orders them afterwards) and the outputs in graph order.
 */
enum OnnxFamily {
    /** {@code TextEncoderOnnxConfig}: BertOnnxConfig, DistilBertOnnxConfig, DebertaOnnxConfig and their aliases. */
    TEXT_ENCODER(CacheSupport.NONE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            Map<Integer, String> axis = task.task() == Task.MULTIPLE_CHOICE
                    ? axes(0, BATCH, 1, "num_choices", 2, SEQUENCE) : axes(0, BATCH, 1, SEQUENCE);
            List<DynamicTensor> inputs = new ArrayList<>();
            inputs.add(input("input_ids", axis));
            inputs.add(input("attention_mask", axis));
            if (row.tokenTypeIds().includedFor(row, config)) {
                inputs.add(input("token_type_ids", axis));
            }
            return inputs;
        }
    },

    /** {@code TextDecoderOnnxConfig}: GPT-2, GPT-J, CodeGen, GPT-Neo, BLOOM. */
    TEXT_DECODER(CacheSupport.CACHE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            List<DynamicTensor> inputs = new ArrayList<>();
            inputs.add(input("input_ids", axes(0, BATCH, 1, SEQUENCE)));
            if (task.usesPast()) {
                // As Optimum v1.5.2: the past's axis is named "past_sequence_length + sequence_length" like the
                // (longer) present and the mask. The names are the interface, not sizes: the graph keeps the real
                // axes dynamic, and the validator does not bind a name the inputs give two sizes.
                inputs.addAll(decoderCache(Direction.PAST, row.layers(config),
                        PAST_PLUS_SEQUENCE));
                inputs.add(input("attention_mask", axes(0, BATCH, 1, PAST_PLUS_SEQUENCE)));
            } else {
                inputs.add(input("attention_mask", axes(0, BATCH, 1, SEQUENCE)));
            }
            return inputs;
        }

        @Override
        List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            List<DynamicTensor> outputs = new ArrayList<>(CommonOutputs.of(task.task()));
            if (task.usesPast()) {
                outputs.addAll(decoderCache(Direction.PRESENT, row.layers(config), PAST_PLUS_SEQUENCE));
            }
            return outputs;
        }
    },

    /**
     * Optimum 1.10.1's {@code TextDecoderOnnxConfig}, as its {@code LlamaOnnxConfig} uses it: without past,
     * {@code input_ids} and {@code attention_mask} over {@code sequence_length}; with past, Optimum feeds one new
     * token, so the step's sequence axis is left unnamed ({@code input_ids} and the outputs name only
     * {@code batch_size}), the cache is named {@code past_sequence_length} and the mask and the present cache
     * {@code past_sequence_length + 1}. (exporters4j's graphs keep the unnamed axes dynamic, so the same with-past
     * file also takes a whole prompt with an empty cache.)
     */
    TEXT_DECODER_OPTIMUM_1_10(CacheSupport.CACHE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            List<DynamicTensor> inputs = new ArrayList<>();
            if (task.usesPast()) {
                inputs.add(input("input_ids", axes(0, BATCH)));
                inputs.addAll(decoderCache(Direction.PAST, row.layers(config), PAST));
                inputs.add(input("attention_mask", axes(0, BATCH, 1, PAST_PLUS_ONE)));
            } else {
                inputs.add(input("input_ids", axes(0, BATCH, 1, SEQUENCE)));
                inputs.add(input("attention_mask", axes(0, BATCH, 1, SEQUENCE)));
            }
            return inputs;
        }

        @Override
        List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            if (!task.usesPast()) {
                return CommonOutputs.of(task.task());
            }
            List<DynamicTensor> outputs = new ArrayList<>();
            for (DynamicTensor common : CommonOutputs.of(task.task())) {
                outputs.add(new DynamicTensor(common.name(), common.elementType(), axes(0, BATCH)));
            }
            outputs.addAll(decoderCache(Direction.PRESENT, row.layers(config), PAST_PLUS_ONE));
            return outputs;
        }

        @Override
        boolean feedsOneStepToken() {
            return true;
        }
    },

    /** {@code TextSeq2SeqOnnxConfig} as T5, MT5 and LongT5 use it. */
    TEXT_SEQ2SEQ(CacheSupport.CACHE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            List<DynamicTensor> inputs = new ArrayList<>();
            inputs.add(input("input_ids", axes(0, BATCH, 1, ENCODER_SEQUENCE)));
            if (task.usesPast()) {
                inputs.add(input("attention_mask", axes(0, BATCH, 1, "past_encoder_sequence_length + sequence_length")));
                inputs.add(input("decoder_input_ids", axes(0, BATCH)));
                inputs.addAll(seq2seqCache(Direction.PAST, row.layers(config)));
            } else {
                inputs.add(input("attention_mask", axes(0, BATCH, 1, ENCODER_SEQUENCE)));
                inputs.add(input("decoder_input_ids", axes(0, BATCH, 1, DECODER_SEQUENCE)));
            }
            return inputs;
        }

        @Override
        List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            return seq2seqOutputs(row, task, config);
        }
    },

    /**
     * {@code BartOnnxConfig} (BART, mBART, Marian, M2M-100, Blenderbot, Blenderbot-Small, BigBird-Pegasus):
     * seq2seq inputs for default and seq2seq-lm, a decoder-only cache for causal-lm, decoder inputs and mask for
     * classification and question answering.
     */
    BART_SEQ2SEQ(CacheSupport.CACHE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            List<DynamicTensor> inputs = new ArrayList<>();
            inputs.add(input("input_ids", axes(0, BATCH, 1, ENCODER_SEQUENCE)));
            inputs.add(input("attention_mask", axes(0, BATCH, 1, ENCODER_SEQUENCE)));
            switch (task.task()) {
                case DEFAULT, SEQ2SEQ_LM -> {
                    if (task.usesPast()) {
                        inputs.add(input("decoder_input_ids", axes(0, BATCH)));
                        inputs.addAll(seq2seqCache(Direction.PAST, row.layers(config)));
                    } else {
                        inputs.add(input("decoder_input_ids", axes(0, BATCH, 1, DECODER_SEQUENCE)));
                    }
                }
                case CAUSAL_LM -> {
                    if (task.usesPast()) {
                        inputs.addAll(decoderCache(Direction.PAST, row.layers(config),
                                PAST_PLUS_SEQUENCE));
                    }
                }
                default -> {
                    inputs.add(input("decoder_input_ids", axes(0, BATCH, 1, DECODER_SEQUENCE)));
                    inputs.add(input("decoder_attention_mask", axes(0, BATCH, 1, DECODER_SEQUENCE)));
                }
            }
            return inputs;
        }

        @Override
        List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            if (task.task() == Task.DEFAULT || task.task() == Task.SEQ2SEQ_LM) {
                return seq2seqOutputs(row, task, config);
            }
            List<DynamicTensor> outputs = new ArrayList<>(CommonOutputs.of(task.task()));
            if (task.usesPast()) {
                // Optimum v1.5.2 counts these present outputs with encoder_layers; BartForCausalLM returns one per
                // decoder layer, so the decoder's count is used (the same whenever the two counts are equal).
                outputs.addAll(decoderCache(Direction.PRESENT, row.layers(config), PAST_PLUS_SEQUENCE));
            }
            return outputs;
        }
    },

    /** {@code WhisperOnnxConfig} ({@code TextAndAudioOnnxConfig}): audio features in, a seq2seq decoder out. */
    SPEECH_SEQ2SEQ(CacheSupport.CACHE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            List<DynamicTensor> inputs = new ArrayList<>();
            inputs.add(input("input_features", axes(0, BATCH, 1, "feature_size", 2, ENCODER_SEQUENCE)));
            if (task.usesPast()) {
                inputs.add(input("decoder_input_ids", axes(0, BATCH)));
                inputs.addAll(seq2seqCache(Direction.PAST, row.layers(config)));
            } else {
                inputs.add(input("decoder_input_ids", axes(0, BATCH, 1, DECODER_SEQUENCE)));
            }
            return inputs;
        }

        @Override
        List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            return seq2seqOutputs(row, task, config);
        }
    },

    /** {@code ViTOnnxConfig} and the vision types built on it; DETR adds a pixel mask. */
    VISION(CacheSupport.NONE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            List<DynamicTensor> inputs = new ArrayList<>();
            inputs.add(input("pixel_values", axes(0, BATCH, 1, "num_channels", 2, "height", 3, "width")));
            if (row.pixelMask() == OnnxModelRow.PixelMask.INCLUDED) {
                inputs.add(input("pixel_mask", axes(0, BATCH)));
            }
            return inputs;
        }
    },

    /** {@code CLIPOnnxConfig} (CLIP, GroupViT, OWL-ViT): text and image in, similarity logits and embeddings out. */
    CONTRASTIVE_TEXT_AND_VISION(CacheSupport.NONE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            return List.of(
                    input("input_ids", axes(0, BATCH, 1, SEQUENCE)),
                    input("pixel_values", axes(0, BATCH, 1, "num_channels", 2, "height", 3, "width")),
                    input("attention_mask", axes(0, BATCH, 1, SEQUENCE)));
        }

        @Override
        List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            return List.of(
                    CommonOutputs.output("logits_per_image", 0, BATCH),
                    CommonOutputs.output("logits_per_text", 0, BATCH),
                    CommonOutputs.output("text_embeds", 0, BATCH),
                    CommonOutputs.output("image_embeds", 0, BATCH));
        }
    },

    /** {@code LayoutLMOnnxConfig}: tokens with their bounding boxes. */
    LAYOUT_TEXT(CacheSupport.NONE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            return List.of(
                    input("input_ids", axes(0, BATCH, 1, SEQUENCE)),
                    input("bbox", axes(0, BATCH, 1, SEQUENCE)),
                    input("attention_mask", axes(0, BATCH, 1, SEQUENCE)),
                    input("token_type_ids", axes(0, BATCH, 1, SEQUENCE)));
        }
    },

    /** {@code LayoutLMv3OnnxConfig}: tokens, boxes and the page image. */
    LAYOUT_TEXT_AND_VISION(CacheSupport.NONE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            // As Optimum v1.5.2: only these two tasks declare the image's height and width dynamic.
            Map<Integer, String> pixelAxes = task.task() == Task.SEQUENCE_CLASSIFICATION
                    || task.task() == Task.QUESTION_ANSWERING
                    ? axes(0, BATCH, 1, "num_channels", 2, "height", 3, "width")
                    : axes(0, BATCH, 1, "num_channels");
            return List.of(
                    input("input_ids", axes(0, BATCH, 1, SEQUENCE)),
                    input("attention_mask", axes(0, BATCH, 1, SEQUENCE)),
                    input("bbox", axes(0, BATCH, 1, SEQUENCE)),
                    input("pixel_values", pixelAxes));
        }
    },

    /**
     * {@code PerceiverOnnxConfig}: one input. Optimum v1.5.2 declares it as {@code inputs} but renames it while making
     * its dummy inputs, so the exported graph's input is {@code input_ids} (text tasks) or {@code pixel_values}.
     */
    PERCEIVER(CacheSupport.NONE) {
        @Override
        List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
            String name = task.task() == Task.MASKED_LM || task.task() == Task.SEQUENCE_CLASSIFICATION
                    ? "input_ids" : "pixel_values";
            return List.of(input(name, axes(0, BATCH, 1, SEQUENCE)));
        }
    };

    /** Whether the family derives from Optimum's {@code OnnxConfigWithPast}, which decides {@code use_cache}. */
    enum CacheSupport { NONE, CACHE }

    static final String BATCH = "batch_size";
    static final String SEQUENCE = "sequence_length";
    static final String ENCODER_SEQUENCE = "encoder_sequence_length";
    static final String DECODER_SEQUENCE = "decoder_sequence_length";
    static final String PAST_PLUS_SEQUENCE = "past_sequence_length + sequence_length";
    static final String PAST = "past_sequence_length";
    static final String PAST_PLUS_ONE = "past_sequence_length + 1";

    private final CacheSupport cacheSupport;

    OnnxFamily(CacheSupport cacheSupport) {
        this.cacheSupport = cacheSupport;
    }

    CacheSupport cacheSupport() {
        return cacheSupport;
    }

    /** The inputs in the order of Optimum's {@code inputs} dict, before the forward signature orders them. */
    abstract List<DynamicTensor> inputs(OnnxModelRow row, ExportTask task, ModelConfig config);

    /** The outputs in graph order: by default the task's common outputs. */
    List<DynamicTensor> outputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        return CommonOutputs.of(task.task());
    }

    /**
     * Whether Optimum's dummy inputs of a {@code -with-past} task feed one new token ({@code input_ids} of length 1,
     * the mask over the past plus one), as Optimum 1.10 does; Optimum 1.5.2 feeds a whole sequence.
     */
    boolean feedsOneStepToken() {
        return false;
    }

    /** Element type by input name, as Transformers' forward takes them: ids, masks and boxes int64, the rest float. */
    static ElementType inputElementType(String name) {
        if (name.equals("pixel_values") || name.equals("input_features")
                || name.equals("encoder_outputs")) {
            return ElementType.FLOAT;
        }
        return ElementType.INT64;
    }

    static DynamicTensor input(String name, Map<Integer, String> axes) {
        return new DynamicTensor(name, inputElementType(name), axes);
    }

    /**
     * Decoder-only cache, layer by layer: {@code past_key_values.<i>.key}, {@code .value} (or {@code present.…}), with
     * {@code batch_size} on axis 0 and the sequence axis named {@code sequenceAxis} on axis 2, exactly as Optimum
     * declares them. For BLOOM's {@code (batch × heads, head_dim, sequence)} key and
     * {@code (batch × heads, sequence, head_dim)} value those names sit on other dimensions than they say (axis 0 is
     * batch × heads; the value's axis 2 is the head width): the interface keeps Optimum's names, and the graph keeps
     * the real sequence axis dynamic, so any cache length runs (Optimum 1.5.2's own BLOOM graph pins it).
     */
    static List<DynamicTensor> decoderCache(Direction direction, int layers, String sequenceAxis) {
        List<DynamicTensor> cache = new ArrayList<>();
        for (CacheTensor tensor : CacheTensor.layers(direction, layers, List.of(Attention.SELF))) {
            cache.add(DynamicTensor.of(tensor, axes(0, BATCH, 2, sequenceAxis)));
        }
        return cache;
    }

    /**
     * Seq2seq cache, layer by layer: decoder self-attention key/value, then encoder (cross-attention) key/value, as
     * Optimum v1.5.2's {@code OnnxSeq2SeqConfigWithPast.add_past_key_values}.
     */
    static List<DynamicTensor> seq2seqCache(Direction direction, int layers) {
        String decoderAxis = direction == Direction.PAST ? "past_decoder_sequence_length"
                : "past_decoder_sequence_length + sequence_length";
        List<DynamicTensor> cache = new ArrayList<>();
        for (CacheTensor tensor : CacheTensor.layers(direction, layers,
                List.of(Attention.DECODER_SELF, Attention.ENCODER_CROSS))) {
            String axis = tensor.attention() == Attention.DECODER_SELF ? decoderAxis : "past_encoder_sequence_length";
            cache.add(DynamicTensor.of(tensor, axes(0, BATCH, 2, axis)));
        }
        return cache;
    }

    /**
     * The task's common outputs with every axis that names a sequence renamed to the encoder's or the decoder's
     * sequence, then the present cache: as Optimum v1.5.2's {@code OnnxSeq2SeqConfigWithPast.outputs}.
     */
    static List<DynamicTensor> seq2seqOutputs(OnnxModelRow row, ExportTask task, ModelConfig config) {
        List<DynamicTensor> outputs = new ArrayList<>();
        for (DynamicTensor common : CommonOutputs.of(task.task())) {
            String sequence = common.name().contains("encoder") ? ENCODER_SEQUENCE : DECODER_SEQUENCE;
            Map<Integer, String> renamed = new LinkedHashMap<>();
            common.dynamicAxes().forEach((index, name) -> renamed.put(index, name.contains("sequence") ? sequence : name));
            outputs.add(new DynamicTensor(common.name(), common.elementType(), renamed));
        }
        if (task.usesPast()) {
            outputs.addAll(seq2seqCache(Direction.PRESENT, row.layers(config)));
        }
        return outputs;
    }
}
