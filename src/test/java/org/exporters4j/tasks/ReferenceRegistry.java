package org.exporters4j.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.SharedFiles;

/** Reads ../shared/reference/optimum-1.5.2-onnx-registry.json for the tests; a missing file fails the test. */
final class ReferenceRegistry {
    static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode root;

    private ReferenceRegistry() {}

    static synchronized JsonNode root() {
        if (root == null) {
            try {
                root = JSON.readTree(SharedFiles.reference("optimum-1.5.2-onnx-registry.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    static JsonNode modelTypes() {
        return root().get("model_types");
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    /** dimension index → axis name of a JSON axes object. */
    static Map<Integer, String> axes(JsonNode node) {
        Map<Integer, String> axes = new LinkedHashMap<>();
        node.fields().forEachRemaining(entry -> axes.put(Integer.parseInt(entry.getKey()), entry.getValue().asText()));
        return axes;
    }

    /**
     * The names → axes of a reference inputs/outputs object, templated per-layer names ({@code present.{i}.key})
     * expanded layer by layer for {@code layers} layers, in order.
     */
    static Map<String, Map<Integer, String>> expand(JsonNode tensors, int layers) {
        Map<String, Map<Integer, String>> expanded = new LinkedHashMap<>();
        List<Map.Entry<String, JsonNode>> group = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tensors.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().contains("{i}")) {
                group.add(entry);
                continue;
            }
            flush(group, layers, expanded);
            expanded.put(entry.getKey(), axes(entry.getValue()));
        }
        flush(group, layers, expanded);
        return expanded;
    }

    private static void flush(List<Map.Entry<String, JsonNode>> group, int layers,
            Map<String, Map<Integer, String>> expanded) {
        for (int i = 0; i < layers; i++) {
            for (Map.Entry<String, JsonNode> entry : group) {
                expanded.put(entry.getKey().replace("{i}", Integer.toString(i)), axes(entry.getValue()));
            }
        }
        group.clear();
    }

    /** A tensor list as names → axes, in order. */
    static Map<String, Map<Integer, String>> asMap(List<DynamicTensor> tensors) {
        Map<String, Map<Integer, String>> map = new LinkedHashMap<>();
        tensors.forEach(tensor -> map.put(tensor.name(), tensor.dynamicAxes()));
        return map;
    }
}
