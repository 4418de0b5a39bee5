package org.exporters4j.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.exporters4j.Exporters4jException;
import org.exporters4j.SmallFile;

/**
 * A model's {@code config.json} as a typed, immutable view.
 *
 * <p>Reading a key resolves like a Transformers {@code PretrainedConfig} attribute: the class's
 * {@code attribute_map} first ({@code hidden_size} on GPT-2 reads {@code n_embd}), then the value in the file, then
 * the value the configuration class derives from the file's other values when the file omits it or holds None
 * ({@code num_key_value_heads} of Llama is {@code num_attention_heads}), then the default of the model type's
 * configuration class ({@link ConfigDefaults}), then the defaults every {@code PretrainedConfig} has. A key with
 * none of these is absent: the typed getters then throw an error that names the key, the model type and the file.
 */
public final class ModelConfig {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode values;
    private final String modelType;
    private final String source;

    private ModelConfig(ObjectNode values, String modelType, String source) {
        this.values = values;
        this.modelType = modelType;
        this.source = source;
    }

    /**
     * Reads {@code config.json} through the bounded reader ({@link SmallFile#CONFIG}: a regular file under its cap,
     * UTF-8, one JSON value); a missing file, a refused one, invalid JSON or a missing {@code model_type} is an error.
     */
    public static ModelConfig read(Path configJson) {
        String text;
        try {
            text = SmallFile.CONFIG.readText(configJson);
        } catch (NoSuchFileException e) {
            throw new ModelConfigException("config file not found: " + configJson
                    + " (a Transformers checkpoint folder has a config.json beside its weights)", e);
        } catch (SmallFile.Refused e) {
            throw new ModelConfigException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelConfigException("cannot read config file " + configJson + ": " + e.getMessage(), e);
        }
        return parse(text, configJson.toString());
    }

    /**
     * Parses config JSON text; {@code source} names it in errors (a path or a description). The text must be exactly
     * one JSON object, as Python's {@code json.loads} reads it ({@link SmallFile#parseJson}).
     */
    public static ModelConfig parse(String json, String source) {
        JsonNode node;
        try {
            node = SmallFile.parseJson(json, source);
        } catch (SmallFile.Refused e) {
            throw new ModelConfigException(e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new ModelConfigException(source + " must hold a JSON object, like the config.json that "
                    + "Transformers' save_pretrained writes");
        }
        JsonNode type = node.get("model_type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw new ModelConfigException(source + " has no \"model_type\"; add the model type (e.g. \"bert\") "
                    + "as Transformers' save_pretrained writes it");
        }
        return new ModelConfig(((ObjectNode) node).deepCopy(), type.asText(), source);
    }

    /**
     * The configuration Transformers builds for {@code modelType} with no arguments (its class defaults), for
     * export configurations asked about without a checkpoint.
     */
    public static ModelConfig defaultsFor(String modelType) {
        String canonical = ConfigDefaults.canonicalModelType(modelType);
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("model_type", canonical);
        return new ModelConfig(node, canonical, "the default " + canonical + " configuration of Transformers");
    }

    /** {@code model_type} as written in the file (Transformers' spelling, e.g. {@code gpt_neo}). */
    public String modelType() {
        return modelType;
    }

    /** Where this config came from (a path, or a description), for error messages. */
    public String source() {
        return source;
    }

    /** True when {@code key} resolves to a non-null value (file, attribute map or defaults). */
    public boolean has(String key) {
        JsonNode node = resolve(key);
        return node != null && !node.isNull();
    }

    /** True when the file itself sets {@code key} (after the attribute map), not a default. */
    public boolean isSetInFile(String key) {
        JsonNode node = values.get(ConfigDefaults.attributeName(modelType, key));
        return node != null;
    }

    public Optional<Integer> optionalInt(String key) {
        return optional(key, "an integer", ModelConfig::isWholeInt, node -> inRange(key, node).asInt());
    }

    public int intValue(String key) {
        return optionalInt(key).orElseThrow(() -> missing(key));
    }

    /** {@link #intAtLeast} 1, for a count or a size the export builds from. */
    public int positiveInt(String key) {
        return intAtLeast(key, 1, "");
    }

    /** {@link #intAtLeast} 0, for a count that may be zero (a layer count, a window of which 0 means none). */
    public int nonNegativeInt(String key) {
        return intAtLeast(key, 0, "");
    }

    /**
     * The integer at {@code key}, which must be {@code minimum} or more: a smaller value is an error naming the
     * file, the key as the caller reads it, the value and the valid range, with {@code why} (when not empty) in
     * parentheses after it, e.g. what the released checkpoints use. An absent key is an error as {@link #intValue}.
     */
    public int intAtLeast(String key, int minimum, String why) {
        int value = intValue(key);
        if (value < minimum) {
            throw new ModelConfigException(source + " sets " + key + " " + value + "; it must be " + minimum
                    + " or more" + (why.isEmpty() ? "" : " (" + why + ")"));
        }
        return value;
    }

