package org.exporters4j.models.t5;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: one ONNX Runtime session of a written model, run on feeds the test builds (token ids, float caches),
 * returning every output as a float tensor with its shape. Closes what it opens.
 */
final class RuntimeFeeds implements AutoCloseable {
    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    private final OrtSession session;

    /** A float tensor: shape and row-major values. */
    record Tensor(long[] shape, float[] values) {
        Tensor {
            long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            if (count != values.length) {
                throw new IllegalArgumentException(Arrays.toString(shape) + " needs " + count + " values");
            }
        }

        /** Zeros of {@code shape} (an empty cache when a dimension is 0). */
        static Tensor zeros(long... shape) {
            return new Tensor(shape, new float[(int) Arrays.stream(shape).reduce(1, Math::multiplyExact)]);
        }

        /** The slice {@code [from, to)} of axis {@code axis}. */
        Tensor slice(int axis, long from, long to) {
            long outer = Arrays.stream(shape, 0, axis).reduce(1, Math::multiplyExact);
            long inner = Arrays.stream(shape, axis + 1, shape.length).reduce(1, Math::multiplyExact);
            long[] sliced = shape.clone();
            sliced[axis] = to - from;
            float[] result = new float[(int) (outer * sliced[axis] * inner)];
            int next = 0;
            for (long o = 0; o < outer; o++) {
                for (long i = from; i < to; i++) {
                    long start = (o * shape[axis] + i) * inner;
                    for (long k = 0; k < inner; k++) {
                        result[next++] = values[(int) (start + k)];
                    }
                }
            }
            return new Tensor(sliced, result);
        }

        /** The largest absolute difference to {@code other}; infinite when the shapes differ. */
        double maxAbsDiff(Tensor other) {
            if (!Arrays.equals(shape, other.shape)) {
                return Double.POSITIVE_INFINITY;
            }
            double max = 0;
            for (int i = 0; i < values.length; i++) {
                double diff = Math.abs((double) values[i] - other.values[i]);
                max = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(max, diff);
            }
            return max;
        }
    }

    RuntimeFeeds(Path model) throws OrtException {
        session = environment.createSession(model.toString(), options);
    }

    List<String> inputNames() {
        return List.copyOf(session.getInputNames());
    }

    /** Runs with int64 {@code ids} (name → rows of equal length) and float {@code floats}. */
    Map<String, Tensor> run(Map<String, long[][]> ids, Map<String, Tensor> floats) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, long[][]> entry : ids.entrySet()) {
                long[][] rows = entry.getValue();
                long[] flat = Arrays.stream(rows).flatMapToLong(Arrays::stream).toArray();
                feed.put(entry.getKey(), OnnxTensor.createTensor(environment, LongBuffer.wrap(flat),
                        new long[] {rows.length, rows[0].length}));
            }
            for (Map.Entry<String, Tensor> entry : floats.entrySet()) {
                feed.put(entry.getKey(), OnnxTensor.createTensor(environment,
                        FloatBuffer.wrap(entry.getValue().values()), entry.getValue().shape()));
            }
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feed)) {
                for (Map.Entry<String, OnnxValue> entry : result) {
                    OnnxTensor tensor = (OnnxTensor) entry.getValue();
                    FloatBuffer buffer = tensor.getFloatBuffer();
                    float[] values = new float[buffer.remaining()];
                    buffer.get(values);
                    outputs.put(entry.getKey(), new Tensor(tensor.getInfo().getShape(), values));
                }
            }
            return outputs;
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
        options.close();
    }
}
