package org.exporters4j.export;

import ai.onnxruntime.NodeInfo;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.tasks.DummyInputs;
import org.exporters4j.tasks.DummyShapes;
import org.exporters4j.tasks.DummyTensor;
import org.exporters4j.tasks.DynamicTensor;
import org.exporters4j.tasks.ExportConfig;

/**
 * A written model open in ONNX Runtime for validation, and the one way the validation runs a model on dummy inputs:
 * each input the graph declares bound as a tensor, every output the export configuration declares read back.
 * {@link #compare} runs a model beside its reference graph (the plain or float32 graph of the same weights) on the
 * validation's two input sets; its callers only say how one output is judged ({@link OnnxRuntimeValidator},
 * {@link QuantizedAgreement}, {@link ReferenceValidator}). {@link Seq2SeqValidator}, which chains decoders on tensors
 * of its own, feeds them through {@link #run(Map)}.
 *
 * <p>A session is made for a few small runs: no pre-packed copies of the weights (ONNX Runtime otherwise keeps a
 * second, re-laid-out copy of every Gemm/MatMul weight, doubling the memory of a large model for no gain here) and
 * no memory-pattern planning. {@link #close()} is idempotent.
 */
final class ValidationSession implements AutoCloseable {
    /** The two input sets a model and its reference run on: Optimum's shapes, then the validator's other sizes. */
    static final List<DummyShapes> INPUT_SETS = List.of(DummyShapes.OPTIMUM_DEFAULTS,
            OnnxRuntimeValidator.OTHER_SHAPES);

    /**
     * One output of a run.
     *
     * @param shape its shape
     * @param values its values, row-major (none for an output that is not float32)
     * @param float32 whether the output is float32, the only type whose values are read
     */
    record Output(long[] shape, float[] values, boolean float32) {
        /** The size of the last axis (the vocabulary of logits); 0 for a scalar. */
        int lastAxis() {
            return shape.length == 0 ? 0 : Math.toIntExact(shape[shape.length - 1]);
        }
    }

