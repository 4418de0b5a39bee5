package org.exporters4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The defaults and {@code attribute_map} of each Transformers configuration class, keyed by {@code model_type}
 * in Transformers' spelling ({@code gpt_neo}, {@code blenderbot-small}). Values mirror what the class's
 * {@code __init__} stores when called without arguments (Transformers 4.25.1 for the Optimum v1.5.2 types; the
 * version that introduced the type, plus the attributes later versions added, for llama, mistral and qwen2).
 *
 * <p>A row holds the attribute values of a default-constructed configuration ({@code T5Config().num_decoder_layers}
 * is 6). Where {@code __init__} computes an attribute from others ({@code num_decoder_layers = num_layers} when
 * None), the row also names that {@link Derivation}, so a config file that omits the attribute (or stores None)
 * resolves it from the file's own values, as Transformers does.
 *
 * <p>One row per model type, sorted; the builder rejects duplicates. {@link #COMMON} holds what every
 * {@code PretrainedConfig} defines.
 */
final class ConfigDefaults {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How a configuration class computes an attribute from its other attributes. {@code rule} reads the config's
     * other keys through the resolver it is given (file, then derivation, then default) and returns null when they
     * do not allow it.
     */
    record Derivation(Applies applies, Function<Function<String, JsonNode>, JsonNode> rule) {
        /** When Transformers computes the value instead of taking it from the config file. */
        enum Applies {
            /** Not an {@code __init__} argument: always computed, so a saved file repeats the computed value. */
            ALWAYS_COMPUTED,
            /** An argument defaulting to None that stands for the computed value. */
            WHEN_ABSENT_OR_NONE,
            /** An argument with a real default for which None stands for the computed value. */
            WHEN_NONE
        }

        Derivation {
            if (applies == null || rule == null) {
                throw new IllegalArgumentException("a derivation needs when it applies and its rule");
            }
        }

        /** Whether the value is computed, given what the file holds for the key (Java null when absent). */
        boolean appliesTo(JsonNode fileValue) {
            if (fileValue != null && !fileValue.isNull()) {
                return false; // the file's own value wins, as PretrainedConfig sets leftover kwargs last
            }
            return applies != Applies.WHEN_NONE || fileValue != null;
        }

        JsonNode derive(Function<String, JsonNode> resolved) {
            return rule.apply(resolved);
        }
    }

    /**
     * One configuration class: its attribute map (alias → stored key), the attribute values of a default-constructed
     * instance (stored key → value; Python None is null) and the attributes it derives from others.
     */
    record Row(String modelType, Map<String, String> attributeMap, Map<String, Object> defaults,
            Map<String, Derivation> derived) {
        Row {
            if (modelType == null || modelType.isBlank() || !modelType.equals(modelType.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("model type must be lower-case Transformers spelling: " + modelType);
            }
            attributeMap = Collections.unmodifiableMap(new LinkedHashMap<>(attributeMap));
            defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
            derived = Collections.unmodifiableMap(new LinkedHashMap<>(derived));
            for (String key : derived.keySet()) {
                if (!defaults.containsKey(key)) {
                    throw new IllegalArgumentException(modelType + ": derived attribute " + key
                            + " needs its default-instance value among the defaults");
                }
            }
            for (Map.Entry<String, String> alias : attributeMap.entrySet()) {
                if (defaults.containsKey(alias.getKey())) {
                    throw new IllegalArgumentException(modelType + ": " + alias.getKey()
                            + " is both an alias and a stored attribute");
                }
            }
        }
    }

    /**
     * Attributes of {@code PretrainedConfig} itself and their defaults (transformers 4.25.1
     * configuration_utils.py), sorted. {@code id2label}/{@code label2id} are derived from {@code num_labels} there
     * and are read through {@link ModelConfig#numLabels()}.
     */
    static final Map<String, Object> COMMON = sortedPairs(
            "add_cross_attention", false,
            "architectures", null,
            "bad_words_ids", null,
            "begin_suppress_tokens", null,
            "bos_token_id", null,
            "chunk_size_feed_forward", 0,
            "cross_attention_hidden_size", null,
            "decoder_start_token_id", null,
            "diversity_penalty", 0.0,
            "do_sample", false,
            "early_stopping", false,
            "encoder_no_repeat_ngram_size", 0,
            "eos_token_id", null,
            "exponential_decay_length_penalty", null,
            "finetuning_task", null,
            "forced_bos_token_id", null,
            "forced_eos_token_id", null,
            "is_decoder", false,
            "is_encoder_decoder", false,
            "length_penalty", 1.0,
            "max_length", 20,
            "min_length", 0,
            "no_repeat_ngram_size", 0,
            "num_beam_groups", 1,
            "num_beams", 1,
            "num_return_sequences", 1,
            "output_attentions", false,
            "output_hidden_states", false,
            "output_scores", false,
            "pad_token_id", null,
            "prefix", null,
            "problem_type", null,
            "pruned_heads", Map.of(),
            "remove_invalid_values", false,
            "repetition_penalty", 1.0,
            "return_dict", true,
            "return_dict_in_generate", false,
            "sep_token_id", null,
            "suppress_tokens", null,
            "task_specific_params", null,
            "temperature", 1.0,
            "tf_legacy_loss", false,
            "tie_encoder_decoder", false,
            "tie_word_embeddings", true,
            "tokenizer_class", null,
            "top_k", 50,
            "top_p", 1.0,
            "torch_dtype", null,
            "torchscript", false,
            "typical_p", 1.0,
            "use_bfloat16", false);

    /** {@code attribute_map} shared by the BART-style encoder-decoder classes (Transformers 4.25.1). */
    private static final Map<String, String> SEQ2SEQ_ALIASES = aliases(
            "hidden_size", "d_model", "num_attention_heads", "encoder_attention_heads");

    /** {@code attribute_map} of the T5 family. */
    private static final Map<String, String> T5_ALIASES = aliases(
            "hidden_size", "d_model", "num_attention_heads", "num_heads", "num_hidden_layers", "num_layers");

    /** {@code attribute_map} of XLM and FlauBERT ({@code n_words} is XLM's old name of the vocabulary size). */
    private static final Map<String, String> XLM_ALIASES = aliases(
            "hidden_size", "emb_dim", "num_attention_heads", "n_heads", "num_hidden_layers", "n_layers",
            "n_words", "vocab_size");

    /** {@code attribute_map} of the GPT-J / CodeGen classes. */
    private static final Map<String, String> GPTJ_ALIASES = aliases(
            "hidden_size", "n_embd", "max_position_embeddings", "n_positions", "num_attention_heads", "n_head",
            "num_hidden_layers", "n_layer");

    private static final Map<String, Row> ROWS = table(
            row("albert",
                    aliases(),
                    pairs("vocab_size", 30000, "embedding_size", 128, "hidden_size", 4096, "num_hidden_layers", 12,
                            "num_hidden_groups", 1, "num_attention_heads", 64, "intermediate_size", 16384,
                            "inner_group_num", 1, "hidden_act", "gelu_new", "hidden_dropout_prob", 0,
                            "attention_probs_dropout_prob", 0, "max_position_embeddings", 512, "type_vocab_size", 2,
                            "initializer_range", 0.02, "layer_norm_eps", 1e-12, "classifier_dropout_prob", 0.1,
                            "position_embedding_type", "absolute", "pad_token_id", 0, "bos_token_id", 2,
                            "eos_token_id", 3)),
            row("bart",
                    SEQ2SEQ_ALIASES,
                    pairs("vocab_size", 50265, "max_position_embeddings", 1024, "encoder_layers", 12,
                            "encoder_ffn_dim", 4096, "encoder_attention_heads", 16, "decoder_layers", 12,
                            "decoder_ffn_dim", 4096, "decoder_attention_heads", 16, "encoder_layerdrop", 0.0,
                            "decoder_layerdrop", 0.0, "activation_function", "gelu", "d_model", 1024, "dropout", 0.1,
                            "attention_dropout", 0.0, "activation_dropout", 0.0, "init_std", 0.02,
                            "classifier_dropout", 0.0, "scale_embedding", false, "use_cache", true,
                            "num_hidden_layers", 12, "num_labels", 3, "pad_token_id", 1, "bos_token_id", 0,
                            "eos_token_id", 2, "is_encoder_decoder", true, "decoder_start_token_id", 2,
                            "forced_eos_token_id", 2),
                    derived("num_hidden_layers", copyOf("encoder_layers"))),
            row("beit",
                    aliases(),
                    pairs("vocab_size", 8192, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.0,
                            "attention_probs_dropout_prob", 0.0, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "image_size", 224, "patch_size", 16, "num_channels", 3, "use_mask_token", false,
                            "use_absolute_position_embeddings", false, "use_relative_position_bias", false,
                            "use_shared_relative_position_bias", false, "layer_scale_init_value", 0.1,
                            "drop_path_rate", 0.1, "use_mean_pooling", true, "out_indices", List.of(3, 5, 7, 11),
                            "pool_scales", List.of(1, 2, 3, 6), "use_auxiliary_head", true,
                            "auxiliary_loss_weight", 0.4, "auxiliary_channels", 256, "auxiliary_num_convs", 1,
                            "auxiliary_concat_input", false, "semantic_loss_ignore_index", 255)),
            row("bert",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12,
                            "num_attention_heads", 12, "intermediate_size", 3072, "hidden_act", "gelu",
                            "hidden_dropout_prob", 0.1, "attention_probs_dropout_prob", 0.1,
                            "max_position_embeddings", 512, "type_vocab_size", 2, "initializer_range", 0.02,
                            "layer_norm_eps", 1e-12, "pad_token_id", 0, "position_embedding_type", "absolute",
                            "use_cache", true, "classifier_dropout", null)),
            row("big_bird",
                    aliases(),
                    pairs("vocab_size", 50358, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu_new", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 4096,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "use_cache", true, "pad_token_id", 0, "bos_token_id", 1, "eos_token_id", 2,
                            "sep_token_id", 66, "attention_type", "block_sparse", "use_bias", true,
                            "rescale_embeddings", false, "block_size", 64, "num_random_blocks", 3,
                            "classifier_dropout", null)),
            row("bigbird_pegasus",
                    aliases("hidden_size", "d_model", "num_attention_heads", "encoder_attention_heads",
                            "attention_probs_dropout_prob", "attention_dropout"),
                    pairs("vocab_size", 96103, "max_position_embeddings", 4096, "encoder_layers", 16,
                            "encoder_ffn_dim", 4096, "encoder_attention_heads", 16, "decoder_layers", 16,
                            "decoder_ffn_dim", 4096, "decoder_attention_heads", 16, "encoder_layerdrop", 0.0,
                            "decoder_layerdrop", 0.0, "use_cache", true, "is_encoder_decoder", true,
                            "activation_function", "gelu_new", "d_model", 1024, "dropout", 0.1,
                            "attention_dropout", 0.0, "activation_dropout", 0.0, "init_std", 0.02,
                            "decoder_start_token_id", 2, "classifier_dropout", 0.0, "scale_embedding", true,
                            "pad_token_id", 0, "bos_token_id", 2, "eos_token_id", 1, "attention_type", "block_sparse",
                            "block_size", 64, "num_random_blocks", 3, "use_bias", false, "num_hidden_layers", 16),
                    derived("num_hidden_layers", copyOf("encoder_layers"))),
            row("blenderbot",
                    SEQ2SEQ_ALIASES,
                    pairs("vocab_size", 8008, "max_position_embeddings", 128, "encoder_layers", 2,
                            "encoder_ffn_dim", 10240, "encoder_attention_heads", 32, "decoder_layers", 24,
                            "decoder_ffn_dim", 10240, "decoder_attention_heads", 32, "encoder_layerdrop", 0.0,
                            "decoder_layerdrop", 0.0, "use_cache", true, "is_encoder_decoder", true,
                            "activation_function", "gelu", "d_model", 2560, "dropout", 0.1, "attention_dropout", 0.0,
                            "activation_dropout", 0.0, "init_std", 0.02, "decoder_start_token_id", 1,
                            "classifier_dropout", 0.0, "scale_embedding", false, "pad_token_id", 0,
                            "bos_token_id", 1, "eos_token_id", 2, "encoder_no_repeat_ngram_size", 3,
                            "forced_eos_token_id", 2, "num_hidden_layers", 2),
                    derived("num_hidden_layers", copyOf("encoder_layers"))),
            row("blenderbot-small",
                    SEQ2SEQ_ALIASES,
                    pairs("vocab_size", 50265, "max_position_embeddings", 512, "encoder_layers", 8,
                            "encoder_ffn_dim", 2048, "encoder_attention_heads", 16, "decoder_layers", 8,
                            "decoder_ffn_dim", 2048, "decoder_attention_heads", 16, "encoder_layerdrop", 0.0,
                            "decoder_layerdrop", 0.0, "use_cache", true, "is_encoder_decoder", true,
                            "activation_function", "gelu", "d_model", 512, "dropout", 0.1, "attention_dropout", 0.0,
                            "activation_dropout", 0.0, "init_std", 0.02, "decoder_start_token_id", 1,
                            "classifier_dropout", 0.0, "scale_embedding", false, "pad_token_id", 0,
                            "bos_token_id", 1, "eos_token_id", 2, "forced_eos_token_id", 2, "num_hidden_layers", 8),
                    derived("num_hidden_layers", copyOf("encoder_layers"))),
            row("bloom",
                    aliases("num_hidden_layers", "n_layer", "num_attention_heads", "n_head"),
                    pairs("vocab_size", 250880, "hidden_size", 64, "n_layer", 2, "n_head", 8,
                            "layer_norm_epsilon", 1e-5, "initializer_range", 0.02, "use_cache", true,
                            "bos_token_id", 1, "eos_token_id", 2, "apply_residual_connection_post_layernorm", false,
                            "hidden_dropout", 0.0, "attention_dropout", 0.0, "pretraining_tp", 1,
                            "slow_but_exact", false)),
            row("camembert",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2,
                            "position_embedding_type", "absolute", "use_cache", true, "classifier_dropout", null)),
            // Composite: text_config and vision_config hold a whole clip_text_model / clip_vision_model config; an
            // empty object means that class's defaults (read them with ModelConfig.subConfig).
            row("clip",
                    aliases(),
                    pairs("text_config", Map.of(), "vision_config", Map.of(), "projection_dim", 512,
                            "logit_scale_init_value", 2.6592, "initializer_factor", 1.0)),
            // bos/eos 0/2 as in 4.25.1 (later versions changed them to 49406/49407).
            row("clip_text_model",
                    aliases(),
                    pairs("vocab_size", 49408, "hidden_size", 512, "intermediate_size", 2048, "projection_dim", 512,
                            "num_hidden_layers", 12, "num_attention_heads", 8, "max_position_embeddings", 77,
                            "hidden_act", "quick_gelu", "layer_norm_eps", 1e-5, "dropout", 0.0,
                            "attention_dropout", 0.0, "initializer_range", 0.02, "initializer_factor", 1.0,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2)),
            row("clip_vision_model",
                    aliases(),
                    pairs("hidden_size", 768, "intermediate_size", 3072, "projection_dim", 512,
                            "num_hidden_layers", 12, "num_attention_heads", 12, "num_channels", 3, "image_size", 224,
                            "patch_size", 32, "hidden_act", "quick_gelu", "layer_norm_eps", 1e-5, "dropout", 0.0,
                            "attention_dropout", 0.0, "initializer_range", 0.02, "initializer_factor", 1.0)),
            row("codegen",
                    GPTJ_ALIASES,
                    pairs("vocab_size", 50400, "n_positions", 2048, "n_ctx", 2048, "n_embd", 4096, "n_layer", 28,
                            "n_head", 16, "rotary_dim", 64, "n_inner", null, "activation_function", "gelu_new",
                            "resid_pdrop", 0.0, "embd_pdrop", 0.0, "attn_pdrop", 0.0, "layer_norm_epsilon", 1e-5,
                            "initializer_range", 0.02, "scale_attn_weights", true, "use_cache", true,
                            "bos_token_id", 50256, "eos_token_id", 50256, "tie_word_embeddings", false)),
            row("convbert",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2, "embedding_size", 768,
                            "head_ratio", 2, "conv_kernel_size", 9, "num_groups", 1, "classifier_dropout", null)),
            row("convnext",
                    aliases(),
                    pairs("num_channels", 3, "patch_size", 4, "num_stages", 4,
                            "hidden_sizes", List.of(96, 192, 384, 768), "depths", List.of(3, 3, 9, 3),
                            "hidden_act", "gelu", "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "layer_scale_init_value", 1e-6, "drop_path_rate", 0.0, "image_size", 224)),
            row("data2vec-text",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2,
                            "position_embedding_type", "absolute", "use_cache", true, "classifier_dropout", null)),
            row("data2vec-vision",
                    aliases(),
                    pairs("hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.0,
                            "attention_probs_dropout_prob", 0.0, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "image_size", 224, "patch_size", 16, "num_channels", 3, "use_mask_token", false,
                            "use_absolute_position_embeddings", false, "use_relative_position_bias", false,
                            "use_shared_relative_position_bias", false, "layer_scale_init_value", 0.1,
                            "drop_path_rate", 0.1, "use_mean_pooling", true, "out_indices", List.of(3, 5, 7, 11),
                            "pool_scales", List.of(1, 2, 3, 6), "use_auxiliary_head", true,
                            "auxiliary_loss_weight", 0.4, "auxiliary_channels", 256, "auxiliary_num_convs", 1,
                            "auxiliary_concat_input", false, "semantic_loss_ignore_index", 255)),
            row("deberta",
                    aliases(),
                    pairs("vocab_size", 50265, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 0, "initializer_range", 0.02, "layer_norm_eps", 1e-7,
                            "relative_attention", false, "max_relative_positions", -1, "pad_token_id", 0,
                            "position_biased_input", true, "pos_att_type", null, "pooler_dropout", 0,
                            "pooler_hidden_act", "gelu", "pooler_hidden_size", 768),
                    derived("pooler_hidden_size", sameAs("hidden_size"))),
            // position_buckets, share_att_key, norm_rel_ebd and conv_* are not __init__ arguments: DeBERTa-v2's
            // modeling code reads them with getattr(config, name, default), so the defaults here are those.
            row("deberta-v2",
                    aliases(),
                    pairs("vocab_size", 128100, "hidden_size", 1536, "num_hidden_layers", 24,
                            "num_attention_heads", 24, "intermediate_size", 6144, "hidden_act", "gelu",
                            "hidden_dropout_prob", 0.1, "attention_probs_dropout_prob", 0.1,
                            "max_position_embeddings", 512, "type_vocab_size", 0, "initializer_range", 0.02,
                            "layer_norm_eps", 1e-7, "relative_attention", false, "max_relative_positions", -1,
                            "pad_token_id", 0, "position_biased_input", true, "pos_att_type", null,
                            "pooler_dropout", 0, "pooler_hidden_act", "gelu", "pooler_hidden_size", 1536,
                            "position_buckets", -1, "share_att_key", false, "norm_rel_ebd", "none",
                            "conv_kernel_size", 0, "conv_groups", 1, "conv_act", "tanh"),
                    derived("pooler_hidden_size", sameAs("hidden_size"))),
            row("deit",
                    aliases(),
                    pairs("hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.0,
                            "attention_probs_dropout_prob", 0.0, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "image_size", 224, "patch_size", 16, "num_channels", 3, "qkv_bias", true,
                            "encoder_stride", 16)),
            // 4.25.1 builds the backbone through timm only (use_timm_backbone and backbone_config came in 4.26).
            row("detr",
                    SEQ2SEQ_ALIASES,
                    pairs("num_channels", 3, "num_queries", 100, "max_position_embeddings", 1024,
                            "encoder_layers", 6, "encoder_ffn_dim", 2048, "encoder_attention_heads", 8,
                            "decoder_layers", 6, "decoder_ffn_dim", 2048, "decoder_attention_heads", 8,
                            "encoder_layerdrop", 0.0, "decoder_layerdrop", 0.0, "is_encoder_decoder", true,
                            "activation_function", "relu", "d_model", 256, "dropout", 0.1, "attention_dropout", 0.0,
                            "activation_dropout", 0.0, "init_std", 0.02, "init_xavier_std", 1.0,
                            "classifier_dropout", 0.0, "scale_embedding", false, "auxiliary_loss", false,
                            "position_embedding_type", "sine", "backbone", "resnet50", "use_pretrained_backbone", true,
                            "dilation", false, "class_cost", 1, "bbox_cost", 5, "giou_cost", 2,
                            "mask_loss_coefficient", 1, "dice_loss_coefficient", 1, "bbox_loss_coefficient", 5,
                            "giou_loss_coefficient", 2, "eos_coefficient", 0.1, "num_hidden_layers", 6),
                    derived("num_hidden_layers", copyOf("encoder_layers"))),
            row("distilbert",
                    aliases("hidden_size", "dim", "num_attention_heads", "n_heads", "num_hidden_layers", "n_layers"),
                    pairs("vocab_size", 30522, "max_position_embeddings", 512, "sinusoidal_pos_embds", false,
                            "n_layers", 6, "n_heads", 12, "dim", 768, "hidden_dim", 3072, "dropout", 0.1,
                            "attention_dropout", 0.1, "activation", "gelu", "initializer_range", 0.02,
                            "qa_dropout", 0.1, "seq_classif_dropout", 0.2, "pad_token_id", 0)),
            row("electra",
                    aliases(),
                    pairs("vocab_size", 30522, "embedding_size", 128, "hidden_size", 256, "num_hidden_layers", 12,
                            "num_attention_heads", 4, "intermediate_size", 1024, "hidden_act", "gelu",
                            "hidden_dropout_prob", 0.1, "attention_probs_dropout_prob", 0.1,
                            "max_position_embeddings", 512, "type_vocab_size", 2, "initializer_range", 0.02,
                            "layer_norm_eps", 1e-12, "summary_type", "first", "summary_use_proj", true,
                            "summary_activation", "gelu", "summary_last_dropout", 0.1, "pad_token_id", 0,
                            "position_embedding_type", "absolute", "use_cache", true, "classifier_dropout", null)),
            // FlauBERT's class extends XLM's: the XLM defaults plus layerdrop and pre_norm.
            row("flaubert",
                    XLM_ALIASES,
                    pairs("vocab_size", 30145, "emb_dim", 2048, "n_layers", 12, "n_heads", 16, "dropout", 0.1,
                            "attention_dropout", 0.1, "gelu_activation", true, "sinusoidal_embeddings", false,
                            "causal", false, "asm", false, "n_langs", 1, "use_lang_emb", true,
                            "max_position_embeddings", 512, "embed_init_std", 0.02209708691207961,
                            "layer_norm_eps", 1e-12, "init_std", 0.02, "bos_index", 0, "eos_index", 1,
                            "pad_index", 2, "unk_index", 3, "mask_index", 5, "is_encoder", true,
                            "summary_type", "first", "summary_use_proj", true, "summary_activation", null,
                            "summary_proj_to_labels", true, "summary_first_dropout", 0.1, "start_n_top", 5,
                            "end_n_top", 5, "mask_token_id", 0, "lang_id", 0, "pad_token_id", 2, "bos_token_id", 0,
                            "layerdrop", 0.0, "pre_norm", false)),
            row("gpt2",
                    aliases("hidden_size", "n_embd", "max_position_embeddings", "n_positions",
                            "num_attention_heads", "n_head", "num_hidden_layers", "n_layer"),
                    pairs("vocab_size", 50257, "n_positions", 1024, "n_embd", 768, "n_layer", 12, "n_head", 12,
                            "n_inner", null, "activation_function", "gelu_new", "resid_pdrop", 0.1,
                            "embd_pdrop", 0.1, "attn_pdrop", 0.1, "layer_norm_epsilon", 1e-5,
                            "initializer_range", 0.02, "summary_type", "cls_index", "summary_use_proj", true,
                            "summary_activation", null, "summary_proj_to_labels", true,
                            "summary_first_dropout", 0.1, "scale_attn_weights", true, "use_cache", true,
                            "bos_token_id", 50256, "eos_token_id", 50256, "scale_attn_by_inverse_layer_idx", false,
                            "reorder_and_upcast_attn", false)),
            // attention_layers is computed from attention_types: each [[kinds...], repeat] entry repeats its kinds.
            row("gpt_neo",
                    aliases("num_attention_heads", "num_heads", "num_hidden_layers", "num_layers"),
                    pairs("vocab_size", 50257, "max_position_embeddings", 2048, "hidden_size", 2048,
                            "num_layers", 24, "attention_types", List.of(List.of(List.of("global", "local"), 12)),
                            "attention_layers", alternating("global", "local", 12), "num_heads", 16,
                            "intermediate_size", null, "window_size", 256, "activation_function", "gelu_new",
                            "resid_dropout", 0.0, "embed_dropout", 0.0, "attention_dropout", 0.0,
                            "layer_norm_epsilon", 1e-5, "initializer_range", 0.02, "summary_type", "cls_index",
                            "summary_use_proj", true, "summary_activation", null, "summary_proj_to_labels", true,
                            "summary_first_dropout", 0.1, "use_cache", true, "bos_token_id", 50256,
                            "eos_token_id", 50256),
                    derived("attention_layers", expandedAttentionTypes("attention_types"))),
            row("gptj",
                    GPTJ_ALIASES,
                    pairs("vocab_size", 50400, "n_positions", 2048, "n_embd", 4096, "n_layer", 28, "n_head", 16,
                            "rotary_dim", 64, "n_inner", null, "activation_function", "gelu_new",
                            "resid_pdrop", 0.0, "embd_pdrop", 0.0, "attn_pdrop", 0.0, "layer_norm_epsilon", 1e-5,
                            "initializer_range", 0.02, "scale_attn_weights", true, "use_cache", true,
                            "bos_token_id", 50256, "eos_token_id", 50256, "tie_word_embeddings", false)),
            // Composite like clip; initializer_range, initializer_factor and output_segmentation are set by
            // __init__ without being arguments.
            row("groupvit",
                    aliases(),
                    pairs("text_config", Map.of(), "vision_config", Map.of(), "projection_dim", 256,
                            "projection_intermediate_dim", 4096, "logit_scale_init_value", 2.6592,
                            "initializer_range", 0.02, "initializer_factor", 1.0, "output_segmentation", false)),
            row("groupvit_text_model",
                    aliases(),
                    pairs("vocab_size", 49408, "hidden_size", 256, "intermediate_size", 1024,
                            "num_hidden_layers", 12, "num_attention_heads", 4, "max_position_embeddings", 77,
                            "hidden_act", "quick_gelu", "layer_norm_eps", 1e-5, "dropout", 0.0,
                            "attention_dropout", 0.0, "initializer_range", 0.02, "initializer_factor", 1.0,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2)),
            row("groupvit_vision_model",
                    aliases(),
                    pairs("hidden_size", 384, "intermediate_size", 1536, "depths", List.of(6, 3, 3),
                            "num_hidden_layers", 12, "num_group_tokens", List.of(64, 8, 0),
                            "num_output_groups", List.of(64, 8, 8), "num_attention_heads", 6, "image_size", 224,
                            "patch_size", 16, "num_channels", 3, "hidden_act", "gelu", "layer_norm_eps", 1e-5,
                            "dropout", 0.0, "attention_dropout", 0.0, "initializer_range", 0.02,
                            "initializer_factor", 1.0, "assign_eps", 1.0, "assign_mlp_ratio", List.of(0.5, 4))),
            row("ibert",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2,
                            "position_embedding_type", "absolute", "quant_mode", false, "force_dequant", "none")),
            row("layoutlm",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 0, "position_embedding_type", "absolute", "use_cache", true,
                            "max_2d_position_embeddings", 1024, "classifier_dropout", null)),
            row("layoutlmv3",
                    aliases(),
                    pairs("vocab_size", 50265, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-5,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2,
                            "max_2d_position_embeddings", 1024, "coordinate_size", 128, "shape_size", 128,
                            "has_relative_attention_bias", true, "rel_pos_bins", 32, "max_rel_pos", 128,
                            "rel_2d_pos_bins", 64, "max_rel_2d_pos", 256, "has_spatial_attention_bias", true,
                            "text_embed", true, "visual_embed", true, "input_size", 224, "num_channels", 3,
                            "patch_size", 16, "classifier_dropout", null)),
            // down_ops is computed from key_dim and hidden_sizes (two subsampling stages between the three). Note
            // that Transformers' LevitEncoder appends [""] (no subsampling after the last stage) to the config's
            // list in place, so a saved checkpoint holds three entries.
            row("levit",
                    aliases(),
                    pairs("image_size", 224, "num_channels", 3, "kernel_size", 3, "stride", 2, "padding", 1,
                            "patch_size", 16, "hidden_sizes", List.of(128, 256, 384),
                            "num_attention_heads", List.of(4, 8, 12), "depths", List.of(4, 4, 4),
                            "key_dim", List.of(16, 16, 16), "drop_path_rate", 0, "mlp_ratio", List.of(2, 2, 2),
                            "attention_ratio", List.of(2, 2, 2), "initializer_range", 0.02,
                            "down_ops", List.of(List.of("Subsample", 16, 8, 4, 2, 2),
                                    List.of("Subsample", 16, 16, 4, 2, 2))),
                    derived("down_ops", levitDownsampling())),
            // As introduced in 4.28, with what later versions added: num_key_value_heads and rope_scaling (4.31),
            // rope_theta (4.33), attention_bias (4.34), attention_dropout (4.35), mlp_bias and head_dim (4.4x).
            row("llama",
                    aliases(),
                    pairs("vocab_size", 32000, "hidden_size", 4096, "intermediate_size", 11008,
                            "num_hidden_layers", 32, "num_attention_heads", 32, "num_key_value_heads", 32,
                            "hidden_act", "silu", "max_position_embeddings", 2048, "initializer_range", 0.02,
                            "rms_norm_eps", 1e-6, "use_cache", true, "pad_token_id", null, "bos_token_id", 1,
                            "eos_token_id", 2, "pretraining_tp", 1, "tie_word_embeddings", false,
                            "rope_theta", 10000.0, "rope_scaling", null, "attention_bias", false,
                            "attention_dropout", 0.0, "mlp_bias", false, "head_dim", 128),
                    derived("num_key_value_heads", sameAs("num_attention_heads"),
                            "head_dim", quotient("hidden_size", "num_attention_heads"))),
            // dense_act_fn and is_gated_act are computed from feed_forward_proj (4.25.1 T5-family rule).
            row("longt5",
                    T5_ALIASES,
                    pairs("vocab_size", 32128, "d_model", 512, "d_kv", 64, "d_ff", 2048, "num_layers", 6,
                            "num_decoder_layers", 6, "num_heads", 8, "local_radius", 127, "global_block_size", 16,
                            "relative_attention_num_buckets", 32, "relative_attention_max_distance", 128,
                            "dropout_rate", 0.1, "layer_norm_epsilon", 1e-6, "initializer_factor", 1.0,
                            "feed_forward_proj", "relu", "dense_act_fn", "relu", "is_gated_act", false,
                            "is_encoder_decoder", true, "encoder_attention_type", "local", "use_cache", true,
                            "pad_token_id", 0, "eos_token_id", 1),
                    t5Derivations()),
            row("m2m_100",
                    SEQ2SEQ_ALIASES,
                    pairs("vocab_size", 128112, "max_position_embeddings", 1024, "encoder_layers", 12,
                            "encoder_ffn_dim", 4096, "encoder_attention_heads", 16, "decoder_layers", 12,
                            "decoder_ffn_dim", 4096, "decoder_attention_heads", 16, "encoder_layerdrop", 0.05,
                            "decoder_layerdrop", 0.05, "use_cache", true, "is_encoder_decoder", true,
                            "activation_function", "relu", "d_model", 1024, "dropout", 0.1, "attention_dropout", 0.1,
                            "activation_dropout", 0.0, "init_std", 0.02, "decoder_start_token_id", 2,
                            "scale_embedding", true, "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2,
                            "num_hidden_layers", 12),
                    derived("num_hidden_layers", copyOf("encoder_layers"))),
            row("marian",
                    SEQ2SEQ_ALIASES,
                    pairs("vocab_size", 58101, "decoder_vocab_size", 58101, "max_position_embeddings", 1024,
                            "encoder_layers", 12, "encoder_ffn_dim", 4096, "encoder_attention_heads", 16,
                            "decoder_layers", 12, "decoder_ffn_dim", 4096, "decoder_attention_heads", 16,
                            "encoder_layerdrop", 0.0, "decoder_layerdrop", 0.0, "use_cache", true,
                            "is_encoder_decoder", true, "activation_function", "gelu", "d_model", 1024,
                            "dropout", 0.1, "attention_dropout", 0.0, "activation_dropout", 0.0, "init_std", 0.02,
                            "decoder_start_token_id", 58100, "classifier_dropout", 0.0, "scale_embedding", false,
                            "pad_token_id", 58100, "eos_token_id", 0, "forced_eos_token_id", 0,
                            "share_encoder_decoder_embeddings", true, "num_hidden_layers", 12),
                    derived("decoder_vocab_size", sameAs("vocab_size"),
                            "num_hidden_layers", copyOf("encoder_layers"))),
            row("mbart",
                    SEQ2SEQ_ALIASES,
                    pairs("vocab_size", 50265, "max_position_embeddings", 1024, "encoder_layers", 12,
                            "encoder_ffn_dim", 4096, "encoder_attention_heads", 16, "decoder_layers", 12,
                            "decoder_ffn_dim", 4096, "decoder_attention_heads", 16, "encoder_layerdrop", 0.0,
                            "decoder_layerdrop", 0.0, "use_cache", true, "is_encoder_decoder", true,
                            "activation_function", "gelu", "d_model", 1024, "dropout", 0.1, "attention_dropout", 0.0,
                            "activation_dropout", 0.0, "init_std", 0.02, "classifier_dropout", 0.0,
                            "scale_embedding", false, "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2,
                            "forced_eos_token_id", 2, "num_hidden_layers", 12),
                    derived("num_hidden_layers", copyOf("encoder_layers"))),
            // As introduced in 4.34 (attention_dropout 4.36, head_dim later); num_key_value_heads defaults to 8
            // and falls back to num_attention_heads when None.
            row("mistral",
                    aliases(),
                    pairs("vocab_size", 32000, "hidden_size", 4096, "intermediate_size", 14336,
                            "num_hidden_layers", 32, "num_attention_heads", 32, "num_key_value_heads", 8,
                            "hidden_act", "silu", "max_position_embeddings", 131072, "initializer_range", 0.02,
                            "rms_norm_eps", 1e-6, "use_cache", true, "pad_token_id", null, "bos_token_id", 1,
                            "eos_token_id", 2, "tie_word_embeddings", false, "rope_theta", 10000.0,
                            "sliding_window", 4096, "attention_dropout", 0.0, "head_dim", 128),
                    derived("num_key_value_heads", noneMeans("num_attention_heads"),
                            "head_dim", quotient("hidden_size", "num_attention_heads"))),
            // true_hidden_size is intra_bottleneck_size when use_bottleneck, else hidden_size.
            row("mobilebert",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 512, "num_hidden_layers", 24, "num_attention_heads", 4,
                            "intermediate_size", 512, "hidden_act", "relu", "hidden_dropout_prob", 0.0,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 0, "embedding_size", 128, "trigram_input", true, "use_bottleneck", true,
                            "intra_bottleneck_size", 128, "use_bottleneck_attention", false,
                            "key_query_shared_bottleneck", true, "num_feedforward_networks", 4,
                            "normalization_type", "no_norm", "classifier_activation", true,
                            "classifier_dropout", null, "true_hidden_size", 128),
                    derived("true_hidden_size", bottleneckHiddenSize())),
            row("mobilevit",
                    aliases(),
                    pairs("num_channels", 3, "image_size", 256, "patch_size", 2, "hidden_sizes", List.of(144, 192, 240),
                            "neck_hidden_sizes", List.of(16, 32, 64, 96, 128, 160, 640), "num_attention_heads", 4,
                            "mlp_ratio", 2.0, "expand_ratio", 4.0, "hidden_act", "silu", "conv_kernel_size", 3,
                            "output_stride", 32, "hidden_dropout_prob", 0.1, "attention_probs_dropout_prob", 0.0,
                            "classifier_dropout_prob", 0.1, "initializer_range", 0.02, "layer_norm_eps", 1e-5,
                            "qkv_bias", true, "aspp_out_channels", 256, "atrous_rates", List.of(6, 12, 18),
                            "aspp_dropout_prob", 0.1, "semantic_loss_ignore_index", 255)),
            row("mt5",
                    T5_ALIASES,
                    pairs("vocab_size", 250112, "d_model", 512, "d_kv", 64, "d_ff", 1024, "num_layers", 8,
                            "num_decoder_layers", 8, "num_heads", 6, "relative_attention_num_buckets", 32,
                            "relative_attention_max_distance", 128, "dropout_rate", 0.1, "layer_norm_epsilon", 1e-6,
                            "initializer_factor", 1.0, "feed_forward_proj", "gated-gelu", "dense_act_fn", "gelu_new",
                            "is_gated_act", true, "is_encoder_decoder", true, "use_cache", true,
                            "tokenizer_class", "T5Tokenizer", "tie_word_embeddings", false, "pad_token_id", 0,
                            "eos_token_id", 1, "decoder_start_token_id", 0),
                    t5Derivations()),
            row("owlvit",
                    aliases(),
                    pairs("text_config", Map.of(), "vision_config", Map.of(), "projection_dim", 512,
                            "logit_scale_init_value", 2.6592, "initializer_factor", 1.0)),
            row("owlvit_text_model",
                    aliases(),
                    pairs("vocab_size", 49408, "hidden_size", 512, "intermediate_size", 2048,
                            "num_hidden_layers", 12, "num_attention_heads", 8, "max_position_embeddings", 16,
                            "hidden_act", "quick_gelu", "layer_norm_eps", 1e-5, "dropout", 0.0,
                            "attention_dropout", 0.0, "initializer_range", 0.02, "initializer_factor", 1.0,
                            "pad_token_id", 0, "bos_token_id", 49406, "eos_token_id", 49407)),
            row("owlvit_vision_model",
                    aliases(),
                    pairs("hidden_size", 768, "intermediate_size", 3072, "num_hidden_layers", 12,
                            "num_attention_heads", 12, "num_channels", 3, "image_size", 768, "patch_size", 32,
                            "hidden_act", "quick_gelu", "layer_norm_eps", 1e-5, "dropout", 0.0,
                            "attention_dropout", 0.0, "initializer_range", 0.02, "initializer_factor", 1.0)),
            row("perceiver",
                    aliases(),
                    pairs("num_latents", 256, "d_latents", 1280, "d_model", 768, "num_blocks", 1,
                            "num_self_attends_per_block", 26, "num_self_attention_heads", 8,
                            "num_cross_attention_heads", 8, "qk_channels", null, "v_channels", null,
                            "cross_attention_shape_for_attention", "kv", "self_attention_widening_factor", 1,
                            "cross_attention_widening_factor", 1, "hidden_act", "gelu",
                            "attention_probs_dropout_prob", 0.1, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "use_query_residual", true, "vocab_size", 262, "max_position_embeddings", 2048,
                            "image_size", 56, "train_size", List.of(368, 496), "num_frames", 16,
                            "audio_samples_per_frame", 1920, "samples_per_patch", 16,
                            "output_shape", List.of(1, 16, 224, 224))),
            // As introduced in 4.37 (rope_scaling added later); bos/eos are not arguments of this class.
            row("qwen2",
                    aliases(),
                    pairs("vocab_size", 151936, "hidden_size", 4096, "intermediate_size", 22016,
                            "num_hidden_layers", 32, "num_attention_heads", 32, "num_key_value_heads", 32,
                            "hidden_act", "silu", "max_position_embeddings", 32768, "initializer_range", 0.02,
                            "rms_norm_eps", 1e-6, "use_cache", true, "tie_word_embeddings", false,
                            "rope_theta", 10000.0, "rope_scaling", null, "use_sliding_window", false,
                            "sliding_window", 4096, "max_window_layers", 28, "attention_dropout", 0.0),
                    derived("num_key_value_heads", sameAs("num_attention_heads"))),
            // stage_names is computed from depths: "stem" then one "stage<i>" per stage.
            row("resnet",
                    aliases(),
                    pairs("num_channels", 3, "embedding_size", 64, "hidden_sizes", List.of(256, 512, 1024, 2048),
                            "depths", List.of(3, 4, 6, 3), "layer_type", "bottleneck", "hidden_act", "relu",
                            "downsample_in_first_stage", false, "out_features", null,
                            "stage_names", List.of("stem", "stage1", "stage2", "stage3", "stage4")),
                    derived("stage_names", stageNames("depths"))),
            row("roberta",
                    aliases(),
                    pairs("vocab_size", 50265, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2,
                            "position_embedding_type", "absolute", "use_cache", true, "classifier_dropout", null)),
            row("roformer",
                    aliases(),
                    pairs("vocab_size", 50000, "embedding_size", 768, "hidden_size", 768, "num_hidden_layers", 12,
                            "num_attention_heads", 12, "intermediate_size", 3072, "hidden_act", "gelu",
                            "hidden_dropout_prob", 0.1, "attention_probs_dropout_prob", 0.1,
                            "max_position_embeddings", 1536, "type_vocab_size", 2, "initializer_range", 0.02,
                            "layer_norm_eps", 1e-12, "pad_token_id", 0, "rotary_value", false, "use_cache", true),
                    derived("embedding_size", sameAs("hidden_size"))),
            // reshape_last_stage is read from kwargs with default True.
            row("segformer",
                    aliases(),
                    pairs("num_channels", 3, "num_encoder_blocks", 4, "depths", List.of(2, 2, 2, 2),
                            "sr_ratios", List.of(8, 4, 2, 1), "hidden_sizes", List.of(32, 64, 160, 256),
                            "patch_sizes", List.of(7, 3, 3, 3), "strides", List.of(4, 2, 2, 2),
                            "num_attention_heads", List.of(1, 2, 5, 8), "mlp_ratios", List.of(4, 4, 4, 4),
                            "hidden_act", "gelu", "hidden_dropout_prob", 0.0, "attention_probs_dropout_prob", 0.0,
                            "classifier_dropout_prob", 0.1, "initializer_range", 0.02, "drop_path_rate", 0.1,
                            "layer_norm_eps", 1e-6, "decoder_hidden_size", 256, "semantic_loss_ignore_index", 255,
                            "reshape_last_stage", true)),
            row("squeezebert",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 0, "embedding_size", 768, "q_groups", 4, "k_groups", 4, "v_groups", 4,
                            "post_attention_groups", 1, "intermediate_groups", 4, "output_groups", 4)),
            row("t5",
                    T5_ALIASES,
                    pairs("vocab_size", 32128, "d_model", 512, "d_kv", 64, "d_ff", 2048, "num_layers", 6,
                            "num_decoder_layers", 6, "num_heads", 8, "relative_attention_num_buckets", 32,
                            "relative_attention_max_distance", 128, "dropout_rate", 0.1, "layer_norm_epsilon", 1e-6,
                            "initializer_factor", 1.0, "feed_forward_proj", "relu", "dense_act_fn", "relu",
                            "is_gated_act", false, "is_encoder_decoder", true, "use_cache", true,
                            "pad_token_id", 0, "eos_token_id", 1),
                    t5Derivations()),
            row("vit",
                    aliases(),
                    pairs("hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.0,
                            "attention_probs_dropout_prob", 0.0, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "image_size", 224, "patch_size", 16, "num_channels", 3, "qkv_bias", true,
                            "encoder_stride", 16)),
            row("whisper",
                    SEQ2SEQ_ALIASES,
                    pairs("vocab_size", 51865, "num_mel_bins", 80, "encoder_layers", 6, "encoder_attention_heads", 4,
                            "decoder_layers", 6, "decoder_attention_heads", 4, "decoder_ffn_dim", 1536,
                            "encoder_ffn_dim", 1536, "encoder_layerdrop", 0.0, "decoder_layerdrop", 0.0,
                            "decoder_start_token_id", 50257, "use_cache", true, "is_encoder_decoder", true,
                            "activation_function", "gelu", "d_model", 256, "dropout", 0.0, "attention_dropout", 0.0,
                            "activation_dropout", 0.0, "init_std", 0.02, "scale_embedding", false,
                            "max_source_positions", 1500, "max_target_positions", 448, "pad_token_id", 50256,
                            "bos_token_id", 50257, "eos_token_id", 50256, "tie_word_embeddings", true,
                            "suppress_tokens", null, "begin_suppress_tokens", List.of(220, 50256),
                            "num_hidden_layers", 6),
                    derived("num_hidden_layers", copyOf("encoder_layers"))),
            row("xlm",
                    XLM_ALIASES,
                    pairs("vocab_size", 30145, "emb_dim", 2048, "n_layers", 12, "n_heads", 16, "dropout", 0.1,
                            "attention_dropout", 0.1, "gelu_activation", true, "sinusoidal_embeddings", false,
                            "causal", false, "asm", false, "n_langs", 1, "use_lang_emb", true,
                            "max_position_embeddings", 512, "embed_init_std", 0.02209708691207961,
                            "layer_norm_eps", 1e-12, "init_std", 0.02, "bos_index", 0, "eos_index", 1,
                            "pad_index", 2, "unk_index", 3, "mask_index", 5, "is_encoder", true,
                            "summary_type", "first", "summary_use_proj", true, "summary_activation", null,
                            "summary_proj_to_labels", true, "summary_first_dropout", 0.1, "start_n_top", 5,
                            "end_n_top", 5, "mask_token_id", 0, "lang_id", 0, "pad_token_id", 2, "bos_token_id", 0)),
            row("xlm-roberta",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.1,
                            "attention_probs_dropout_prob", 0.1, "max_position_embeddings", 512,
                            "type_vocab_size", 2, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "pad_token_id", 1, "bos_token_id", 0, "eos_token_id", 2,
                            "position_embedding_type", "absolute", "use_cache", true, "classifier_dropout", null)),
            row("yolos",
                    aliases(),
                    pairs("hidden_size", 768, "num_hidden_layers", 12, "num_attention_heads", 12,
                            "intermediate_size", 3072, "hidden_act", "gelu", "hidden_dropout_prob", 0.0,
                            "attention_probs_dropout_prob", 0.0, "initializer_range", 0.02, "layer_norm_eps", 1e-12,
                            "image_size", List.of(512, 864), "patch_size", 16, "num_channels", 3, "qkv_bias", true,
                            "num_detection_tokens", 100, "use_mid_position_embeddings", true,
                            "auxiliary_loss", false, "class_cost", 1, "bbox_cost", 5, "giou_cost", 2,
                            "bbox_loss_coefficient", 5, "giou_loss_coefficient", 2, "eos_coefficient", 0.1)));

    private ConfigDefaults() {}

    /** Transformers' spelling of a model type given in any case, with {@code -} or {@code _}. */
    static String canonicalModelType(String modelType) {
        String lower = modelType.toLowerCase(Locale.ROOT).strip();
        if (ROWS.containsKey(lower)) {
            return lower;
        }
        String underscored = lower.replace('-', '_');
        if (ROWS.containsKey(underscored)) {
            return underscored;
        }
        String hyphenated = lower.replace('_', '-');
        if (ROWS.containsKey(hyphenated)) {
            return hyphenated; // types such as data2vec-text are hyphenated in Transformers itself
        }
        return lower;
    }

    static boolean isKnown(String modelType) {
        return ROWS.containsKey(canonicalModelType(modelType));
    }

    /** Model types with a row, sorted. */
    static List<String> modelTypes() {
        return List.copyOf(ROWS.keySet());
    }

    /** The row of a model type in any spelling {@link #canonicalModelType} accepts. */
    static Optional<Row> row(String modelType) {
        return Optional.ofNullable(ROWS.get(canonicalModelType(modelType)));
    }

    /** The key a config of {@code modelType} stores {@code key} under (its {@code attribute_map}). */
    static String attributeName(String modelType, String key) {
        Row row = ROWS.get(canonicalModelType(modelType));
        return row == null ? key : row.attributeMap().getOrDefault(key, key);
    }

    /** The class default of a stored key, then {@code PretrainedConfig}'s; empty when neither defines it. */
    static Optional<JsonNode> defaultValue(String modelType, String storedKey) {
        Row row = ROWS.get(canonicalModelType(modelType));
        if (row != null && row.defaults().containsKey(storedKey)) {
            return Optional.of(JSON.valueToTree(row.defaults().get(storedKey)));
        }
        if (COMMON.containsKey(storedKey)) {
            return Optional.of(JSON.valueToTree(COMMON.get(storedKey)));
        }
        return Optional.empty();
    }

    /**
     * The value the class computes for a stored key from the config's other values ({@code resolved} reads them),
     * given what the file holds for that key (Java null when absent); empty when the class does not derive the key
     * or the file's value stands.
     */
    static Optional<JsonNode> derivedValue(String modelType, String storedKey, JsonNode fileValue,
            Function<String, JsonNode> resolved) {
        Row row = ROWS.get(canonicalModelType(modelType));
        Derivation derivation = row == null ? null : row.derived().get(storedKey);
        if (derivation == null || !derivation.appliesTo(fileValue)) {
            return Optional.empty();
        }
        return Optional.ofNullable(derivation.derive(resolved));
    }

    // ---- derivations, each as the named Transformers __init__ computes it ----

    /** An argument that defaults to None, standing for another attribute's value. */
    private static Derivation sameAs(String sourceKey) {
        return new Derivation(Derivation.Applies.WHEN_ABSENT_OR_NONE, resolved -> resolved.apply(sourceKey));
    }

    /** An argument with a real default for which None stands for another attribute's value. */
    private static Derivation noneMeans(String sourceKey) {
        return new Derivation(Derivation.Applies.WHEN_NONE, resolved -> resolved.apply(sourceKey));
    }

    /** Not an argument: always a copy of another attribute ({@code num_hidden_layers = encoder_layers}). */
    private static Derivation copyOf(String sourceKey) {
        return computed(resolved -> resolved.apply(sourceKey));
    }

    private static Derivation computed(Function<Function<String, JsonNode>, JsonNode> rule) {
        return new Derivation(Derivation.Applies.ALWAYS_COMPUTED, rule);
    }

    /** An argument defaulting to None for the integer quotient of two attributes ({@code head_dim}). */
    private static Derivation quotient(String dividendKey, String divisorKey) {
        return new Derivation(Derivation.Applies.WHEN_ABSENT_OR_NONE, resolved -> {
            JsonNode dividend = resolved.apply(dividendKey);
            JsonNode divisor = resolved.apply(divisorKey);
            if (!isInteger(dividend) || !isInteger(divisor) || divisor.asLong() == 0) {
                return null;
            }
            return JsonNodeFactory.instance.numberNode(dividend.asLong() / divisor.asLong());
        });
    }

    /**
     * T5-family: {@code num_decoder_layers} defaults to {@code num_layers}; {@code feed_forward_proj} of the form
     * {@code [gated-]act} gives {@code dense_act_fn = act} ({@code gated-gelu} gives {@code gelu_new}) and
     * {@code is_gated_act} (as T5Config.__init__ in Transformers 4.25.1).
     */
    private static Map<String, Derivation> t5Derivations() {
        Derivation activation = computed(resolved -> {
            JsonNode projection = resolved.apply("feed_forward_proj");
            if (projection == null || !projection.isTextual()) {
                return null;
            }
            String text = projection.asText();
            if (text.equals("gated-gelu")) {
                return JsonNodeFactory.instance.textNode("gelu_new");
            }
            String[] parts = text.split("-");
            return JsonNodeFactory.instance.textNode(parts[parts.length - 1]);
        });
        Derivation gated = computed(resolved -> {
            JsonNode projection = resolved.apply("feed_forward_proj");
            if (projection == null || !projection.isTextual()) {
                return null;
            }
            return JsonNodeFactory.instance.booleanNode(projection.asText().split("-")[0].equals("gated"));
        });
        return derived("num_decoder_layers", sameAs("num_layers"), "dense_act_fn", activation,
                "is_gated_act", gated);
    }

    /** GPT-Neo: each {@code [[kinds...], repeat]} entry of {@code attention_types} repeats its kinds. */
    private static Derivation expandedAttentionTypes(String sourceKey) {
        return computed(resolved -> {
            JsonNode types = resolved.apply(sourceKey);
            if (types == null || !types.isArray()) {
                return null;
            }
            ArrayNode layers = JsonNodeFactory.instance.arrayNode();
            for (JsonNode entry : types) {
                if (!entry.isArray() || entry.size() != 2 || !entry.get(0).isArray() || !isInteger(entry.get(1))) {
                    return null;
                }
                for (int repeat = 0; repeat < entry.get(1).asInt(); repeat++) {
                    layers.addAll((ArrayNode) entry.get(0));
                }
            }
            return layers;
        });
    }

    /** MobileBERT: {@code true_hidden_size} is {@code intra_bottleneck_size} with a bottleneck, else hidden_size. */
    private static Derivation bottleneckHiddenSize() {
        return computed(resolved -> {
            JsonNode bottleneck = resolved.apply("use_bottleneck");
            boolean useBottleneck = bottleneck == null || !bottleneck.isBoolean() || bottleneck.asBoolean();
            return resolved.apply(useBottleneck ? "intra_bottleneck_size" : "hidden_size");
        });
    }

    /**
     * LeViT: two subsampling stages, {@code ["Subsample", key_dim[0], hidden_sizes[i] // key_dim[0], 4, 2, 2]} for
     * i = 0, 1.
     */
    private static Derivation levitDownsampling() {
        return computed(resolved -> {
            JsonNode keyDim = resolved.apply("key_dim");
            JsonNode hiddenSizes = resolved.apply("hidden_sizes");
            if (keyDim == null || hiddenSizes == null || !keyDim.isArray() || !hiddenSizes.isArray()
                    || keyDim.isEmpty() || hiddenSizes.size() < 2 || !isInteger(keyDim.get(0))
                    || keyDim.get(0).asInt() == 0) {
                return null;
            }
            int key = keyDim.get(0).asInt();
            ArrayNode stages = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < 2; i++) {
                if (!isInteger(hiddenSizes.get(i))) {
                    return null;
                }
                stages.addArray().add("Subsample").add(key).add(Math.floorDiv(hiddenSizes.get(i).asInt(), key))
                        .add(4).add(2).add(2);
            }
            return stages;
        });
    }

    /** Backbone stage names: {@code "stem"}, then {@code "stage<i>"} for each entry of {@code sourceKey}. */
    private static Derivation stageNames(String sourceKey) {
        return computed(resolved -> {
            JsonNode depths = resolved.apply(sourceKey);
            if (depths == null || !depths.isArray()) {
                return null;
            }
            ArrayNode names = JsonNodeFactory.instance.arrayNode().add("stem");
            for (int stage = 1; stage <= depths.size(); stage++) {
                names.add("stage" + stage);
            }
            return names;
        });
    }

    private static boolean isInteger(JsonNode node) {
        return node != null && node.isIntegralNumber();
    }

    // ---- table builders ----

    private static Row row(String modelType, Map<String, String> attributeMap, Map<String, Object> defaults) {
        return new Row(modelType, attributeMap, defaults, Map.of());
    }

    private static Row row(String modelType, Map<String, String> attributeMap, Map<String, Object> defaults,
            Map<String, Derivation> derived) {
        return new Row(modelType, attributeMap, defaults, derived);
    }

    private static Map<String, String> aliases(String... aliasThenKey) {
        if (aliasThenKey.length % 2 != 0) {
            throw new IllegalArgumentException("aliases come in (alias, stored key) pairs");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < aliasThenKey.length; i += 2) {
            if (map.put(aliasThenKey[i], aliasThenKey[i + 1]) != null) {
                throw new IllegalArgumentException("duplicate alias " + aliasThenKey[i]);
            }
        }
        return map;
    }

    /** Key/value pairs; values may be null (Python {@code None}). */
    private static Map<String, Object> pairs(Object... keyThenValue) {
        if (keyThenValue.length % 2 != 0) {
            throw new IllegalArgumentException("defaults come in (key, value) pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyThenValue.length; i += 2) {
            String key = (String) keyThenValue[i];
            if (map.containsKey(key)) {
                throw new IllegalArgumentException("duplicate default " + key);
            }
            map.put(key, keyThenValue[i + 1]);
        }
        return map;
    }

    /** {@link #pairs} whose keys must come in sorted order. */
    private static Map<String, Object> sortedPairs(Object... keyThenValue) {
        Map<String, Object> map = pairs(keyThenValue);
        String previous = null;
        for (String key : map.keySet()) {
            if (previous != null && previous.compareTo(key) > 0) {
                throw new IllegalStateException("keys must be sorted: " + key + " comes after " + previous);
            }
            previous = key;
        }
        return Collections.unmodifiableMap(map);
    }

    /** (stored key, derivation) pairs. */
    private static Map<String, Derivation> derived(Object... keyThenDerivation) {
        if (keyThenDerivation.length % 2 != 0) {
            throw new IllegalArgumentException("derivations come in (key, derivation) pairs");
        }
        Map<String, Derivation> map = new LinkedHashMap<>();
        for (int i = 0; i < keyThenDerivation.length; i += 2) {
            if (map.put((String) keyThenDerivation[i], (Derivation) keyThenDerivation[i + 1]) != null) {
                throw new IllegalArgumentException("duplicate derivation " + keyThenDerivation[i]);
            }
        }
        return map;
    }

    /** {@code [first, second] * times}, as GPT-Neo's default attention_layers. */
    private static List<String> alternating(String first, String second, int times) {
        String[] layers = new String[2 * times];
        for (int i = 0; i < times; i++) {
            layers[2 * i] = first;
            layers[2 * i + 1] = second;
        }
        return List.of(layers);
    }

    private static Map<String, Row> table(Row... rows) {
        Map<String, Row> map = new TreeMap<>();
        String previous = null;
        for (Row row : rows) {
            if (map.put(row.modelType(), row) != null) {
                throw new IllegalStateException("duplicate config defaults row: " + row.modelType());
            }
            if (previous != null && previous.compareTo(row.modelType()) > 0) {
                throw new IllegalStateException("config defaults rows must be sorted: " + row.modelType()
                        + " comes after " + previous);
            }
            previous = row.modelType();
        }
        return Collections.unmodifiableMap(map);
    }
}
