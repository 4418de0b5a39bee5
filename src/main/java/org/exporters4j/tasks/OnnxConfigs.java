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

/**
 * Optimum's ONNX configuration classes as templates for the rows of {@link ModelTypes}: the forward signatures of
 * the Transformers model classes, then one factory per Optimum base class (with its class attributes) or per model
 * type whose class overrides more than opset or tolerance. A row names its class and adds its differences as data.
 */
final class OnnxConfigs {
    private OnnxConfigs() {}

    // Forward signatures of the Transformers 4.25.1 model classes: leading parameters, up to the last that can carry
    // an exported input.
    static final ForwardSignature BERT_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "token_type_ids", "position_ids", "head_mask", "inputs_embeds");
    static final ForwardSignature DISTILBERT_FORWARD = ForwardSignature.of(
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
    /**
     * LlamaForCausalLM and its family (Transformers 4.51: Llama, Mistral, Qwen2/3, Gemma 1/2/3, Granite, ...): the
     * mask before positions and the cache.
     */
    static final ForwardSignature LLAMA_FORWARD = ForwardSignature.of(
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
    static OnnxModelRow bertOnnx(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_ENCODER, ConfigAttributes.TEXT, BERT_FORWARD)
                .atol(1e-4).tokenTypeIds(OnnxModelRow.TokenTypeIds.INCLUDED);
    }

    /** DistilBertOnnxConfig: input_ids, attention_mask; atol 1e-4. */
    static OnnxModelRow distilBertOnnx(String configClass, ForwardSignature forward) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_ENCODER, ConfigAttributes.TEXT, forward).atol(1e-4);
    }

    /** DebertaOnnxConfig: BERT's inputs without token_type_ids when type_vocab_size is 0; opset 12. */
    static OnnxModelRow debertaOnnx(String configClass) {
        return bertOnnx(configClass).opset(12).forward(DEBERTA_FORWARD)
                .tokenTypeIds(OnnxModelRow.TokenTypeIds.OMITTED_WHEN_TYPE_VOCAB_SIZE_IS_ZERO);
    }

    /** GPT-2's config names (GPT-J and CodeGen take them over): n_layer / n_head / n_embd. */
    private static final ConfigAttributes GPT2_ATTRIBUTES = ConfigAttributes.TEXT
            .with(NUM_LAYERS, "n_layer").with(NUM_ATTENTION_HEADS, "n_head").with(HIDDEN_SIZE, "n_embd");

    /**
     * GPT2OnnxConfig: opset 13, n_layer / n_head / n_embd, pad_token_id 0 when unset; in Optimum 1.25.3 a
     * {@code TextDecoderWithPositionIdsOnnxConfig} at opset 14 without the pad token override (GPT-J's and CodeGen's
     * classes subclass it unchanged: {@code optimum/exporters/onnx/model_configs.py}).
     */
    static OnnxModelRow gpt2Onnx(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_DECODER, GPT2_ATTRIBUTES, GPT2_FORWARD).opset(13)
                .padTokenOverride(OnnxModelRow.PadTokenOverride.ZERO_WHEN_UNSET)
                .todays(textDecoderWithPositionIdsOnnx(configClass, GPT2_ATTRIBUTES, GPT2_FORWARD).opset(14));
    }

    /** T5's config names: d_model, num_heads, d_kv, num_decoder_layers (default num_layers). */
    private static final ConfigAttributes T5_ATTRIBUTES = ConfigAttributes.TEXT
            .with(NUM_LAYERS, "num_decoder_layers", "num_layers").with(NUM_ATTENTION_HEADS, "num_heads")
            .with(HIDDEN_SIZE, "d_model").with(KEY_VALUE_DIM, "d_kv");

    /**
     * T5OnnxConfig: opset 13, atol 1e-5; in Optimum 1.25.3 opset 14 with its encoder/decoder split
     * ({@code model_configs.py:T5OnnxConfig}; MT5OnnxConfig and LongT5OnnxConfig subclass it).
     */
    static OnnxModelRow t5Onnx(String configClass) {
        return t5Onnx(configClass, 1e-5);
    }

    /** As {@link #t5Onnx(String)}, validated within {@code atol} in both layouts (MT5OnnxConfig: 1e-4). */
    static OnnxModelRow t5Onnx(String configClass, double atol) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_SEQ2SEQ, T5_ATTRIBUTES, SEQ2SEQ_FORWARD).opset(13)
                .atol(atol).todays(OnnxModelRow.of(configClass, OnnxFamily.TEXT_SEQ2SEQ_OPTIMUM_1_25_3,
                        T5_ATTRIBUTES, SEQ2SEQ_FORWARD).opset(14).atol(atol));
    }

    /** BART's config names: decoder_layers, decoder_attention_heads, d_model, eos_token_id. */
    private static final ConfigAttributes BART_ATTRIBUTES = ConfigAttributes.TEXT
            .with(NUM_LAYERS, "decoder_layers").with(NUM_ATTENTION_HEADS, "decoder_attention_heads")
            .with(HIDDEN_SIZE, "d_model").with(EOS_TOKEN_ID, "eos_token_id");

    /**
     * BartOnnxConfig: decoder_layers, decoder_attention_heads, d_model; EOS ends sequence-classification rows; in
     * Optimum 1.25.3 opset 14 with the encoder/decoder split ({@code model_configs.py:BartOnnxConfig}; mBART,
     * Marian, M2M-100, Blenderbot, Blenderbot-Small and BigBird-Pegasus subclass it or M2M100OnnxConfig).
     */
    static OnnxModelRow bartOnnx(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.BART_SEQ2SEQ, BART_ATTRIBUTES, SEQ2SEQ_FORWARD)
                .forward(Task.CAUSAL_LM, BART_CAUSAL_LM_FORWARD)
                .boundaryToken(OnnxModelRow.BoundaryToken.EOS_ENDS_EACH_ROW_FOR_SEQUENCE_CLASSIFICATION)
                .todays(OnnxModelRow.of(configClass, OnnxFamily.BART_SEQ2SEQ_OPTIMUM_1_25_3, BART_ATTRIBUTES,
                                SEQ2SEQ_FORWARD).forward(Task.CAUSAL_LM, BART_CAUSAL_LM_FORWARD)
                        .boundaryToken(OnnxModelRow.BoundaryToken.EOS_ENDS_EACH_ROW_FOR_SEQUENCE_CLASSIFICATION)
                        .opset(14));
    }

    /** ViTOnnxConfig: pixel_values; image_size, num_channels. */
    static OnnxModelRow vitOnnx(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.VISION, ConfigAttributes.VISION, VISION_FORWARD);
    }

    /** CLIPOnnxConfig: opset 14; vocabulary from text_config, image from vision_config. */
    static OnnxModelRow clipOnnx(String configClass, String textModelType, String visionModelType) {
        return OnnxModelRow.of(configClass, OnnxFamily.CONTRASTIVE_TEXT_AND_VISION, ConfigAttributes.TEXT
                        .withSubConfig("text_config", textModelType).withSubConfig("vision_config", visionModelType)
                        .with(VOCAB_SIZE, "text_config.vocab_size").with(IMAGE_SIZE, "vision_config.image_size")
                        .with(NUM_CHANNELS, "vision_config.num_channels"),
                CLIP_FORWARD).opset(14);
    }

    /**
     * Optimum 1.25.3's {@code TextDecoderWithPositionIdsOnnxConfig}: a decoder whose {@code feature-extraction} and
     * {@code text-generation} graphs (with and without past) also take {@code position_ids}; opset 11 and atol 1e-5
     * as Optimum 1.25.3's {@code OnnxConfig} until a subclass sets its own.
     */
    static OnnxModelRow textDecoderWithPositionIdsOnnx(String configClass, ConfigAttributes attributes,
                                                       ForwardSignature forward) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_DECODER_WITH_POSITION_IDS_OPTIMUM_1_25_3, attributes,
                forward);
    }

    /** Optimum 1.25.3's {@code TextDecoderOnnxConfig}: a decoder without a {@code position_ids} input. */
    static OnnxModelRow textDecoderOnnx(String configClass, ConfigAttributes attributes, ForwardSignature forward) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_DECODER_OPTIMUM_1_25_3, attributes, forward);
    }

    /**
     * LlamaOnnxConfig of Optimum 1.25.3 and the classes that take it over unchanged but for the name (Qwen2, Gemma,
     * Granite; OLMo's but for its tolerance; MistralOnnxConfig and Phi3OnnxConfig declare the same): {@code TextDecoderWithPositionIdsOnnxConfig} at opset 14, the
     * cache holding {@code num_key_value_heads} heads ({@code MistralDummyPastKeyValuesGenerator}) of
     * {@code head_dim} width where the configuration has one (Qwen2's has none: hidden size over heads).
     */
    static OnnxModelRow llamaOnnx(String configClass, HeadWidth headWidth) {
        ConfigAttributes attributes = ConfigAttributes.TEXT.with(NUM_KEY_VALUE_HEADS, "num_key_value_heads");
        if (headWidth == HeadWidth.FROM_HEAD_DIM) {
            attributes = attributes.with(KEY_VALUE_DIM, "head_dim");
        }
        return textDecoderWithPositionIdsOnnx(configClass, attributes, LLAMA_FORWARD).opset(14);
    }

    /** GPTNeoXForCausalLM and its heads (Transformers 4.51): positions before the cache. */
    private static final ForwardSignature GPT_NEOX_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "position_ids", "inputs_embeds", "head_mask", "past_key_values");
    /** FalconForCausalLM (Transformers 4.51): the cache before the mask and positions. */
    private static final ForwardSignature FALCON_FORWARD = ForwardSignature.of(
            "input_ids", "past_key_values", "attention_mask", "position_ids", "head_mask", "inputs_embeds");
    /** OPTForCausalLM and OPTModel (Transformers 4.51): position_ids after every other argument. */
    private static final ForwardSignature OPT_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "head_mask", "past_key_values", "inputs_embeds", "labels", "use_cache",
            "output_attentions", "output_hidden_states", "return_dict", "position_ids");

    /**
     * PhiOnnxConfig of Optimum 1.25.3: {@code TextDecoderWithPositionIdsOnnxConfig} at opset 14; the cache holds
     * {@code num_key_value_heads} heads (Optimum's own dummy cache, of {@code NormalizedTextConfig}, sizes it by the
     * query heads, which a grouped-query Phi checkpoint's graph does not take).
     */
    static OnnxModelRow phiOnnx() {
        return textDecoderWithPositionIdsOnnx("PhiOnnxConfig",
                ConfigAttributes.TEXT.with(NUM_KEY_VALUE_HEADS, "num_key_value_heads"), LLAMA_FORWARD).opset(14);
    }

    /** GPTNeoXOnnxConfig of Optimum 1.25.3: {@code TextDecoderWithPositionIdsOnnxConfig} at opset 14. */
    static OnnxModelRow gptNeoXOnnx() {
        return textDecoderWithPositionIdsOnnx("GPTNeoXOnnxConfig", ConfigAttributes.TEXT, GPT_NEOX_FORWARD).opset(14);
    }

    /**
     * OPTOnnxConfig of Optimum 1.25.3 with Transformers 4.46 and later: {@code TextDecoderWithPositionIdsOnnxConfig}
     * at opset 14, {@code position_ids} last as OPT's forward takes it.
     */
    static OnnxModelRow optOnnx() {
        return textDecoderWithPositionIdsOnnx("OPTOnnxConfig", ConfigAttributes.TEXT, OPT_FORWARD).opset(14);
    }

    /**
     * FalconOnnxConfig of Optimum 1.25.3: {@code TextDecoderOnnxConfig} at opset 14 with {@code position_ids} unless
     * {@code alibi}; the cache holds Transformers 4.51's Falcon heads
     * ({@link OnnxModelRow.CacheLayout#FALCON_BATCH_HEADS_SEQUENCE_HEAD_DIM}).
     */
    static OnnxModelRow falconOnnx() {
        return OnnxModelRow.of("FalconOnnxConfig", OnnxFamily.FALCON_OPTIMUM_1_25_3, ConfigAttributes.TEXT,
                FALCON_FORWARD).opset(14).cacheLayout(OnnxModelRow.CacheLayout.FALCON_BATCH_HEADS_SEQUENCE_HEAD_DIM);
    }

    /**
     * GPTBigCodeOnnxConfig of Optimum 1.25.3: {@code TextDecoderWithPositionIdsOnnxConfig} at opset 14 with GPT-2's
     * keys (n_layer, n_head, n_embd) and GPT-BigCode's one key/value cache tensor per layer.
     */
    static OnnxModelRow gptBigCodeOnnx() {
        return textDecoderWithPositionIdsOnnx("GPTBigCodeOnnxConfig", ConfigAttributes.TEXT
                        .with(NUM_LAYERS, "n_layer").with(NUM_ATTENTION_HEADS, "n_head").with(HIDDEN_SIZE, "n_embd"),
                GPT2_FORWARD).opset(14).cacheLayout(OnnxModelRow.CacheLayout.GPT_BIGCODE_FUSED_KEY_VALUE);
    }

    /** Where a decoder's head width comes from. */
    enum HeadWidth { FROM_HEAD_DIM, HIDDEN_SIZE_OVER_HEADS }

    /** XLMOnnxConfig: BERT's inputs in XLM's forward order. */
    static OnnxModelRow xlmOnnx() {
        return bertOnnx("XLMOnnxConfig").forward(XLM_FORWARD);
    }

    /** FlaubertOnnxConfig: DistilBERT's inputs in XLM's forward order. */
    static OnnxModelRow flaubertOnnx() {
        return distilBertOnnx("FlaubertOnnxConfig", XLM_FORWARD);
    }

    /** GPTJOnnxConfig: GPT-2's; GPTJForQuestionAnswering takes no cache. */
    static OnnxModelRow gptjOnnx() {
        return gpt2Onnx("GPTJOnnxConfig").forward(Task.QUESTION_ANSWERING, GPTJ_QUESTION_ANSWERING_FORWARD)
                .todays(textDecoderWithPositionIdsOnnx("GPTJOnnxConfig", GPT2_ATTRIBUTES, GPT2_FORWARD).opset(14)
                        .forward(Task.QUESTION_ANSWERING, GPTJ_QUESTION_ANSWERING_FORWARD));
    }

    /**
     * GPTNeoOnnxConfig: a text decoder with num_layers / num_heads; opset 13. Optimum 1.25.3's is a
     * {@code TextDecoderWithPositionIdsOnnxConfig} at opset 14 ({@code optimum/exporters/onnx/model_configs.py}),
     * whose graph mirrors Transformers 4.51's masks (fixtures-layout's gpt-neo--*, left-padded prompts).
     */
    static OnnxModelRow gptNeoOnnx() {
        ConfigAttributes attributes = ConfigAttributes.TEXT.with(NUM_LAYERS, "num_layers")
                .with(NUM_ATTENTION_HEADS, "num_heads");
        return OnnxModelRow.of("GPTNeoOnnxConfig", OnnxFamily.TEXT_DECODER, attributes, GPT2_FORWARD).opset(13)
                .todays(textDecoderWithPositionIdsOnnx("GPTNeoOnnxConfig", attributes, GPT2_FORWARD).opset(14));
    }

    /**
     * BloomOnnxConfig: n_layer / n_head; key and value caches fuse batch and heads. Optimum 1.25.3's is a
     * {@code TextDecoderOnnxConfig} (no position_ids: ALiBi) at opset 14 whose cache is 4-D
     * {@code (batch, heads, past, head_dim)} with Transformers 4.44 and later
     * ({@code model_configs.py:BloomOnnxConfig.add_past_key_values}; fixtures-layout's bloom--*).
     */
    static OnnxModelRow bloomOnnx() {
        ConfigAttributes attributes = ConfigAttributes.TEXT.with(NUM_LAYERS, "n_layer")
                .with(NUM_ATTENTION_HEADS, "n_head");
        return OnnxModelRow.of("BloomOnnxConfig", OnnxFamily.TEXT_DECODER, attributes, BLOOM_FORWARD)
                .cacheLayout(OnnxModelRow.CacheLayout.BLOOM_FUSED_BATCH_AND_HEADS)
                .todays(textDecoderOnnx("BloomOnnxConfig", attributes, BLOOM_FORWARD).opset(14));
    }

    /** DetrOnnxConfig: ViT's pixel_values plus pixel_mask; opset 12. */
    static OnnxModelRow detrOnnx() {
        return vitOnnx("DetrOnnxConfig").opset(12).forward(DETR_FORWARD).pixelMask(OnnxModelRow.PixelMask.INCLUDED);
    }

    /** LayoutLMOnnxConfig: BERT's inputs plus bbox. */
    static OnnxModelRow layoutLmOnnx() {
        return OnnxModelRow.of("LayoutLMOnnxConfig", OnnxFamily.LAYOUT_TEXT, ConfigAttributes.TEXT, LAYOUTLM_FORWARD);
    }

    /** LayoutLMv3OnnxConfig: text, boxes and page image; opset 12; each headed class orders its inputs. */
    static OnnxModelRow layoutLmV3Onnx() {
        return OnnxModelRow.of("LayoutLMv3OnnxConfig", OnnxFamily.LAYOUT_TEXT_AND_VISION,
                        ConfigAttributes.TEXT.with(IMAGE_SIZE, "input_size").with(NUM_CHANNELS, "num_channels"),
                        LAYOUTLMV3_FORWARD).opset(12)
                .forward(Task.TOKEN_CLASSIFICATION, LAYOUTLMV3_TOKEN_CLASSIFICATION_FORWARD)
                .forward(Task.SEQUENCE_CLASSIFICATION, LAYOUTLMV3_SEQUENCE_CLASSIFICATION_FORWARD)
                .forward(Task.QUESTION_ANSWERING, LAYOUTLMV3_QUESTION_ANSWERING_FORWARD);
    }

    /** PerceiverOnnxConfig: text or image input named {@code inputs}, by task. */
    static OnnxModelRow perceiverOnnx() {
        return OnnxModelRow.of("PerceiverOnnxConfig", OnnxFamily.PERCEIVER,
                        ConfigAttributes.TEXT.with(IMAGE_SIZE, "image_size"), PERCEIVER_TEXT_FORWARD)
                .forward(Task.IMAGE_CLASSIFICATION, PERCEIVER_IMAGE_FORWARD);
    }

    /** Wav2Vec2Model, HubertModel, WavLMModel and their heads (Transformers 4.51). */
    private static final ForwardSignature AUDIO_FORWARD = ForwardSignature.of("input_values", "attention_mask");

    /** Optimum 1.25.3's AudioOnnxConfig and the classes on it (Wav2Vec2OnnxConfig, ...): input_values; opset 14. */
    static OnnxModelRow audioOnnx(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.AUDIO_OPTIMUM_1_25_3, ConfigAttributes.TEXT, AUDIO_FORWARD)
                .opset(14);
    }

    /** WhisperOnnxConfig: log-mel features in, decoder cache; atol 1e-3. */
    static OnnxModelRow whisperOnnx() {
        ConfigAttributes attributes = ConfigAttributes.TEXT
                .with(NUM_LAYERS, "decoder_layers").with(NUM_ATTENTION_HEADS, "decoder_attention_heads")
                .with(HIDDEN_SIZE, "d_model").with(NUM_MEL_BINS, "num_mel_bins")
                .with(MAX_SOURCE_POSITIONS, "max_source_positions");
        // Optimum 1.25.3's WhisperOnnxConfig: opset 14, atol 1e-3, the encoder/decoder split
        return OnnxModelRow.of("WhisperOnnxConfig", OnnxFamily.SPEECH_SEQ2SEQ, attributes, WHISPER_FORWARD).atol(1e-3)
                .todays(OnnxModelRow.of("WhisperOnnxConfig", OnnxFamily.SPEECH_SEQ2SEQ_OPTIMUM_1_25_3, attributes,
                        WHISPER_FORWARD).opset(14).atol(1e-3));
    }

    // Optimum 1.25.3's classes of today's encoders and vision models (its interface: see OnnxFamily's *_OPTIMUM_1_25_3).

    /** MPNetModel and its heads (Transformers 4.51): no token types. */
    private static final ForwardSignature MPNET_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "position_ids", "inputs_embeds");
    /** ModernBertModel and its heads (Transformers 4.51): the mask, then its own sliding-window mask argument. */
    private static final ForwardSignature MODERNBERT_FORWARD = ForwardSignature.of(
            "input_ids", "attention_mask", "sliding_window_mask", "position_ids", "inputs_embeds");
    /** SiglipModel (Transformers 4.51). */
    private static final ForwardSignature SIGLIP_FORWARD = ForwardSignature.of(
            "input_ids", "pixel_values", "attention_mask", "position_ids");
    private static final ForwardSignature PIXELS_FORWARD = ForwardSignature.of("pixel_values");

    /** Optimum 1.25.3's DistilBertOnnxConfig and the encoders on it: input_ids, attention_mask; atol 1e-4. */
    static OnnxModelRow distilBertOnnxToday(String configClass, ForwardSignature forward) {
        return OnnxModelRow.of(configClass, OnnxFamily.TEXT_ENCODER_OPTIMUM_1_25_3, ConfigAttributes.TEXT, forward)
                .atol(1e-4);
    }

    /** Optimum 1.25.3's MPNetOnnxConfig: DistilBertOnnxConfig at opset 12. */
    static OnnxModelRow mpnetOnnx() {
        return distilBertOnnxToday("MPNetOnnxConfig", MPNET_FORWARD).opset(12);
    }

    /** Optimum 1.25.3's ModernBertOnnxConfig: DistilBertOnnxConfig at opset 14. */
    static OnnxModelRow modernBertOnnx() {
        return distilBertOnnxToday("ModernBertOnnxConfig", MODERNBERT_FORWARD).opset(14);
    }

    /** Optimum 1.25.3's SiglipOnnxConfig: vocabulary from text_config, image from vision_config; opset 14. */
    static OnnxModelRow siglipOnnx() {
        return OnnxModelRow.of("SiglipOnnxConfig", OnnxFamily.CONTRASTIVE_TEXT_AND_VISION_OPTIMUM_1_25_3,
                ConfigAttributes.TEXT.withSubConfig("text_config", "siglip_text_model")
                        .withSubConfig("vision_config", "siglip_vision_model")
                        .with(VOCAB_SIZE, "text_config.vocab_size").with(IMAGE_SIZE, "vision_config.image_size")
                        .with(NUM_CHANNELS, "vision_config.num_channels"), SIGLIP_FORWARD).opset(14);
    }

    /** Optimum 1.25.3's ViTOnnxConfig and the vision classes on it: pixel_values; image_size, num_channels. */
    static OnnxModelRow vitOnnxToday(String configClass) {
        return OnnxModelRow.of(configClass, OnnxFamily.VISION_OPTIMUM_1_25_3, ConfigAttributes.VISION, PIXELS_FORWARD);
    }

    /**
     * Optimum 1.25.3's DetrOnnxConfig: ViTOnnxConfig's pixel_values alone (no pixel_mask, which v1.5.2's class
     * declared with a "TODO: is pixel mask needed?"); its own outputs for image segmentation; opset 12.
     */
    static OnnxModelRow detrOnnxToday() {
        return vitOnnxToday("DetrOnnxConfig").opset(12);
    }

    /** SamModel's forward as Optimum 1.25.3's SAMModelPatcher calls it: pixels, prompts, then the image's embeddings. */
    private static final ForwardSignature SAM_FORWARD = ForwardSignature.of(
            "pixel_values", "input_points", "input_labels", "image_embeddings", "image_positional_embeddings");

    /**
     * Optimum 1.25.3's SamOnnxConfig (variant split): the prompt encoder and mask decoder's interface, and the
     * vision encoder beside it; image size and channels from vision_config; opset 13.
     */
    static OnnxModelRow samOnnx() {
        return OnnxModelRow.of("SamOnnxConfig", OnnxFamily.SAM_OPTIMUM_1_25_3,
                ConfigAttributes.VISION.withSubConfig("vision_config", "sam_vision_model")
                        .withSubConfig("prompt_encoder_config", "sam_prompt_encoder")
                        .withSubConfig("mask_decoder_config", "sam_mask_decoder")
                        .with(IMAGE_SIZE, "vision_config.image_size").with(NUM_CHANNELS, "vision_config.num_channels"),
                SAM_FORWARD).opset(13);
    }
}
