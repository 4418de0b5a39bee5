package org.exporters4j.tasks;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.onnx.ElementType;

/**
 * One input or output of an exported graph: its name, element type and dynamic axes (dimension index → symbolic
 * name), as Optimum's {@code OnnxConfig.inputs} / {@code outputs} give them to {@code torch.onnx.export}.
 *
 * @param cache the key/value cache tensor this is, when it is one (its name is then the cache tensor's); readers
 *     take layer, attention and part from it, never from the name
 */
public record DynamicTensor(String name, ElementType elementType, Map<Integer, String> dynamicAxes,
                            Optional<CacheTensor> cache) {
    public DynamicTensor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a graph input or output needs a name");
        }
        if (elementType == null) {
            throw new IllegalArgumentException("graph tensor " + name + " needs an element type");
        }
        if (cache == null || cache.isPresent() && !cache.get().name().equals(name)) {
            throw new IllegalArgumentException("graph tensor " + name + " is cache tensor " + cache
                    + " and must carry its name");
        }
        TreeMap<Integer, String> axes = new TreeMap<>();
        for (Map.Entry<Integer, String> axis : dynamicAxes.entrySet()) {
            if (axis.getKey() == null || axis.getKey() < 0 || axis.getValue() == null || axis.getValue().isBlank()) {
                throw new IllegalArgumentException("graph tensor " + name + " has an invalid dynamic axis " + axis);
            }
            axes.put(axis.getKey(), axis.getValue());
        }
        dynamicAxes = Collections.unmodifiableSortedMap(axes);
    }

    /** A tensor that is not a cache tensor. */
    public DynamicTensor(String name, ElementType elementType, Map<Integer, String> dynamicAxes) {
        this(name, elementType, dynamicAxes, Optional.empty());
    }

    /** A float32 cache tensor under Optimum's name for it. */
    static DynamicTensor of(CacheTensor cache, Map<Integer, String> dynamicAxes) {
        return new DynamicTensor(cache.name(), ElementType.FLOAT, dynamicAxes, Optional.of(cache));
    }
}