    public Optional<Double> optionalDouble(String key) {
        return optional(key, "a number", JsonNode::isNumber, node -> inRange(key, node).asDouble());
    }

    public double doubleValue(String key) {
        return optionalDouble(key).orElseThrow(() -> missing(key));
    }

    public Optional<String> optionalString(String key) {
        return optional(key, "a string", JsonNode::isTextual, JsonNode::asText);
    }

    public String stringValue(String key) {
        return optionalString(key).orElseThrow(() -> missing(key));
    }

    public Optional<Boolean> optionalBoolean(String key) {
        return optional(key, "true or false", JsonNode::isBoolean, JsonNode::asBoolean);
    }

    public boolean booleanValue(String key) {
        return optionalBoolean(key).orElseThrow(() -> missing(key));
    }

    /**
     * True when {@code key} resolves to a JSON string, for options a configuration class accepts either as a string
     * or as a list and converts in its {@code __init__} (DeBERTa's {@code pos_att_type: "c2p|p2c"}).
     */
    public boolean isString(String key) {
        JsonNode node = resolve(key);
        return node != null && node.isTextual();
    }

    /** A list of integers (e.g. {@code hidden_sizes}); absent → empty. */
    public List<Integer> intList(String key) {
        return list(key, "a list of integers", JsonNode::canConvertToInt, JsonNode::asInt);
    }

    /**
     * A list of numbers (e.g. GroupViT's {@code assign_mlp_ratio}); a single number is a list of one, as the options
     * that take either accept it; absent → empty.
     */
    public List<Double> doubleList(String key) {
        JsonNode node = resolve(key);
        if (node != null && node.isNumber()) {
            return List.of(node.asDouble());
        }
        return elements(key, node, node, "a number or a list of numbers", JsonNode::isNumber, JsonNode::asDouble);
    }

    /** A list of strings (e.g. {@code architectures}); absent → empty. */
    public List<String> stringList(String key) {
        return list(key, "a list of strings", JsonNode::isTextual, JsonNode::asText);
    }

    /**
     * A list of lists of scalars, each scalar as its text (LeViT's {@code down_ops}:
     * {@code [["Subsample", 16, 8, 4, 2, 2], [""]]} gives {@code [[Subsample, 16, 8, 4, 2, 2], []]}); absent → empty.
     */
    public List<List<String>> nestedList(String key) {
        JsonNode node = resolve(key);
        return elements(key, node, node, "a list of lists", JsonNode::isArray, inner -> elements(key, inner, node,
                "a list of lists of numbers and strings", element -> element.isValueNode() && !element.isNull(),
                JsonNode::asText));
    }

    /** {@code architectures} as saved by {@code save_pretrained} (e.g. {@code BertForMaskedLM}); may be empty. */
    public List<String> architectures() {
        return stringList("architectures");
    }

    /**
     * The number of labels of a classification head, as {@code PretrainedConfig.num_labels}: the size of
     * {@code id2label} when present, else {@code num_labels}, else 2.
     */
    public int numLabels() {
        JsonNode id2label = values.get("id2label");
        if (id2label != null && id2label.isObject()) {
            return id2label.size();
        }
        return optionalInt("num_labels").orElse(2);
    }

    /** A sub-configuration (e.g. {@code text_config} of CLIP), resolved with its own model type's defaults. */
    public Optional<ModelConfig> subConfig(String key, String defaultModelType) {
        JsonNode node = values.get(key);
        ObjectNode sub = node != null && node.isObject()
                ? ((ObjectNode) node).deepCopy() : JsonNodeFactory.instance.objectNode();
        if (node != null && !node.isNull() && !node.isObject()) {
            throw wrongType(key, node, "a JSON object");
        }
        JsonNode type = sub.get("model_type");
        // SAM's prompt encoder and mask decoder configurations are saved with model_type "": their role decides
        String subType = type != null && type.isTextual() && !type.asText().isEmpty() ? type.asText()
                : defaultModelType;
        if (!ConfigDefaults.isKnown(subType)) {
            return Optional.empty();
        }
        sub.put("model_type", subType);
        return Optional.of(new ModelConfig(sub, subType, source + " → " + key));
    }

    /**
     * A JSON object value (e.g. Llama's {@code rope_scaling}) as plain Java values (maps, lists, strings, numbers,
     * booleans, null), in the file's key order; absent or null → empty.
     */
    public Optional<Map<String, Object>> optionalObject(String key) {
        return optional(key, "a JSON object", JsonNode::isObject, node -> java.util.Collections.unmodifiableMap(
                JSON.<Map<String, Object>>convertValue(node, JSON.getTypeFactory()
                        .constructMapType(java.util.LinkedHashMap.class, String.class, Object.class))));
    }

