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
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The defaults and {@code attribute_map} of each Transformers configuration class, keyed by {@code model_type}
 * in Transformers' spelling ({@code gpt_neo}, {@code blenderbot-small}). The facts are data, in the resource
 * {@code config-classes.json} beside this class ({@link ConfigClassTable} reads and validates it once, when this
 * class loads); this class answers the lookups {@link ModelConfig} makes.
 *
 * <p>A row holds the attribute values of a default-constructed configuration ({@code T5Config().num_decoder_layers}
 * is 6). Where {@code __init__} computes an attribute from others ({@code num_decoder_layers = num_layers} when
 * None), the row also names that {@link Derivation}, so a config file that omits the attribute (or stores None)
 * resolves it from the file's own values, as Transformers does. {@link #COMMON} holds what every
 * {@code PretrainedConfig} defines.
 */
final class ConfigDefaults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final ConfigClassTable TABLE = ConfigClassTable.load();

    /**
     * Attributes of {@code PretrainedConfig} itself and their defaults (Transformers 4.25.1
     * configuration_utils.py), sorted. {@code id2label}/{@code label2id} are derived from {@code num_labels} there
     * and are read through {@link ModelConfig#numLabels()}.
     */
    static final Map<String, Object> COMMON = TABLE.common();

    private static final Map<String, Row> ROWS = TABLE.rows();

    /**
     * How a configuration class computes an attribute from its other attributes: one of the closed set of
     * {@link DerivationRule}s, with its parameters (the names of the attributes it reads).
     */
    record Derivation(DerivationRule rule, Map<String, String> parameters) {
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
            if (rule == null || parameters == null) {
                throw new IllegalArgumentException("a derivation needs its rule and parameters");
            }
            parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
            if (!parameters.keySet().equals(new TreeSet<>(rule.parameterNames()))) {
                throw new IllegalArgumentException("rule " + rule.dataName() + " takes the parameters "
                        + rule.parameterNames() + ", given " + parameters.keySet());
            }
            for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                if (parameter.getValue() == null || parameter.getValue().isBlank()) {
                    throw new IllegalArgumentException("rule " + rule.dataName() + ": parameter "
                            + parameter.getKey() + " must name an attribute");
                }
            }
        }

        /** When the rule applies: always, when the file omits the key or holds None, or only when None. */
        Applies applies() {
            return rule.applies();
        }

        /** Whether the value is computed, given what the file holds for the key (Java null when absent). */
        boolean appliesTo(JsonNode fileValue) {
            if (fileValue != null && !fileValue.isNull()) {
                return false; // the file's own value wins, as PretrainedConfig sets leftover kwargs last
            }
            return applies() != Applies.WHEN_NONE || fileValue != null;
        }

        JsonNode derive(Function<String, JsonNode> resolved) {
            return rule.derive(parameters, resolved);
        }
    }

    /**
     * One configuration class: its Transformers class name and the version it mirrors, notes on where the row
     * departs from that version (empty when none), its attribute map (alias → stored key), the attribute values of
     * a default-constructed instance (stored key → value, in {@code __init__} order; Python None is null; values
     * are immutable) and the attributes it derives from others.
     */
    record Row(String modelType, String configClass, String transformers, String notes,
            Map<String, String> attributeMap, Map<String, Object> defaults, Map<String, Derivation> derived) {
        private static final Pattern CLASS_NAME = Pattern.compile("[A-Z][A-Za-z0-9_]*Config");
        static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+(\\.\\d+)?");

        Row {
            if (modelType == null || modelType.isBlank() || !modelType.equals(modelType.toLowerCase(Locale.ROOT))
                    || !modelType.equals(modelType.strip())) {
                throw new IllegalArgumentException("model type \"" + modelType + "\": must be Transformers' "
                        + "lower-case spelling, as config.json's model_type");
            }
            String row = "model type \"" + modelType + "\": ";
            if (configClass == null || !CLASS_NAME.matcher(configClass).matches()) {
                throw new IllegalArgumentException(row + "class must be a Transformers configuration class "
                        + "name such as BertConfig, found " + configClass);
            }
            if (transformers == null || !VERSION.matcher(transformers).matches()) {
                throw new IllegalArgumentException(row + "transformers must be the version the row mirrors, "
                        + "such as 4.25.1, found " + transformers);
            }
            if (notes == null) {
                throw new IllegalArgumentException(row + "notes may be empty, not null");
            }
            attributeMap = Collections.unmodifiableMap(new LinkedHashMap<>(attributeMap));
            defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
            derived = Collections.unmodifiableMap(new LinkedHashMap<>(derived));
            if (defaults.isEmpty()) {
                throw new IllegalArgumentException(row + "a configuration class has defaults; list them");
            }
            for (String key : derived.keySet()) {
                if (!defaults.containsKey(key)) {
                    throw new IllegalArgumentException(row + "derived attribute \"" + key
                            + "\" needs its default-instance value among the defaults");
                }
            }
            for (Map.Entry<String, String> alias : attributeMap.entrySet()) {
                if (defaults.containsKey(alias.getKey())) {
                    throw new IllegalArgumentException(row + "\"" + alias.getKey()
                            + "\" is both an alias and a stored attribute; keep one");
                }
                if (attributeMap.containsKey(alias.getValue())) {
                    throw new IllegalArgumentException(row + "alias \"" + alias.getKey() + "\" points at \""
                            + alias.getValue() + "\", itself an alias; point it at the stored key");
                }
            }
        }
    }

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
}
