package org.exporters4j.models;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;

/**
 * One input or output of the graph a caller asks for: its name, element type and dynamic axes (dimension index →
 * axis name, as Optimum's {@code OnnxConfig.inputs} / {@code outputs} give them, e.g. {@code 0 → batch_size}).
 * Dimensions the map does not name are fixed by the model (a hidden size, a label count) or left unnamed.
 *
 * @param cache the key/value cache tensor this is, when it is one; its name is then {@link CacheTensor#name()}, and
 *     builders read the layer, attention and part from it, never from the name
 */
public record InterfaceTensor(String name, ElementType elementType, SortedMap<Integer, String> dynamicAxes,
                              Optional<CacheTensor> cache) {
    public InterfaceTensor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a graph input or output needs a name such as \"input_ids\"");
        }
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(cache, "cache");
        if (cache.isPresent() && !cache.get().name().equals(name)) {
            throw new IllegalArgumentException("interface tensor '" + name + "' is cache tensor " + cache.get()
                    + " and must carry its name");
        }
        TreeMap<Integer, String> axes = new TreeMap<>(dynamicAxes);
        for (Map.Entry<Integer, String> axis : axes.entrySet()) {
            if (axis.getKey() < 0 || axis.getValue() == null || axis.getValue().isBlank()) {
                throw new IllegalArgumentException("'" + name + "': dynamic axis " + axis.getKey() + " → "
                        + axis.getValue() + " must have a dimension index of 0 or more and a name");
            }
        }
        dynamicAxes = Collections.unmodifiableSortedMap(axes);
    }

    /** A tensor that is not a cache tensor. */
    public static InterfaceTensor of(String name, ElementType elementType, Map<Integer, String> dynamicAxes) {
        return new InterfaceTensor(name, elementType, new TreeMap<>(dynamicAxes), Optional.empty());
    }

    /** A cache tensor, named as Optimum names it. */
    public static InterfaceTensor of(CacheTensor cache, ElementType elementType, Map<Integer, String> dynamicAxes) {
        return new InterfaceTensor(cache.name(), elementType, new TreeMap<>(dynamicAxes), Optional.of(cache));
    }

    /** The dimension at {@code index}: its axis name when the interface names it, else {@code otherwise}. */
    public Dim dim(int index, Dim otherwise) {
        String axis = dynamicAxes.get(index);
        return axis != null ? Dim.symbolic(axis) : otherwise;
    }

    /** The axis name at {@code index}, if the interface names one. */
    public Optional<String> axisName(int index) {
        return Optional.ofNullable(dynamicAxes.get(index));
    }
}