    /**
     * How far values are from the expected ones.
     *
     * @param maxAbsDiff the largest absolute difference; infinite where either side holds NaN
     * @param cosine the cosine of the two as vectors: 1 for two zero vectors, 0 for a zero vector against another
     * @param largestMagnitude the largest absolute expected value (0 for none)
     */
    record Difference(double maxAbsDiff, double cosine, double largestMagnitude) {
        /** The difference of {@code actual} from {@code expected}, which have the same length. */
        static Difference between(float[] expected, float[] actual) {
            if (expected.length != actual.length) {
                throw new IllegalArgumentException("cannot compare " + actual.length + " values with "
                        + expected.length);
            }
            double maxDiff = 0;
            double largest = 0;
            double dot = 0;
            double expectedNorm = 0;
            double actualNorm = 0;
            for (int i = 0; i < expected.length; i++) {
                double diff = Math.abs((double) expected[i] - actual[i]);
                maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, diff);
                largest = Math.max(largest, Math.abs(expected[i]));
                dot += (double) expected[i] * actual[i];
                expectedNorm += (double) expected[i] * expected[i];
                actualNorm += (double) actual[i] * actual[i];
            }
            double cosine = expectedNorm == 0 && actualNorm == 0 ? 1
                    : expectedNorm == 0 || actualNorm == 0 ? 0 : dot / Math.sqrt(expectedNorm * actualNorm);
            return new Difference(maxDiff, cosine, largest);
        }
    }

    /** How one output of a model run beside its reference is judged. */
    @FunctionalInterface
    interface OutputJudge {
        /**
         * The check of output {@code name}, which the reference gave as {@code expected} on {@code inputs};
         * {@code actual} is empty when the model gave no such output. Empty: nothing to report for this output.
         */
        Optional<OutputCheck> check(DummyInputs inputs, String name, Output expected, Optional<Output> actual);
    }

    private final OrtEnvironment environment;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private boolean closed;

    private ValidationSession(OrtEnvironment environment, OrtSession.SessionOptions options, OrtSession session) {
        this.environment = environment;
        this.options = options;
        this.session = session;
    }

    /** Opens {@code modelFile} (its external data beside it) in ONNX Runtime. */
    static ValidationSession open(Path modelFile) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.addConfigEntry("session.disable_prepacking", "1");
            options.setMemoryPatternOptimization(false);
            return new ValidationSession(environment, options,
                    environment.createSession(modelFile.toString(), options));
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** The graph's inputs as ONNX Runtime reads them, in the graph's order. */
    Map<String, NodeInfo> inputInfo() throws OrtException {
        return session.getInputInfo();
    }

    /** The graph's outputs as ONNX Runtime reads them, in the graph's order. */
    Map<String, NodeInfo> outputInfo() throws OrtException {
        return session.getOutputInfo();
    }

    /**
     * Runs the model on {@code inputs} (those the graph declares; the others are left out): every output of
     * {@code config} that the run gave as a tensor, in the configuration's order.
     */
    Map<String, Output> run(ExportConfig config, DummyInputs inputs) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (DummyTensor tensor : inputs.tensors()) {
                if (session.getInputInfo().containsKey(tensor.name())) {
                    feed.put(tensor.name(), tensorOf(tensor));
                }
            }
            Map<String, Output> given = run(feed);
            Map<String, Output> outputs = new LinkedHashMap<>();
            for (DynamicTensor output : config.outputs()) {
                if (given.containsKey(output.name())) {
                    outputs.put(output.name(), given.get(output.name()));
                }
            }
            return outputs;
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Runs the model on {@code feed}, tensors made in {@link #environment()} that the caller closes: every output the
     * run gave as a tensor, by name, in the graph's order.
     */
    Map<String, Output> run(Map<String, OnnxTensor> feed) throws OrtException {
        Map<String, Output> outputs = new LinkedHashMap<>();
        try (OrtSession.Result result = session.run(feed)) {
            for (Map.Entry<String, OnnxValue> entry : result) {
                if (entry.getValue() instanceof OnnxTensor tensor) {
                    outputs.put(entry.getKey(), outputOf(tensor));
                }
            }
        }
        return outputs;
    }

    /** The environment the session runs in, which makes the tensors fed to {@link #run(Map)}. */
    OrtEnvironment environment() {
        return environment;
    }

    /**
     * Runs {@code model} and {@code reference} side by side on the validation's two input sets ({@link #INPUT_SETS})
     * and judges every output the reference gives, in the configuration's order. A stop requested meanwhile waits
     * for the ONNX Runtime call under way, then throws {@link ExportInterruptedException} after closing both sessions.
     *
     * @param models the two models as a failure to run them names them, e.g. {@code "the quantized model x.onnx
     *     beside its float32 graph"}
     * @param advice what the failure message adds after ONNX Runtime's message (empty, or a leading space)
     */
    static List<OutputCheck> compare(Path model, Path reference, ExportConfig config, String models, String advice,
                                     OutputJudge judge) {
        return ExportStop.JVM.during(ExportStop.Step.VALIDATION, () -> {
            List<OutputCheck> checks = new ArrayList<>();
            try (ValidationSession actual = open(model); ValidationSession expected = open(reference)) {
                for (DummyShapes shapes : INPUT_SETS) {
                    DummyInputs inputs = config.generateDummyInputs(shapes, OnnxRuntimeValidator.SEED);
                    Map<String, Output> given = actual.run(config, inputs);
                    ExportStop.JVM.checkpoint();
                    Map<String, Output> wanted = expected.run(config, inputs);
                    ExportStop.JVM.checkpoint();
                    wanted.forEach((name, output) -> judge.check(inputs, name, output,
                            Optional.ofNullable(given.get(name))).ifPresent(checks::add));
                }
            } catch (OrtException e) {
                throw new ExportException("ONNX Runtime cannot run " + models + ": " + oneLine(e.getMessage())
                        + advice, e);
            }
            return checks;
        });
    }

    private OnnxTensor tensorOf(DummyTensor tensor) throws OrtException {
        long[] shape = tensor.shape().stream().mapToLong(Long::longValue).toArray();
        ByteBuffer direct = ByteBuffer.allocateDirect(tensor.data().remaining()).order(ByteOrder.nativeOrder());
        ByteBuffer source = tensor.data();
        switch (tensor.elementType()) {
            case INT64 -> {
                while (source.hasRemaining()) {
                    direct.putLong(source.getLong());
                }
                direct.flip();
                return OnnxTensor.createTensor(environment, direct.asLongBuffer(), shape);
            }
            case FLOAT -> {
                while (source.hasRemaining()) {
                    direct.putFloat(source.getFloat());
                }
                direct.flip();
                return OnnxTensor.createTensor(environment, direct.asFloatBuffer(), shape);
            }
            default -> throw new ExportException("dummy input '" + tensor.name() + "' is "
                    + tensor.elementType().onnxName() + ", which the validator does not feed yet");
        }
    }

    private static Output outputOf(OnnxTensor tensor) {
        long[] shape = tensor.getInfo().getShape();
        if (tensor.getInfo().type != OnnxJavaType.FLOAT) {
            return new Output(shape, new float[0], false);
        }
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return new Output(shape, values, true);
    }

    /** ONNX Runtime's message on one line, for an error message. */
    static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").strip();
    }

    @Override
    public void close() throws OrtException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } finally {
            options.close();
        }
    }
}
