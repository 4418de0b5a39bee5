package org.exporters4j.tasks;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.onnx.ElementType;

/**
 * One input or output of an exported graph: its name, element type and typed axes (dimension index → {@link Axis}),
 * as Optimum's {@code OnnxConfig.inputs} / {@code outputs} give them to {@code torch.onnx.export}; the axes' labels
 * are Optimum's dynamic axis names ({@link #dynamicAxes()}), their sizes what the validator checks.
 *
 * @param cache the key/value cache tensor this is, when it is one (its name is then the cache tensor's); readers
 *     take layer, attention and part from it, never from the name
 */
public record DynamicTensor(String name, ElementType elementType, SortedMap<Integer, Axis> axes,
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
        TreeMap<Integer, Axis> copy = new TreeMap<>();
        for (Map.Entry<Integer, Axis> axis : axes.entrySet()) {
            if (axis.getKey() == null || axis.getKey() < 0 || axis.getValue() == null) {
                throw new IllegalArgumentException("graph tensor " + name + " has an invalid axis " + axis);
            }
            copy.put(axis.getKey(), axis.getValue());
        }
        axes = Collections.unmodifiableSortedMap(copy);
    }

    /** A tensor that is not a cache tensor. */
    public DynamicTensor(String name, ElementType elementType, Map<Integer, Axis> axes) {
        this(name, elementType, new TreeMap<>(axes), Optional.empty());
    }

    /** A float32 cache tensor under Optimum's name for it. */
    static DynamicTensor of(CacheTensor cache, Map<Integer, Axis> axes) {
        return new DynamicTensor(cache.name(), ElementType.FLOAT, new TreeMap<>(axes), Optional.of(cache));
    }

    /** The dynamic axis names the model file carries (dimension index → Optimum's name), exactly Optimum's. */
    public SortedMap<Integer, String> dynamicAxes() {
        TreeMap<Integer, String> labels = new TreeMap<>();
        axes.forEach((index, axis) -> axis.label().ifPresent(label -> labels.put(index, label)));
        return Collections.unmodifiableSortedMap(labels);
    }

    /** This tensor with other axes. */
    DynamicTensor withAxes(Map<Integer, Axis> newAxes) {
        return new DynamicTensor(name, elementType, new TreeMap<>(newAxes), cache);
    }
}
