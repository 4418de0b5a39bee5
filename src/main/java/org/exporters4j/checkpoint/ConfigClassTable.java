package org.exporters4j.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.exporters4j.checkpoint.ConfigDefaults.Derivation;
import org.exporters4j.checkpoint.ConfigDefaults.Row;

/**
 * The resource {@code config-classes.json}: the facts of Transformers' configuration classes as data, read and
 * validated in full once, then immutable. {@code pretrainedTransformers} and {@code common} are what every class
 * inherits from {@code PretrainedConfig} (sorted by key); {@code rows} holds one {@link Row} per model type, sorted.
 *
 * <p>Whatever would make a lookup wrong is refused here, with a message that names the entry and the fix: invalid
 * JSON or a duplicate key anywhere, an unknown field, model types out of order or two spellings that differ only in
 * {@code -} and {@code _} (which {@link ConfigDefaults#canonicalModelType} could not tell apart), an unknown rule or
 * missing parameter, a derived attribute without its default, a rule or alias reading an attribute that neither the
 * class nor {@code PretrainedConfig} defines, and derivations that read each other in a cycle.
 */
record ConfigClassTable(String pretrainedTransformers, Map<String, Object> common, Map<String, Row> rows) {
    /** The resource name, beside this class on the class path. */
    static final String RESOURCE = "config-classes.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final List<String> TOP_FIELDS = List.of("about", "pretrained_config", "model_types");
    private static final List<String> PRETRAINED_FIELDS = List.of("class", "transformers", "notes", "defaults");
    private static final List<String> ENTRY_FIELDS =
            List.of("class", "transformers", "notes", "attribute_map", "defaults", "derived");

    ConfigClassTable {
        common = Collections.unmodifiableMap(new LinkedHashMap<>(common));
        rows = Collections.unmodifiableMap(new TreeMap<>(rows));
    }

