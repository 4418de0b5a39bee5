package org.exporters4j.models;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;

/**
 * Test helper: runs an ONNX model in ONNX Runtime on the tensors of a safetensors file (a fixture's
 * inputs.safetensors) and compares outputs with another (outputs.safetensors).
 */
public final class OnnxRuntimeRun {
    private OnnxRuntimeRun() {}

    /** A float output: shape and values. */
    public record Output(List<Long> shape, float[] values) {}

    /** Runs {@code model} on every tensor of {@code inputs} the graph declares; returns its outputs by name. */
    public static Map<String, Output> run(Path model, Path inputs) throws OrtException {
        return run(model, inputs, Map.of());
    }

    /**
     * Runs {@code model} on the tensors of {@code inputs}, and on an empty float32 tensor of the given shape (one
     * axis 0) for each graph input named in {@code emptyInputs} (a decoder's past on the first step).
     */
    public static Map<String, Output> run(Path model, Path inputs, Map<String, long[]> emptyInputs)
            throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try (Weights tensors = Checkpoints.open(inputs);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = environment.createSession(model.toString(), options)) {
            for (String name : session.getInputNames()) {
                if (emptyInputs.containsKey(name)) {
                    feed.put(name, OnnxTensor.createTensor(environment, FloatBuffer.allocate(0),
                            emptyInputs.get(name)));
                    continue;
                }
                TensorInfo info = tensors.info(name);
                long[] shape = info.shape().stream().mapToLong(Long::longValue).toArray();
                ByteBuffer bytes = tensors.bytes(name).order(ByteOrder.LITTLE_ENDIAN);
                if (info.dtype() == DType.BOOL) {
                    // the merged decoder's use_cache_branch
                    ByteBuffer flags = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
                    flags.put(bytes).flip();
                    feed.put(name, OnnxTensor.createTensor(environment, flags, shape, OnnxJavaType.BOOL));
                    continue;
                }
                if (info.dtype() != DType.I64 && info.dtype() != DType.F32) {
                    throw new AssertionError("input " + name + " is " + info.dtype());
                }
                ByteBuffer direct = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
                if (info.dtype() == DType.F32) {
                    // a decoder's cache (past_key_values.*)
                    while (bytes.hasRemaining()) {
                        direct.putFloat(bytes.getFloat());
                    }
                    direct.flip();
                    feed.put(name, OnnxTensor.createTensor(environment, direct.asFloatBuffer(), shape));
                    continue;
                }
                while (bytes.hasRemaining()) {
                    direct.putLong(bytes.getLong());
                }
                direct.flip();
                feed.put(name, OnnxTensor.createTensor(environment, direct.asLongBuffer(), shape));
            }
            Map<String, Output> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feed)) {
                for (Map.Entry<String, OnnxValue> entry : result) {
                    OnnxTensor tensor = (OnnxTensor) entry.getValue();
                    FloatBuffer buffer = tensor.getFloatBuffer();
                    float[] values = new float[buffer.remaining()];
                    buffer.get(values);
                    List<Long> shape = java.util.Arrays.stream(tensor.getInfo().getShape()).boxed().toList();
                    outputs.put(entry.getKey(), new Output(shape, values));
                }
            }
            return outputs;
        } finally {
            for (OnnxTensor tensor : feed.values()) {
                tensor.close();
            }
        }
    }

    /** A float32 tensor of a safetensors file. */
    public static Output read(Path file, String name) {
        try (Weights tensors = Checkpoints.open(file)) {
            TensorInfo info = tensors.info(name);
            FloatBuffer buffer = tensors.bytes(name).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return new Output(info.shape(), values);
        }
    }

    /** The largest absolute difference; infinite when the sizes differ or a value is not finite. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs((double) a[i] - b[i]);
            if (!(diff <= max)) {
                max = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
            }
        }
        return max;
    }

    /** The cosine of two outputs' values (1 when both are all zeros), accumulated in double precision. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 && nb == 0 ? 1 : dot / Math.sqrt(na * nb);
    }
}