    /**
     * This config with {@code overrides} applied, as Optimum's {@code values_override} sets attributes on
     * {@code model.config} before export (keys go through the attribute map).
     */
    public ModelConfig withOverrides(Map<String, ?> overrides) {
        ObjectNode copy = values.deepCopy();
        for (Map.Entry<String, ?> entry : overrides.entrySet()) {
            copy.set(ConfigDefaults.attributeName(modelType, entry.getKey()), JSON.valueToTree(entry.getValue()));
        }
        return new ModelConfig(copy, modelType, source);
    }

    /** The file's own keys (not defaults), sorted, for diagnostics. */
    public List<String> keysInFile() {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = values.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        keys.sort(null);
        return List.copyOf(keys);
    }

    /** The file's content (with overrides applied), as pretty-printed JSON to write beside an exported model. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(values) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serialises", e);
        }
    }

    private JsonNode resolve(String key) {
        String attribute = ConfigDefaults.attributeName(modelType, key);
        JsonNode node = values.get(attribute);
        if (node != null && !node.isNull()) {
            return node;
        }
        // as the configuration classes' __init__: an attribute computed from others when absent or None
        // the values it is derived from are range-checked as read, so an error names the attribute the file sets
        Optional<JsonNode> derived = ConfigDefaults.derivedValue(modelType, attribute, node, from -> {
            JsonNode value = resolve(from);
            if (value != null && !value.isNull()) {
                inRange(from, value);
            }
            return value;
        });
        if (derived.isPresent() && !derived.get().isNull()) {
            return derived.get();
        }
        if (node != null) {
            return node; // None written in the file
        }
        return ConfigDefaults.defaultValue(modelType, attribute).orElse(null);
    }

    /**
     * The value of {@code key} converted by {@code convert} when {@code accepts} takes it; absent or null → empty;
     * any other value is an error naming the key, the value and {@code expected}.
     */
    private <T> Optional<T> optional(String key, String expected, Predicate<JsonNode> accepts,
                                     Function<JsonNode, T> convert) {
        JsonNode node = resolve(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!accepts.test(node)) {
            throw wrongType(key, node, expected);
        }
        return Optional.of(convert.apply(node));
    }

    /** The list at {@code key}, each element accepted then converted, as {@link #elements}. */
    private <T> List<T> list(String key, String expected, Predicate<JsonNode> accepts, Function<JsonNode, T> convert) {
        JsonNode node = resolve(key);
        return elements(key, node, node, expected, accepts, convert);
    }

    /**
     * The elements of {@code node}, the list at {@code key} (or within it), each converted by {@code convert} when
     * {@code accepts} takes it; absent or null → empty; a value that is no list or an element refused is an error
     * naming the key, the value {@code reported} (the whole option) and {@code expected}.
     */
    private <T> List<T> elements(String key, JsonNode node, JsonNode reported, String expected,
                                 Predicate<JsonNode> accepts, Function<JsonNode, T> convert) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw wrongType(key, reported, expected);
        }
        List<T> result = new ArrayList<>();
        for (JsonNode element : node) {
            if (!accepts.test(element)) {
                throw wrongType(key, reported, expected);
            }
            result.add(convert.apply(element));
        }
        return List.copyOf(result);
    }

    /** An int-sized number without a fraction ({@code 4} or {@code 4.0}, as Python's int() of a whole float). */
    private static boolean isWholeInt(JsonNode node) {
        return node.canConvertToInt()
                && (node.isIntegralNumber() || (node.isNumber() && node.asDouble() == Math.rint(node.asDouble())));
    }

    /** A value the attribute's row in {@link ConfigRanges} refuses is an error naming it, its value and its range. */
    private JsonNode inRange(String key, JsonNode node) {
        ModelConfigException outOfRange = ConfigRanges.check(source, ConfigDefaults.attributeName(modelType, key),
                node);
        if (outOfRange != null) {
            throw outOfRange;
        }
        return node;
    }

    private ModelConfigException missing(String key) {
        String attribute = ConfigDefaults.attributeName(modelType, key);
        String named = attribute.equals(key) ? "\"" + key + "\"" : "\"" + key + "\" (\"" + attribute + "\" in "
                + modelType + " configs)";
        JsonNode stored = values.get(attribute);
        if (stored != null && stored.isNull()) {
            return new ModelConfigException(source + " sets " + named + " to null, but the export needs a value; "
                    + "set it in config.json");
        }
        return new ModelConfigException(source + " has no " + named + " and the " + modelType
                + " configuration has no default for it; add it to config.json");
    }

    private ModelConfigException wrongType(String key, JsonNode node, String expected) {
        return new ModelConfigException(source + ": \"" + ConfigDefaults.attributeName(modelType, key)
                + "\" must be " + expected + ", found " + node.toString().toLowerCase(Locale.ROOT).replace('\n', ' '));
    }

    @Override
    public String toString() {
        return "ModelConfig[" + modelType + " from " + source + "]";
    }
}
