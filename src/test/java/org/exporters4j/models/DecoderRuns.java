package org.exporters4j.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.Opset;

/**
 * Test helper for decoder graphs: fixture interfaces with float cache inputs, the fixture's head and variant for
 * Optimum 1.5.2's and today's task names, and ONNX Runtime sessions fed with int64 and float32 tensors.
 */
public final class DecoderRuns {
    private DecoderRuns() {}

    /** A tensor fed to or read from ONNX Runtime: shape and values (int64 or float32). */
    public record Tensor(long[] shape, long[] longs, float[] floats) {
        public static Tensor ofLongs(long[] shape, long... values) {
            return new Tensor(shape.clone(), values.clone(), null);
        }

        public static Tensor ofFloats(long[] shape, float... values) {
            return new Tensor(shape.clone(), null, values.clone());
        }

        public boolean isFloat() {
            return floats != null;
        }

        public List<Long> shapeList() {
            return Arrays.stream(shape).boxed().toList();
        }
    }

    /** The fixture's variant; today's task names (fixtures-today) mapped to 1.5.2's heads. */
    public static Variant variant(Fixture fixture) {
        String task = fixture.task();
        boolean past = task.endsWith("-with-past");
        String head = past ? task.substring(0, task.length() - "-with-past".length()) : task;
        Head result = switch (head) {
            case "default", "feature-extraction" -> Head.BASE;
            case "causal-lm", "text-generation" -> Head.CAUSAL_LM;
            case "sequence-classification", "text-classification" -> Head.SEQUENCE_CLASSIFICATION;
            case "token-classification" -> Head.TOKEN_CLASSIFICATION;
            case "question-answering" -> Head.QUESTION_ANSWERING;
            default -> throw new AssertionError("no head for fixture task " + task);
        };
        return past ? Variant.withPast(result) : Variant.of(result);
    }

    /** Optimum's interface of the fixture: cache inputs float32, the others int64; outputs float32. */
    public static GraphInterface graphInterface(Fixture fixture) {
        List<InterfaceTensor> inputs = fixture.inputNames().stream()
                .map(name -> Fixture.interfaceTensor(name, name.startsWith("past_key_values") ? ElementType.FLOAT
                        : ElementType.INT64, fixture.dynamicAxes("inputs", name))).toList();
        List<InterfaceTensor> outputs = fixture.outputNames().stream()
                .map(name -> Fixture.interfaceTensor(name, ElementType.FLOAT, fixture.dynamicAxes("outputs", name)))
                .toList();
        return new GraphInterface(inputs, outputs, Opset.of(fixture.defaultOpset()));
    }

    /** Every tensor of a safetensors file (int64 or float32). */
    public static Map<String, Tensor> read(Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (Weights weights = Checkpoints.open(file)) {
            for (String name : weights.names()) {
                TensorInfo info = weights.info(name);
                long[] shape = info.shape().stream().mapToLong(Long::longValue).toArray();
                ByteBuffer bytes = weights.bytes(name).order(ByteOrder.LITTLE_ENDIAN);
                if (info.dtype() == DType.I64) {
                    long[] values = new long[bytes.remaining() / 8];
                    bytes.asLongBuffer().get(values);
                    tensors.put(name, Tensor.ofLongs(shape, values));
                } else if (info.dtype() == DType.F32) {
                    float[] values = new float[bytes.remaining() / 4];
                    bytes.asFloatBuffer().get(values);
                    tensors.put(name, Tensor.ofFloats(shape, values));
                } else {
                    throw new AssertionError(name + " is " + info.dtype());
                }
            }
        }
        return tensors;
    }

    /** An open ONNX Runtime session on one model. */
    public static final class Session implements AutoCloseable {
        private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
        private final OrtSession.SessionOptions options;
        private final OrtSession session;

        public Session(Path model) throws OrtException {
            options = new OrtSession.SessionOptions();
            session = environment.createSession(model.toString(), options);
        }

        public List<String> inputNames() {
            return List.copyOf(session.getInputNames());
        }

        public List<String> outputNames() {
            return List.copyOf(session.getOutputNames());
        }

        /** Runs on the tensors of {@code feed} the graph declares; returns every output by name, in graph order. */
        public Map<String, Tensor> run(Map<String, Tensor> feed) throws OrtException {
            Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
            try {
                for (String name : session.getInputNames()) {
                    Tensor tensor = feed.get(name);
                    if (tensor == null) {
                        throw new AssertionError("no value for input " + name);
                    }
                    inputs.put(name, tensor.isFloat()
                            ? OnnxTensor.createTensor(environment, FloatBuffer.wrap(tensor.floats()), tensor.shape())
                            : OnnxTensor.createTensor(environment, LongBuffer.wrap(tensor.longs()), tensor.shape()));
                }
                Map<String, Tensor> outputs = new LinkedHashMap<>();
                try (OrtSession.Result result = session.run(inputs)) {
                    for (Map.Entry<String, OnnxValue> entry : result) {
                        OnnxTensor tensor = (OnnxTensor) entry.getValue();
                        FloatBuffer buffer = tensor.getFloatBuffer();
                        float[] values = new float[buffer.remaining()];
                        buffer.get(values);
                        outputs.put(entry.getKey(), Tensor.ofFloats(tensor.getInfo().getShape(), values));
                    }
                }
                return outputs;
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() throws OrtException {
            session.close();
            options.close();
        }
    }

    /** Largest absolute difference; arrays of different lengths are an assertion failure. */
    public static double maxAbsDiff(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("lengths differ: " + expected.length + " vs " + actual.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(diff)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, diff);
        }
        return max;
    }
}
