package org.exporters4j.checkpoint.h5;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.DType;

/**
 * Test support: writes HDF5 files in the Keras weights layout ({@code save_weights}, h5 format) with jhdf's writer:
 * root attribute {@code layer_names}, a group per layer with attribute {@code weight_names}, and each weight as a
 * contiguous dataset at {@code <layer>/<weight name>}. Tensors are given as little-endian bytes, F32, F64, I64 or I32.
 */
final class KerasWeightsWriter {
    /** One TF weight: full TF name, element type, TF shape, little-endian row-major data. */
    record TensorFlowWeight(String name, DType dtype, List<Long> shape, ByteBuffer data) {
        TensorFlowWeight {
            shape = List.copyOf(shape);
        }
    }

    private final Map<String, List<TensorFlowWeight>> layers = new LinkedHashMap<>();
    private String weightsGroup;
    private int attributeChunkSize = Integer.MAX_VALUE;

    /**
     * Adds a layer (in {@code layer_names} order) with its weights. jhdf 0.9.4 cannot write an empty attribute, so a
     * layer without weights (which Keras lists with an empty {@code weight_names}) cannot be written here.
     */
    KerasWeightsWriter layer(String layerName, List<TensorFlowWeight> weights) {
        layers.put(layerName, new ArrayList<>(weights));
        return this;
    }

    /** Writes under a group (as a whole-model {@code model.save} file does with {@code model_weights}). */
    KerasWeightsWriter underGroup(String group) {
        this.weightsGroup = group;
        return this;
    }

    /** Splits {@code weight_names} into {@code weight_names0, 1, ...} of this many names, as Keras does for big ones. */
    KerasWeightsWriter splitAttributesEvery(int names) {
        this.attributeChunkSize = names;
        return this;
    }

    void write(Path file) {
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            WritableGroup root = weightsGroup == null ? hdf : hdf.putGroup(weightsGroup);
            root.putAttribute("layer_names", layers.keySet().toArray(String[]::new));
            hdf.putAttribute("backend", "tensorflow");
            for (Map.Entry<String, List<TensorFlowWeight>> layer : layers.entrySet()) {
                WritableGroup group = root.putGroup(layer.getKey());
                String[] weightNames = layer.getValue().stream().map(TensorFlowWeight::name).toArray(String[]::new);
                if (weightNames.length > attributeChunkSize) {
                    for (int chunk = 0; chunk * attributeChunkSize < weightNames.length; chunk++) {
                        int from = chunk * attributeChunkSize;
                        int to = Math.min(weightNames.length, from + attributeChunkSize);
                        group.putAttribute("weight_names" + chunk, java.util.Arrays.copyOfRange(weightNames, from, to));
                    }
                } else {
                    group.putAttribute("weight_names", weightNames);
                }
                for (TensorFlowWeight weight : layer.getValue()) {
                    putDataset(group, weight);
                }
            }
        }
    }

    private static void putDataset(WritableGroup layerGroup, TensorFlowWeight weight) {
        String[] parts = weight.name().split("/");
        WritableGroup group = layerGroup;
        for (int i = 0; i < parts.length - 1; i++) {
            Node existing = group.getChildren().get(parts[i]);
            group = existing instanceof WritableGroup child ? child : group.putGroup(parts[i]);
        }
        group.putDataset(parts[parts.length - 1], javaArray(weight));
    }

    /** The weight as the nested Java array (or boxed scalar) jhdf writes. */
    static Object javaArray(TensorFlowWeight weight) {
        ByteBuffer data = weight.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int[] dimensions = weight.shape().stream().mapToInt(Long::intValue).toArray();
        Class<?> component = switch (weight.dtype()) {
            case F32 -> float.class;
            case F64 -> double.class;
            case I64 -> long.class;
            case I32 -> int.class;
            default -> throw new IllegalArgumentException("the test writer writes F32, F64, I64, I32: " + weight.dtype());
        };
        if (dimensions.length == 0) {
            return switch (weight.dtype()) {
                case F32 -> data.getFloat(0);
                case F64 -> data.getDouble(0);
                case I64 -> data.getLong(0);
                default -> data.getInt(0);
            };
        }
        Object array = Array.newInstance(component, dimensions);
        fill(array, data, weight.dtype());
        return array;
    }

    private static void fill(Object array, ByteBuffer data, DType dtype) {
        int length = Array.getLength(array);
        Class<?> component = array.getClass().getComponentType();
        for (int i = 0; i < length; i++) {
            if (component.isArray()) {
                fill(Array.get(array, i), data, dtype);
            } else {
                switch (dtype) {
                    case F32 -> Array.setFloat(array, i, data.getFloat());
                    case F64 -> Array.setDouble(array, i, data.getDouble());
                    case I64 -> Array.setLong(array, i, data.getLong());
                    default -> Array.setInt(array, i, data.getInt());
                }
            }
        }
    }
}