    /** Reads the resource beside this class; a missing or invalid file stops class initialisation. */
    static ConfigClassTable load() {
        try (InputStream in = ConfigClassTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path beside "
                        + ConfigClassTable.class.getName() + "; it lives in src/main/resources/org/exporters4j/"
                        + "checkpoint/ and Maven copies it into the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates the text of a config-classes file; {@code source} names it in errors. */
    static ConfigClassTable parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(source + " is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage()
                    + "; every key may appear once per object");
        }
        checkFields(root, source, TOP_FIELDS, List.of("pretrained_config", "model_types"));
        JsonNode about = root.get("about");
        if (about != null && !isStrings(about)) {
            throw new IllegalStateException(source + ": \"about\" must be a list of lines of text");
        }

        String pretrainedWhere = source + ", pretrained_config";
        JsonNode pretrained = root.get("pretrained_config");
        checkFields(pretrained, pretrainedWhere, PRETRAINED_FIELDS, List.of("class", "transformers", "defaults"));
        String pretrainedClass = text(pretrained, "class", pretrainedWhere);
        if (!pretrainedClass.equals("PretrainedConfig")) {
            throw new IllegalStateException(pretrainedWhere + ": class must be PretrainedConfig, found "
                    + pretrainedClass);
        }
        String pretrainedTransformers = text(pretrained, "transformers", pretrainedWhere);
        if (!Row.VERSION.matcher(pretrainedTransformers).matches()) {
            throw new IllegalStateException(pretrainedWhere + ": transformers must be a version such as 4.25.1, "
                    + "found " + pretrainedTransformers);
        }
        optionalText(pretrained, "notes", pretrainedWhere);
        Map<String, Object> common = plainObject(pretrained.get("defaults"), pretrainedWhere + ", defaults");
        requireSorted(common.keySet(), pretrainedWhere + ", defaults", "key");

        JsonNode types = root.get("model_types");
        if (!types.isObject() || types.isEmpty()) {
            throw new IllegalStateException(source + ": model_types must be a non-empty object keyed by model type");
        }
        requireSorted(fieldNames(types), source + ", model_types", "model type");
        Map<String, String> spellings = new HashMap<>();
        Map<String, Row> rows = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = types.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String modelType = entry.getKey();
            String where = source + ", model type \"" + modelType + "\"";
            String other = spellings.put(modelType.replace('-', '_'), modelType);
            if (other != null) {
                throw new IllegalStateException(where + ": differs from \"" + other + "\" only in - and _, so a "
                        + "model type given in either spelling could not be told apart; keep Transformers' one");
            }
            Row row = row(source, modelType, entry.getValue());
            checkReferences(row, common, where);
            rows.put(modelType, row);
        }
        return new ConfigClassTable(pretrainedTransformers, common, rows);
    }

    private static Row row(String source, String modelType, JsonNode entry) {
        String where = source + ", model type \"" + modelType + "\"";
        checkFields(entry, where, ENTRY_FIELDS, List.of("class", "transformers", "defaults"));
        Map<String, String> attributeMap = new LinkedHashMap<>();
        JsonNode aliases = entry.get("attribute_map");
        if (aliases != null) {
            if (!aliases.isObject()) {
                throw new IllegalStateException(where + ": attribute_map must be an object of alias → stored key");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = aliases.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> alias = it.next();
                if (!alias.getValue().isTextual()) {
                    throw new IllegalStateException(where + ": attribute_map maps \"" + alias.getKey()
                            + "\" to " + alias.getValue() + "; it must map to the stored key's name");
                }
                attributeMap.put(alias.getKey(), alias.getValue().asText());
            }
        }
        Map<String, Derivation> derived = new LinkedHashMap<>();
        JsonNode derivations = entry.get("derived");
        if (derivations != null) {
            if (!derivations.isObject()) {
                throw new IllegalStateException(where + ": derived must be an object of stored key → "
                        + "{\"rule\": ..., parameters}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = derivations.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> derivation = it.next();
                derived.put(derivation.getKey(), derivation(derivation.getValue(),
                        where + ", derived \"" + derivation.getKey() + "\""));
            }
        }
        try {
            return new Row(modelType, text(entry, "class", where), text(entry, "transformers", where),
                    optionalText(entry, "notes", where), attributeMap,
                    plainObject(entry.get("defaults"), where + ", defaults"), derived);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + ", " + e.getMessage(), e); // the message names the row
        }
    }

    private static Derivation derivation(JsonNode node, String where) {
        if (!node.isObject() || !node.has("rule") || !node.get("rule").isTextual()) {
            throw new IllegalStateException(where + ": must be an object naming its \"rule\" (one of "
                    + DerivationRule.dataNames() + ") and the rule's parameters");
        }
        String ruleName = node.get("rule").asText();
        DerivationRule rule = DerivationRule.fromDataName(ruleName);
        if (rule == null) {
            List<String> names = new ArrayList<>();
            for (DerivationRule known : DerivationRule.values()) {
                names.add(known.dataName());
            }
            throw new IllegalStateException(where + ": unknown rule \"" + ruleName + "\""
                    + CloseMatches.describe(ruleName, names) + "; the rules are " + DerivationRule.dataNames()
                    + " (a new kind of derivation is a new DerivationRule constant)");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("rule")) {
                continue;
            }
            if (!rule.parameterNames().contains(field.getKey())) {
                throw new IllegalStateException(where + ": rule " + ruleName + " has no parameter \""
                        + field.getKey() + "\"; its parameters are " + rule.parameterNames());
            }
            if (!field.getValue().isTextual()) {
                throw new IllegalStateException(where + ": parameter \"" + field.getKey() + "\" must name an "
                        + "attribute, found " + field.getValue());
            }
            parameters.put(field.getKey(), field.getValue().asText());
        }
        for (String parameter : rule.parameterNames()) {
            if (!parameters.containsKey(parameter)) {
                throw new IllegalStateException(where + ": rule " + ruleName + " needs the parameter \""
                        + parameter + "\" (its parameters are " + rule.parameterNames() + ")");
            }
        }
        try {
            return new Derivation(rule, parameters);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Aliases and rule parameters must name stored attributes that the class or {@code PretrainedConfig} defines
     * (a misspelling would otherwise read nothing, silently), and derivations must not read each other in a cycle
     * (resolving one would never end).
     */
    private static void checkReferences(Row row, Map<String, Object> common, String where) {
        Set<String> stored = new HashSet<>(row.defaults().keySet());
        stored.addAll(common.keySet());
        for (Map.Entry<String, String> alias : row.attributeMap().entrySet()) {
            if (!stored.contains(alias.getValue())) {
                throw new IllegalStateException(where + ": alias \"" + alias.getKey() + "\" points at \""
                        + alias.getValue() + "\", which neither the class nor PretrainedConfig defines"
                        + CloseMatches.describe(alias.getValue(), stored) + "; add its default or fix the name");
            }
        }
        for (Map.Entry<String, Derivation> derivation : row.derived().entrySet()) {
            for (Map.Entry<String, String> parameter : derivation.getValue().parameters().entrySet()) {
                String read = parameter.getValue();
                if (!stored.contains(read)) {
                    String hint = row.attributeMap().containsKey(read)
                            ? "; it is an alias, name its stored key \"" + row.attributeMap().get(read) + "\""
                            : CloseMatches.describe(read, stored) + "; add its default or fix the name";
                    throw new IllegalStateException(where + ", derived \"" + derivation.getKey() + "\": parameter "
                            + parameter.getKey() + " reads \"" + read + "\", which neither the class nor "
                            + "PretrainedConfig defines" + hint);
                }
            }
        }
        for (String start : row.derived().keySet()) {
            List<String> path = new ArrayList<>();
            path.add(start);
            findCycle(row, start, path, where);
        }
    }

    private static void findCycle(Row row, String key, List<String> path, String where) {
        for (String read : row.derived().get(key).parameters().values()) {
            if (read.equals(path.get(0))) {
                path.add(read);
                throw new IllegalStateException(where + ": derivations read each other in a cycle ("
                        + String.join(" → ", path) + "); one of them must read a stored value");
            }
            if (row.derived().containsKey(read) && !path.contains(read)) {
                path.add(read);
                findCycle(row, read, path, where);
                path.remove(path.size() - 1);
            }
        }
    }

    // ---- JSON shapes ----

    private static void checkFields(JsonNode node, String where, List<String> allowed, List<String> required) {
        if (node == null || !node.isObject()) {
            throw new IllegalStateException(where + " must be a JSON object with the fields " + allowed);
        }
        for (String field : fieldNames(node)) {
            if (!allowed.contains(field)) {
                throw new IllegalStateException(where + ": unknown field \"" + field + "\""
                        + CloseMatches.describe(field, allowed) + "; the fields are " + allowed);
            }
        }
        for (String field : required) {
            if (!node.has(field)) {
                throw new IllegalStateException(where + ": the field \"" + field + "\" is required");
            }
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalStateException(where + ": \"" + field + "\" must be non-empty text, found " + value);
        }
        return value.asText();
    }

    private static String optionalText(JsonNode node, String field, String where) {
        return node.has(field) ? text(node, field, where) : "";
    }

    private static boolean isStrings(JsonNode node) {
        if (!node.isArray()) {
            return false;
        }
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void requireSorted(Iterable<String> keys, String where, String what) {
        String previous = null;
        for (String key : keys) {
            if (previous != null && previous.compareTo(key) > 0) {
                throw new IllegalStateException(where + ": " + what + " \"" + key + "\" comes after \"" + previous
                        + "\"; keep them sorted");
            }
            previous = key;
        }
    }

    /** A JSON object as an immutable map of plain Java values, in the file's key order. */
    private static Map<String, Object> plainObject(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalStateException(where + " must be a JSON object of attribute → value");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            map.put(field.getKey(), plainValue(field.getValue(), where + " \"" + field.getKey() + "\""));
        }
        return Collections.unmodifiableMap(map);
    }

    /**
     * A JSON value as an immutable plain Java value that turns back into the same JSON: null, Boolean, Integer or
     * Long, Double, String, List, Map.
     */
    private static Object plainValue(JsonNode node, String where) {
        switch (node.getNodeType()) {
            case NULL:
                return null;
            case BOOLEAN:
                return node.booleanValue();
            case STRING:
                return node.textValue();
            case NUMBER:
                if (node.isInt()) {
                    return node.intValue();
                }
                if (node.isLong()) {
                    return node.longValue();
                }
                if (node.isDouble() || node.isFloat()) {
                    return node.doubleValue();
                }
                throw new IllegalStateException(where + ": " + node + " does not fit a 64-bit integer or a double");
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                for (JsonNode element : node) {
                    list.add(plainValue(element, where));
                }
                return Collections.unmodifiableList(list);
            }
            case OBJECT:
                return plainObject(node, where);
            default:
                throw new IllegalStateException(where + ": unexpected JSON value " + node);
        }
    }
}
