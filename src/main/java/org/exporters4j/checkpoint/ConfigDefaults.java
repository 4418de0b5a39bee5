package org.exporters4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The defaults and {@code attribute_map} of each Transformers configuration class, keyed by {@code model_type}
 * in Transformers' spelling ({@code gpt_neo}). Values mirror the class's {@code __init__} defaults (Transformers
 * 4.25.1 for the Optimum v1.5.2 types; the version that introduced the type for newer ones).
 *
 * <p>One row per model type, sorted; the builder rejects duplicates. {@link #COMMON} holds what every
 * {@code PretrainedConfig} defines.
 */
final class ConfigDefaults {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One configuration class: its attribute map (alias → stored key) and its defaults (stored key → value). */
    record Row(String modelType, Map<String, String> attributeMap, Map<String, Object> defaults) {
        Row {
            if (modelType == null || modelType.isBlank() || !modelType.equals(modelType.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("model type must be lower-case Transformers spelling: " + modelType);
            }
            attributeMap = Collections.unmodifiableMap(new LinkedHashMap<>(attributeMap));
            defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        }
    }

    /** Defaults of {@code PretrainedConfig} itself (transformers/configuration_utils.py). */
    static final Map<String, Object> COMMON = pairs(
            "add_cross_attention", false,
            "architectures", null,
            "bos_token_id", null,
            "chunk_size_feed_forward", 0,
            "decoder_start_token_id", null,
            "eos_token_id", null,
            "is_decoder", false,
            "is_encoder_decoder", false,
            "output_attentions", false,
            "output_hidden_states", false,
            "pad_token_id", null,
            "problem_type", null,
            "return_dict", true,
            "sep_token_id", null,
            "tie_encoder_decoder", false,
            "tie_word_embeddings", true,
            "torchscript", false);

    private static final Map<String, Row> ROWS = table(
            row("bert",
                    aliases(),
                    pairs("vocab_size", 30522, "hidden_size", 768, "num_hidden_layers", 12,
                            "num_attention_heads", 12, "intermediate_size", 3072, "hidden_act", "gelu",
                            "hidden_dropout_prob", 0.1, "attention_probs_dropout_prob", 0.1,
                            "max_position_embeddings", 512, "type_vocab_size", 2, "initializer_range", 0.02,
                            "layer_norm_eps", 1e-12, "pad_token_id", 0, "position_embedding_type", "absolute",
                            "use_cache", true, "classifier_dropout", null)),
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
                            "reorder_and_upcast_attn", false)));

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

    private static Row row(String modelType, Map<String, String> attributeMap, Map<String, Object> defaults) {
        return new Row(modelType, attributeMap, defaults);
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
