package org.exporters4j.tasks;

import static org.exporters4j.tasks.ConfigAttribute.EOS_TOKEN_ID;
import static org.exporters4j.tasks.ConfigAttribute.HIDDEN_SIZE;
import static org.exporters4j.tasks.ConfigAttribute.IMAGE_SIZE;
import static org.exporters4j.tasks.ConfigAttribute.KEY_VALUE_DIM;
import static org.exporters4j.tasks.ConfigAttribute.MAX_SOURCE_POSITIONS;
import static org.exporters4j.tasks.ConfigAttribute.NUM_ATTENTION_HEADS;
import static org.exporters4j.tasks.ConfigAttribute.NUM_CHANNELS;
import static org.exporters4j.tasks.ConfigAttribute.NUM_KEY_VALUE_HEADS;
import static org.exporters4j.tasks.ConfigAttribute.NUM_LAYERS;
import static org.exporters4j.tasks.ConfigAttribute.NUM_MEL_BINS;
import static org.exporters4j.tasks.ConfigAttribute.VOCAB_SIZE;

import java.util.ArrayList;
import java.util.List;

/**
 * The model types Optimum v1.5.2 exports to ONNX ({@code TasksManager._SUPPORTED_MODEL_TYPE}, backend {@code onnx}),
 * then the decoders Optimum registered later (llama, mistral, qwen2; {@link RegistrySource}):
 * one row per model type with its tasks in Optimum's order, and the configuration its Optimum class gives, written as
 * a family plus this type's differences. Rows keep Optimum's order of model types (the order of its registry,
 * which {@code tasks --json} reproduces), not a strict alphabetical one.
 */
final class OnnxModelTypes {
    private OnnxModelTypes() {}

