package org.exporters4j.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;

/**
 * Test helper: a checkpoint made from a fixture's, with config values and tensors changed, added or removed, written
 * as config.json and model.safetensors to a folder. Float tensors are handled as float32 arrays.
 */
public final class EditedCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode config;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    /** A tensor: shape and float32 values (row-major). */
    public record Tensor(List<Long> shape, float[] values) {
        public Tensor {
            shape = List.copyOf(shape);
            long count = shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
            if (count != values.length) {
                throw new IllegalArgumentException("shape " + shape + " needs " + count + " values, got "
                        + values.length);
            }
        }

        /** The value at a row-major index list. */
        public float at(long... index) {
            long offset = 0;
            for (int axis = 0; axis < index.length; axis++) {
                offset = offset * shape.get(axis) + index[axis];
            }
            return values[(int) offset];
        }
    }

    private EditedCheckpoint(ObjectNode config) {
        this.config = config;
    }

    /** The fixture checkpoint's config and float tensors (integer buffers such as position_ids are dropped). */
    public static EditedCheckpoint of(Path checkpoint) throws IOException {
        EditedCheckpoint edited = new EditedCheckpoint(
                (ObjectNode) JSON.readTree(checkpoint.resolve("config.json").toFile()));
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            for (String name : weights.names()) {
                TensorInfo info = weights.info(name);
                if (info.dtype() != DType.F32) {
                    continue;
                }
                ByteBuffer bytes = weights.bytes(name).order(ByteOrder.LITTLE_ENDIAN);
                float[] values = new float[bytes.remaining() / 4];
                bytes.asFloatBuffer().get(values);
                edited.tensors.put(name, new Tensor(info.shape(), values));
            }
        }
        return edited;
    }

    public ObjectNode config() {
        return config;
    }

    public Tensor tensor(String name) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new AssertionError("no tensor " + name + " among " + tensors.keySet());
        }
        return tensor;
    }

    /** The tensors' names, in the checkpoint's order. */
    public java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(tensors.keySet());
    }

    public EditedCheckpoint put(String name, Tensor tensor) {
        tensors.put(name, tensor);
        return this;
    }

    public EditedCheckpoint remove(String name) {
        tensor(name);
        tensors.remove(name);
        return this;
    }

    /** Normal(0, scale) values from {@code random}. */
    public static Tensor random(SplittableRandom random, double scale, long... shape) {
        int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            // Box–Muller: two uniforms to one standard normal
            double u = 1.0 - random.nextDouble();
            double v = random.nextDouble();
            values[i] = (float) (scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return new Tensor(Arrays.stream(shape).boxed().toList(), values);
    }

    /** Writes config.json and model.safetensors into {@code folder} (created); returns it. */
    public Path write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), JSON.writeValueAsString(config));
        SafetensorsFileWriter writer = new SafetensorsFileWriter().metadata("format", "pt");
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            writer.add(entry.getKey(), DType.F32, entry.getValue().shape(),
                    SafetensorsFileWriter.floats(entry.getValue().values()));
        }
        writer.write(folder.resolve("model.safetensors"));
        return folder;
    }
}
