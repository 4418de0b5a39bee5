package org.exporters4j.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;

/**
 * Which stored {@code config.json} attribute stands for each {@link ConfigAttribute} of one model type: the
 * counterpart of Optimum's {@code NormalizedConfig.with_args(...)}, written with Transformers' stored names (gpt2
 * {@code n_layer}, t5 {@code num_decoder_layers}) so nothing depends on a configuration class's attribute map.
 *
 * <p>An attribute may list several keys: the first the config has wins, as Transformers' {@code __init__} derives one
 * from another (T5's {@code num_decoder_layers} defaults to {@code num_layers}). A key {@code text_config.vocab_size}
 * reads a sub-configuration, whose default model type {@link #subConfigTypes} names.
 */
record ConfigAttributes(Map<ConfigAttribute, List<String>> keys, Map<String, String> subConfigTypes) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** NormalizedTextConfig's names: vocab_size, hidden_size, num_hidden_layers, num_attention_heads, eos_token_id. */
    static final ConfigAttributes TEXT = new ConfigAttributes(Map.of(
            ConfigAttribute.VOCAB_SIZE, List.of("vocab_size"),
            ConfigAttribute.HIDDEN_SIZE, List.of("hidden_size"),
            ConfigAttribute.NUM_LAYERS, List.of("num_hidden_layers"),
            ConfigAttribute.NUM_ATTENTION_HEADS, List.of("num_attention_heads"),
            ConfigAttribute.EOS_TOKEN_ID, List.of("eos_token_id"),
            ConfigAttribute.TYPE_VOCAB_SIZE, List.of("type_vocab_size"),
            ConfigAttribute.MAX_2D_POSITION_EMBEDDINGS, List.of("max_2d_position_embeddings")), Map.of());

    /** NormalizedVisionConfig's names: image_size, num_channels. */
    static final ConfigAttributes VISION = new ConfigAttributes(Map.of(
            ConfigAttribute.IMAGE_SIZE, List.of("image_size"),
            ConfigAttribute.NUM_CHANNELS, List.of("num_channels")), Map.of());

    ConfigAttributes {
        EnumMap<ConfigAttribute, List<String>> copy = new EnumMap<>(ConfigAttribute.class);
        keys.forEach((attribute, names) -> {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("attribute " + attribute + " needs at least one config key");
            }
            copy.put(attribute, List.copyOf(names));
        });
        keys = Collections.unmodifiableMap(copy);
        subConfigTypes = Map.copyOf(subConfigTypes);
    }

    /** These names with {@code attribute} read from {@code configKeys} (first present wins). */
    ConfigAttributes with(ConfigAttribute attribute, String... configKeys) {
        EnumMap<ConfigAttribute, List<String>> copy = new EnumMap<>(ConfigAttribute.class);
        copy.putAll(keys);
        copy.put(attribute, List.of(configKeys));
        return new ConfigAttributes(copy, subConfigTypes);
    }

    /** These names with sub-configuration {@code key} (e.g. {@code text_config}) of default type {@code type}. */
    ConfigAttributes withSubConfig(String key, String modelType) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(subConfigTypes);
        copy.put(key, modelType);
        return new ConfigAttributes(keys, copy);
    }

    boolean defines(ConfigAttribute attribute) {
        return keys.containsKey(attribute);
    }

    /** The integer value, or empty when the config has none of the attribute's keys. */
    Optional<Integer> optionalInt(ModelConfig config, ConfigAttribute attribute) {
        for (String key : keys.getOrDefault(attribute, List.of())) {
            Optional<ModelConfig> owner = owner(config, key);
            String leaf = leaf(key);
            if (owner.isPresent() && owner.get().has(leaf)) {
                return Optional.of(owner.get().intValue(leaf));
            }
        }
        return Optional.empty();
    }

    /** The integer value; a config with none of the keys is an error that names the first key. */
    int intValue(ModelConfig config, ConfigAttribute attribute) {
        List<String> candidates = keys.get(attribute);
        if (candidates == null) {
            throw new IllegalStateException("no config key is declared for " + attribute);
        }
        return optionalInt(config, attribute).orElseThrow(() -> new ModelConfigException(config.source()
                + " has no \"" + String.join("\" or \"", candidates) + "\" and the " + config.modelType()
                + " configuration has no default for it; add it to config.json"));
    }

    /** A value that is an int or a list of ints (an image size as side or [height, width]); empty when absent. */
    List<Integer> intOrPair(ModelConfig config, ConfigAttribute attribute) {
        for (String key : keys.getOrDefault(attribute, List.of())) {
            Optional<ModelConfig> owner = owner(config, key);
            String leaf = leaf(key);
            if (owner.isPresent() && owner.get().has(leaf)) {
                try {
                    return List.of(owner.get().intValue(leaf));
                } catch (ModelConfigException notAnInteger) {
                    List<Integer> values = owner.get().intList(leaf);
                    if (values.size() != 2) {
                        throw new ModelConfigException(config.source() + ": \"" + key + "\" must be an integer or "
                                + "[height, width], found " + values);
                    }
                    return values;
                }
            }
        }
        return List.of();
    }

    private Optional<ModelConfig> owner(ModelConfig config, String key) {
        int dot = key.indexOf('.');
        if (dot < 0) {
            return Optional.of(config);
        }
        String section = key.substring(0, dot);
        String defaultType = subConfigTypes.get(section);
        if (defaultType == null) {
            throw new IllegalStateException("sub-configuration " + section + " has no default model type");
        }
        Optional<ModelConfig> known = config.subConfig(section, defaultType);
        return known.isPresent() ? known : sectionAsWritten(config, section, defaultType);
    }

    /**
     * A sub-configuration whose model type has no defaults row: the section as config.json writes it, so the values
     * the file sets are still read.
     */
    private static Optional<ModelConfig> sectionAsWritten(ModelConfig config, String section, String defaultType) {
        JsonNode node;
        try {
            node = JSON.readTree(config.toJson()).get(section);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ModelConfig.toJson() always writes valid JSON", e);
        }
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        if (!copy.hasNonNull("model_type")) {
            copy.put("model_type", defaultType);
        }
        return Optional.of(ModelConfig.parse(copy.toString(), config.source() + " → " + section));
    }

    private static String leaf(String key) {
        return key.substring(key.indexOf('.') + 1);
    }

    /** All config keys named, for documentation and tests. */
    List<String> allKeys() {
        List<String> all = new ArrayList<>();
        keys.values().forEach(all::addAll);
        return all;
    }
}