    // Forward signatures of the Transformers 4.25.1 model classes: leading parameters, up to the last that can carry
    // an exported input.
    private static final ForwardSignature BERT_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "token_type_ids", "position_ids", "head_mask", "inputs_embeds");
    private static final ForwardSignature DISTILBERT_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "head_mask", "inputs_embeds");
    private static final ForwardSignature XLM_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "langs", "token_type_ids", "position_ids", "lengths", "cache", "head_mask",
            "inputs_embeds");
    private static final ForwardSignature DEBERTA_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "token_type_ids", "position_ids", "inputs_embeds");
    private static final ForwardSignature GPT2_FORWARD = ForwardSignature.of(
            "input_ids", "past_key_values", "attention_mask", "token_type_ids", "position_ids", "head_mask",
            "inputs_embeds");
    /** GPTJForQuestionAnswering takes no cache. */
    private static final ForwardSignature GPTJ_QUESTION_ANSWERING_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "token_type_ids", "position_ids", "head_mask", "inputs_embeds");
    private static final ForwardSignature BLOOM_FORWARD = ForwardSignature.of(
            "input_ids", "past_key_values", "attention_mask", "head_mask", "inputs_embeds");
    /** LlamaForCausalLM and its family (Transformers 4.31+): the mask before positions and the cache. */
    private static final ForwardSignature LLAMA_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "position_ids", "past_key_values", "inputs_embeds");
    private static final ForwardSignature SEQ2SEQ_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", "head_mask",
            "decoder_head_mask", "cross_attn_head_mask", "encoder_outputs", "past_key_values", "inputs_embeds",
            "decoder_inputs_embeds");
    /** BartForCausalLM and the other *ForCausalLM decoders of the BART family. */
    private static final ForwardSignature BART_CAUSAL_LM_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "encoder_hidden_states", "encoder_attention_mask", "head_mask",
            "cross_attn_head_mask", "past_key_values", "inputs_embeds");
    private static final ForwardSignature WHISPER_FORWARD = ForwardSignature.of(
            "input_features", "decoder_input_ids", "decoder_attention_mask", "head_mask", "decoder_head_mask",
            "cross_attn_head_mask", "encoder_outputs", "past_key_values", "decoder_inputs_embeds");
    private static final ForwardSignature VISION_FORWARD = ForwardSignature.of("pixel_values");
    private static final ForwardSignature DETR_FORWARD = ForwardSignature.of(
            "pixel_values", "pixel_mask", "decoder_attention_mask", "encoder_outputs", "inputs_embeds",
            "decoder_inputs_embeds");
    private static final ForwardSignature CLIP_FORWARD = ForwardSignature.of(
            "input_ids", "pixel_values", "attention_mask", "position_ids");
    private static final ForwardSignature LAYOUTLM_FORWARD = ForwardSignature.of(
            "input_ids", "bbox", "attention_mask", "token_type_ids", "position_ids", "head_mask", "inputs_embeds");
    /** LayoutLMv3Model; ForTokenClassification has labels and output flags before pixel_values. */
    private static final ForwardSignature LAYOUTLMV3_FORWARD = ForwardSignature.of(
            "input_ids", "bbox", "attention_mask", "token_type_ids", "position_ids", "head_mask", "inputs_embeds",
            "pixel_values");
    private static final ForwardSignature LAYOUTLMV3_TOKEN_CLASSIFICATION_FORWARD = ForwardSignature.of(
            "input_ids", "bbox", "attention_mask", "token_type_ids", "position_ids", "head_mask", "inputs_embeds",
            "labels", "output_attentions", "output_hidden_states", "return_dict", "pixel_values");
    /** LayoutLMv3ForSequenceClassification: bbox and pixel_values come last. */
    private static final ForwardSignature LAYOUTLMV3_SEQUENCE_CLASSIFICATION_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "token_type_ids", "position_ids", "head_mask", "inputs_embeds", "labels",
            "output_attentions", "output_hidden_states", "return_dict", "bbox", "pixel_values");
    /** LayoutLMv3ForQuestionAnswering: bbox and pixel_values come last. */
    private static final ForwardSignature LAYOUTLMV3_QUESTION_ANSWERING_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "token_type_ids", "position_ids", "head_mask", "inputs_embeds",
            "start_positions", "end_positions", "output_attentions", "output_hidden_states", "return_dict", "bbox",
            "pixel_values");
    /** PerceiverForMaskedLM / ForSequenceClassification: the deprecated input_ids alias comes last. */
    private static final ForwardSignature PERCEIVER_TEXT_FORWARD = ForwardSignature.of(
            "inputs", "attention_mask", "head_mask", "output_attentions", "output_hidden_states", "labels",
            "return_dict", "input_ids");
    /** PerceiverForImageClassificationLearned: the pixel_values alias comes last. */
    private static final ForwardSignature PERCEIVER_IMAGE_FORWARD = ForwardSignature.of(
            "inputs", "attention_mask", "head_mask", "output_attentions", "output_hidden_states", "labels",
            "return_dict", "pixel_values");

    // Family templates: Optimum's base classes with their class attributes.

    /** BertOnnxConfig: input_ids, attention_mask, token_type_ids; atol 1e-4. */
    private static OnnxModelRow bert(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_ENCODER, ConfigAttributes.TEXT, BERT_FORWARD)
                .atol(1e-4).tokenTypeIds(OnnxModelRow.TokenTypeIds.INCLUDED);
    }

    /** DistilBertOnnxConfig: input_ids, attention_mask; atol 1e-4. */
    private static OnnxModelRow distilBert(String configClass, ForwardSignature forward) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_ENCODER, ConfigAttributes.TEXT, forward).atol(1e-4);
    }

    /** DebertaOnnxConfig: BERT's inputs without token_type_ids when type_vocab_size is 0; opset 12. */
    private static OnnxModelRow deberta(String configClass) {
        return bert(configClass).opset(12).forward(DEBERTA_FORWARD)
                .tokenTypeIds(OnnxModelRow.TokenTypeIds.OMITTED_WHEN_TYPE_VOCAB_SIZE_IS_ZERO);
    }

    /** GPT2OnnxConfig: opset 13, n_layer / n_head / n_embd, pad_token_id 0 when unset. */
    private static OnnxModelRow gpt2(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_DECODER, ConfigAttributes.TEXT
                        .with(NUM_LAYERS, "n_layer").with(NUM_ATTENTION_HEADS, "n_head").with(HIDDEN_SIZE, "n_embd"),
                GPT2_FORWARD).opset(13).padTokenOverride(OnnxModelRow.PadTokenOverride.ZERO_WHEN_UNSET);
    }

    /** T5OnnxConfig: opset 13; d_model, num_heads, d_kv, num_decoder_layers (default num_layers). */
    private static OnnxModelRow t5(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_SEQ2SEQ, ConfigAttributes.TEXT
                        .with(NUM_LAYERS, "num_decoder_layers", "num_layers").with(NUM_ATTENTION_HEADS, "num_heads")
                        .with(HIDDEN_SIZE, "d_model").with(KEY_VALUE_DIM, "d_kv"),
                SEQ2SEQ_FORWARD).opset(13);
    }

    /** BartOnnxConfig: decoder_layers, decoder_attention_heads, d_model; EOS ends sequence-classification rows. */
    private static OnnxModelRow bart(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.BART_SEQ2SEQ, ConfigAttributes.TEXT
                        .with(NUM_LAYERS, "decoder_layers").with(NUM_ATTENTION_HEADS, "decoder_attention_heads")
                        .with(HIDDEN_SIZE, "d_model").with(EOS_TOKEN_ID, "eos_token_id"),
                SEQ2SEQ_FORWARD).forward(Task.CAUSAL_LM, BART_CAUSAL_LM_FORWARD)
                .boundaryToken(OnnxModelRow.BoundaryToken.EOS_ENDS_EACH_ROW_FOR_SEQUENCE_CLASSIFICATION);
    }

    /** ViTOnnxConfig: pixel_values; image_size, num_channels. */
    private static OnnxModelRow vit(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.VISION, ConfigAttributes.VISION, VISION_FORWARD);
    }

    /** CLIPOnnxConfig: opset 14; vocabulary from text_config, image from vision_config. */
    private static OnnxModelRow clip(String configClass, String textModelType, String visionModelType) {
        return OnnxModelRow.of(configClass, OnnxFamily.CONTRASTIVE_TEXT_AND_VISION, ConfigAttributes.TEXT
                        .withSubConfig("text_config", textModelType).withSubConfig("vision_config", visionModelType)
                        .with(VOCAB_SIZE, "text_config.vocab_size").with(IMAGE_SIZE, "vision_config.image_size")
                        .with(NUM_CHANNELS, "vision_config.num_channels"),
                CLIP_FORWARD).opset(14);
    }

    /**
     * LlamaOnnxConfig of Optimum 1.10.1 ({@code TextDecoderOnnxConfig}, opset 13, atol 1e-5), with the cache sized by
     * {@code num_key_value_heads} (Optimum 1.10.1 sized it by the query heads, and its with-past export of a
     * grouped-query model fails). Mistral and Qwen2 take the same configuration; the head width comes from
     * {@code head_dim} where the configuration has one (Qwen2's has none: hidden size over heads).
     */
    private static OnnxModelRow llama(String configClass, HeadWidth headWidth) {
        ConfigAttributes attributes = ConfigAttributes.TEXT.with(NUM_KEY_VALUE_HEADS, "num_key_value_heads");
        if (headWidth == HeadWidth.FROM_HEAD_DIM) {
            attributes = attributes.with(KEY_VALUE_DIM, "head_dim");
        }
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_DECODER_OPTIMUM_1_10, attributes, LLAMA_FORWARD).opset(13);
    }

    /** Where a decoder's head width comes from. */
    private enum HeadWidth { FROM_HEAD_DIM, HIDDEN_SIZE_OVER_HEADS }

    private static final List<ModelTypeRegistry.Row> ROWS = rows(
            onnx("albert", bert("AlbertOnnxConfig"),
                    "default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification",
                    "question-answering"),
            onnx("bart", bart("BartOnnxConfig"),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "seq2seq-lm",
                    "seq2seq-lm-with-past", "sequence-classification", "question-answering"),
            // BEiT cannot be loaded with the masked-image-modeling auto class, so Optimum leaves masked-im out.
            onnx("beit", vit("BeitOnnxConfig"),
                    "default", "image-classification"),
            onnx("bert", bert("BertOnnxConfig"),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"),
            onnx("big-bird", distilBert("BigBirdOnnxConfig", BERT_FORWARD),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"),
            onnx("bigbird-pegasus", bart("BigBirdPegasusOnnxConfig"),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "seq2seq-lm",
                    "seq2seq-lm-with-past", "sequence-classification", "question-answering"),
            onnx("blenderbot", bart("BlenderbotOnnxConfig"),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "seq2seq-lm",
                    "seq2seq-lm-with-past"),
            onnx("blenderbot-small", bart("BlenderbotSmallOnnxConfig"),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "seq2seq-lm",
                    "seq2seq-lm-with-past"),
            onnx("bloom", OnnxModelRow.of("BloomOnnxConfig", OnnxFamily.TEXT_DECODER, ConfigAttributes.TEXT
                                    .with(NUM_LAYERS, "n_layer").with(NUM_ATTENTION_HEADS, "n_head"), BLOOM_FORWARD)
                            .cacheLayout(OnnxModelRow.CacheLayout.BLOOM_FUSED_BATCH_AND_HEADS),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification",
                    "token-classification"),
            onnx("camembert", distilBert("CamembertOnnxConfig", BERT_FORWARD),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"),
            onnx("clip", clip("CLIPOnnxConfig", "clip_text_model", "clip_vision_model"),
                    "default"),
            onnx("codegen", gpt2("CodeGenOnnxConfig"),
                    "default", "causal-lm"),
            onnx("convbert", bert("ConvBertOnnxConfig"),
                    "default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification",
                    "question-answering"),
            onnx("convnext", vit("ConvNextOnnxConfig"),
                    "default", "image-classification"),
            onnx("data2vec-text", distilBert("Data2VecTextOnnxConfig", BERT_FORWARD),
                    "default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification",
                    "question-answering"),
            onnx("data2vec-vision", vit("Data2VecVisionOnnxConfig"),
                    "default", "image-classification"),
            onnx("deberta", deberta("DebertaOnnxConfig"),
                    "default", "masked-lm", "sequence-classification", "token-classification", "question-answering"),
            onnx("deberta-v2", deberta("DebertaV2OnnxConfig"),
                    "default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification",
                    "question-answering"),
            onnx("deit", vit("DeiTOnnxConfig"),
                    "default", "image-classification", "masked-im"),
            onnx("detr", vit("DetrOnnxConfig").opset(12).forward(DETR_FORWARD)
                            .pixelMask(OnnxModelRow.PixelMask.INCLUDED),
                    "default", "object-detection", "image-segmentation"),
            onnx("distilbert", distilBert("DistilBertOnnxConfig", DISTILBERT_FORWARD),
                    "default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification",
                    "question-answering"),
            onnx("electra", bert("ElectraOnnxConfig"),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"),
            onnx("flaubert", distilBert("FlaubertOnnxConfig", XLM_FORWARD),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"),
            onnx("gpt2", gpt2("GPT2OnnxConfig"),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification",
                    "token-classification"),
            onnx("gptj", gpt2("GPTJOnnxConfig").forward(Task.QUESTION_ANSWERING, GPTJ_QUESTION_ANSWERING_FORWARD),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "question-answering",
                    "sequence-classification"),
            onnx("gpt-neo", OnnxModelRow.of("GPTNeoOnnxConfig", OnnxFamily.TEXT_DECODER, ConfigAttributes.TEXT
                                    .with(NUM_LAYERS, "num_layers").with(NUM_ATTENTION_HEADS, "num_heads"), GPT2_FORWARD)
                            .opset(13),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification"),
            onnx("groupvit", clip("GroupViTOnnxConfig", "groupvit_text_model", "groupvit_vision_model"),
                    "default"),
            onnx("ibert", distilBert("IBertOnnxConfig", BERT_FORWARD),
                    "default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification",
                    "question-answering"),
            onnx("layoutlm", OnnxModelRow.of("LayoutLMOnnxConfig", OnnxFamily.LAYOUT_TEXT, ConfigAttributes.TEXT,
                            LAYOUTLM_FORWARD),
                    "default", "masked-lm", "sequence-classification", "token-classification"),
            onnx("layoutlmv3", OnnxModelRow.of("LayoutLMv3OnnxConfig", OnnxFamily.LAYOUT_TEXT_AND_VISION,
                                    ConfigAttributes.TEXT.with(IMAGE_SIZE, "input_size").with(NUM_CHANNELS, "num_channels"),
                                    LAYOUTLMV3_FORWARD).opset(12)
                            .forward(Task.TOKEN_CLASSIFICATION, LAYOUTLMV3_TOKEN_CLASSIFICATION_FORWARD)
                            .forward(Task.SEQUENCE_CLASSIFICATION, LAYOUTLMV3_SEQUENCE_CLASSIFICATION_FORWARD)
                            .forward(Task.QUESTION_ANSWERING, LAYOUTLMV3_QUESTION_ANSWERING_FORWARD),
                    "default", "question-answering", "sequence-classification", "token-classification"),
            onnx("levit", vit("LevitOnnxConfig"),
                    "default", "image-classification"),
            onnx("longt5", t5("LongT5OnnxConfig"),
                    "default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past"),
            onnx("marian", bart("MarianOnnxConfig"),
                    "default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past", "causal-lm",
                    "causal-lm-with-past"),
            onnx("mbart", bart("MBartOnnxConfig"),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "seq2seq-lm",
                    "seq2seq-lm-with-past", "sequence-classification", "question-answering"),
            onnx("mobilebert", bert("MobileBertOnnxConfig"),
                    "default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification",
                    "question-answering"),
            onnx("mobilevit", vit("MobileViTOnnxConfig"),
                    "default", "image-classification"),
            onnx("mt5", t5("MT5OnnxConfig").atol(1e-4),
                    "default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past"),
            onnx("m2m-100", bart("M2M100OnnxConfig"),
                    "default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past"),
            onnx("owlvit", clip("OwlViTOnnxConfig", "owlvit_text_model", "owlvit_vision_model"),
                    "default"),
            onnx("perceiver", OnnxModelRow.of("PerceiverOnnxConfig", OnnxFamily.PERCEIVER,
                                    ConfigAttributes.TEXT.with(IMAGE_SIZE, "image_size"), PERCEIVER_TEXT_FORWARD)
                            .forward(Task.IMAGE_CLASSIFICATION, PERCEIVER_IMAGE_FORWARD),
                    "masked-lm", "image-classification", "sequence-classification"),
            onnx("resnet", vit("ResNetOnnxConfig").atol(1e-3),
                    "default", "image-classification"),
            onnx("roberta", distilBert("RobertaOnnxConfig", BERT_FORWARD),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"),
            onnx("roformer", bert("RoFormerOnnxConfig"),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "token-classification",
                    "multiple-choice", "question-answering"),
            onnx("segformer", vit("SegformerOnnxConfig").opset(12),
                    "default", "image-classification", "semantic-segmentation"),
            onnx("squeezebert", bert("SqueezeBertOnnxConfig"),
                    "default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification",
                    "question-answering"),
            onnx("t5", t5("T5OnnxConfig"),
                    "default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past"),
            onnx("vit", vit("ViTOnnxConfig"),
                    "default", "image-classification", "masked-im"),
            onnx("whisper", OnnxModelRow.of("WhisperOnnxConfig", OnnxFamily.SPEECH_SEQ2SEQ, ConfigAttributes.TEXT
                                    .with(NUM_LAYERS, "decoder_layers").with(NUM_ATTENTION_HEADS, "decoder_attention_heads")
                                    .with(HIDDEN_SIZE, "d_model").with(NUM_MEL_BINS, "num_mel_bins")
                                    .with(MAX_SOURCE_POSITIONS, "max_source_positions"), WHISPER_FORWARD)
                            .atol(1e-3),
                    "default", "default-with-past", "speech2seq-lm", "speech2seq-lm-with-past"),
            onnx("xlm", bert("XLMOnnxConfig").forward(XLM_FORWARD),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"),
            onnx("xlm-roberta", distilBert("XLMRobertaOnnxConfig", BERT_FORWARD),
                    "default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"),
            onnx("yolos", vit("YolosOnnxConfig").opset(12),
                    "default", "object-detection"),
            // After Optimum v1.5.2: llama as Optimum 1.10.1 registers it; mistral and qwen2 with today's Optimum
            // task lists, on the same configuration.
            later("llama", llama("LlamaOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification"),
            later("mistral", llama("MistralOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification"),
            later("qwen2", llama("Qwen2OnnxConfig", HeadWidth.HIDDEN_SIZE_OVER_HEADS),
                    "default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification",
                    "token-classification"));

    /** The rows of the ONNX backend, in Optimum's order. */
    static List<ModelTypeRegistry.Row> rows() {
        return ROWS;
    }

    private static ModelTypeRegistry.Row onnx(String modelType, OnnxModelRow configuration, String... tasks) {
        return row(modelType, configuration, RegistrySource.OPTIMUM_1_5_2, tasks);
    }

    private static ModelTypeRegistry.Row later(String modelType, OnnxModelRow configuration, String... tasks) {
        return row(modelType, configuration, RegistrySource.LATER_OPTIMUM, tasks);
    }

    private static ModelTypeRegistry.Row row(String modelType, OnnxModelRow configuration, RegistrySource source,
            String... tasks) {
        List<ExportTask> parsed = new ArrayList<>();
        for (String task : tasks) {
            ExportTask exportTask = TaskNames.parse(task);
            if (!exportTask.name().equals(task)) {
                throw new IllegalStateException(modelType + ": registry rows use canonical task names, not " + task);
            }
            parsed.add(exportTask);
        }
        return new ModelTypeRegistry.Row(modelType, Exporter.ONNX, configuration, parsed, source);
    }

    private static List<ModelTypeRegistry.Row> rows(ModelTypeRegistry.Row... rows) {
        return List.of(rows);
    }
}
