package org.exporters4j.tasks;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One input or output of an exported graph: its name, element type and dynamic axes (dimension index → symbolic
 * name), as Optimum's {@code OnnxConfig.inputs} / {@code outputs} give them to {@code torch.onnx.export}.
 */
public record DynamicTensor(String name, ElementType elementType, Map<Integer, String> dynamicAxes) {
    public DynamicTensor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a graph input or output needs a name");
        }
        if (elementType == null) {
            throw new IllegalArgumentException("graph tensor " + name + " needs an element type");
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
}
