package org.exporters4j.onnx;

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
import java.util.Map;

/** Test support: runs a written model in ONNX Runtime with float, int64 and bool inputs and reads its outputs. */
final class RuntimeSession implements AutoCloseable {
    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Map<String, OnnxTensor> inputs = new LinkedHashMap<>();

    RuntimeSession(Path model) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        session = environment.createSession(model.toString(), options);
    }

    /** Writes {@code model} to {@code folder} (weights embedded) and opens it. */
    static RuntimeSession of(OnnxModel model, Path folder) throws OrtException {
        WrittenModel written = new ModelWriter(WeightsLocation.EMBEDDED).write(model, folder);
        return new RuntimeSession(written.modelFile());
    }

    RuntimeSession feed(String name, float[] values, long... shape) throws OrtException {
        replace(name, OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape));
        return this;
    }

    RuntimeSession feed(String name, long[] values, long... shape) throws OrtException {
        replace(name, OnnxTensor.createTensor(environment, LongBuffer.wrap(values), shape));
        return this;
    }

    RuntimeSession feed(String name, boolean[] values) throws OrtException {
        replace(name, OnnxTensor.createTensor(environment, values));
        return this;
    }

    /** Runs and returns every output as a float tensor (int64 and bool outputs are converted). */
    Map<String, Output> run() throws OrtException {
        Map<String, Output> outputs = new LinkedHashMap<>();
        try (OrtSession.Result result = session.run(inputs)) {
            for (Map.Entry<String, OnnxValue> entry : result) {
                OnnxTensor tensor = (OnnxTensor) entry.getValue();
                long[] shape = tensor.getInfo().getShape();
                float[] values = switch (tensor.getInfo().type) {
                    case FLOAT -> {
                        FloatBuffer buffer = tensor.getFloatBuffer();
                        float[] copy = new float[buffer.remaining()];
                        buffer.get(copy);
                        yield copy;
                    }
                    case INT64 -> {
                        LongBuffer buffer = tensor.getLongBuffer();
                        float[] copy = new float[buffer.remaining()];
                        for (int i = 0; i < copy.length; i++) {
                            copy[i] = buffer.get(i);
                        }
                        yield copy;
                    }
                    case BOOL -> {
                        java.nio.ByteBuffer buffer = tensor.getByteBuffer();
                        float[] copy = new float[buffer.remaining()];
                        for (int i = 0; i < copy.length; i++) {
                            copy[i] = buffer.get(i);
                        }
                        yield copy;
                    }
                    default -> throw new AssertionError("unexpected output type " + tensor.getInfo().type);
                };
                outputs.put(entry.getKey(), new Output(shape, values));
            }
        }
        return outputs;
    }

    /** Runs and returns the single output {@code name}. */
    Output run(String name) throws OrtException {
        Output output = run().get(name);
        if (output == null) {
            throw new AssertionError("no output named " + name);
        }
        return output;
    }

    private void replace(String name, OnnxTensor tensor) {
        OnnxTensor previous = inputs.put(name, tensor);
        if (previous != null) {
            previous.close();
        }
    }

    @Override
    public void close() throws OrtException {
        inputs.values().forEach(OnnxTensor::close);
        inputs.clear();
        session.close();
    }

    /** An output's shape and values (row-major). */
    record Output(long[] shape, float[] values) {
        @Override
        public String toString() {
            return Arrays.toString(shape) + " " + Arrays.toString(values);
        }
    }
}
