package org.exporters4j.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WrittenModel;
import org.exporters4j.tasks.DummyInputs;
import org.exporters4j.tasks.DummyShapes;
import org.exporters4j.tasks.DummyTensor;
import org.exporters4j.tasks.DynamicTensor;
import org.exporters4j.tasks.ExportConfig;

/**
 * Checks a written model of another form ({@code --dtype fp16}) against the float32 graph of the same export, built
 * in the same process from the same weights: the reference is written beside the staged export (in a hidden folder
 * removed afterwards), both run in ONNX Runtime on the configuration's dummy inputs at the validator's two input sizes
 * ({@link OnnxRuntimeValidator}), and every float output is compared: its max abs diff against the tolerance, and the
 * cosine of the two outputs as vectors, reported.
 */
final class ReferenceValidator {
    /** The staged export's hidden folder for the reference files, removed when the comparison ends. */
    static final String REFERENCE_FOLDER = ".float32-reference";

    private ReferenceValidator() {}

    /** A file written and the float32 graph it is compared with, under its export configuration. */
    record Pair(WrittenModel written, String displayName, OnnxModel reference, ExportConfig config) {}

    /**
     * Every float output of every pair's file against its reference on the same inputs; {@code label} names the
     * reference in the report (e.g. {@code "float16 vs float32 graph"}).
     */
    static List<OutputCheck> compare(List<Pair> pairs, Path staging, double atol, String label) {
        Path folder = staging.resolve(REFERENCE_FOLDER);
        try {
            Files.createDirectories(folder);
            ModelWriter writer = new ModelWriter(org.exporters4j.onnx.WeightsLocation.AUTOMATIC);
            List<OutputCheck> checks = new ArrayList<>();
            for (Pair pair : pairs) {
                String fileName = pair.written().modelFile().getFileName().toString();
                WrittenModel reference = writer.writeInto(pair.reference(), folder, fileName);
                checks.addAll(ExportStop.JVM.during(ExportStop.Step.VALIDATION,
                        () -> compareNow(pair, reference.modelFile(), atol, label)));
            }
            return checks;
        } catch (IOException e) {
            ExportException failure = new ExportException("cannot write the float32 reference graph into " + folder
                    + ": " + e + "; check the output folder's free space", e);
            deleteAfter(failure, folder);
            throw failure;
        } catch (RuntimeException | Error e) {
            deleteAfter(e, folder);
            throw e;
        } finally {
            delete(folder); // after a failure already gone: the failure stays the one reported
        }
    }

    /** Removes the folder after {@code failure}, whose report a failed removal joins instead of replacing it. */
    private static void deleteAfter(Throwable failure, Path folder) {
        try {
            delete(folder);
        } catch (ExportException e) {
            failure.addSuppressed(e);
        }
    }

    private static List<OutputCheck> compareNow(Pair pair, Path referenceFile, double atol, String label) {
        List<OutputCheck> checks = new ArrayList<>();
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        String modelFile = pair.written().modelFile().toString();
        try (OrtSession.SessionOptions options = OnnxRuntimeValidator.validationOptions();
             OrtSession session = environment.createSession(modelFile, options);
             OrtSession reference = environment.createSession(referenceFile.toString(), options)) {
            for (DummyShapes shapes : List.of(DummyShapes.OPTIMUM_DEFAULTS, OnnxRuntimeValidator.OTHER_SHAPES)) {
                DummyInputs inputs = pair.config().generateDummyInputs(shapes, OnnxRuntimeValidator.SEED);
                Map<String, float[]> actual = run(environment, session, pair.config(), inputs);
                ExportStop.JVM.checkpoint();
                Map<String, float[]> expected = run(environment, reference, pair.config(), inputs);
                ExportStop.JVM.checkpoint();
                String subject = pair.written().modelFile().getFileName() + " " + label + ", " + sizes(inputs);
                for (Map.Entry<String, float[]> output : expected.entrySet()) {
                    float[] values = actual.get(output.getKey());
                    checks.add(check(subject, output.getKey(), output.getValue(), values, atol));
                }
            }
        } catch (OrtException e) {
            throw new ExportException("ONNX Runtime cannot run the exported model " + modelFile + " or its float32 "
                    + "reference: " + OnnxRuntimeValidator.oneLine(e.getMessage()) + " (this is a bug in the exporter"
                    + " for this model type; please report it with the model's config.json)", e);
        }
        return checks;
    }

    /**
     * One output: max abs diff (NaN or infinity anywhere makes it infinite) against {@code atol} times the output's
     * scale, the largest magnitude of the float32 values but at least 1 (a 16-bit type keeps about 3 significant
     * digits, so its error grows with the values: logits of 30 differ by a hundred times more than hidden states
     * near 0.3), and the cosine of the two outputs.
     */
    static OutputCheck check(String subject, String name, float[] expected, float[] actual, double atol) {
        if (actual == null || actual.length != expected.length) {
            return new OutputCheck(Kind.REFERENCE, subject, name, expected.length + " values",
                    actual == null ? "-" : actual.length + " values", Double.NaN, atol, actual == null
                            ? Verdict.MISSING_OUTPUT : Verdict.SHAPE_MISMATCH);
        }
        double maxDiff = 0;
        double scale = 1;
        double dot = 0;
        double expectedNorm = 0;
        double actualNorm = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, diff);
            scale = Math.max(scale, Math.abs(expected[i]));
            dot += (double) expected[i] * actual[i];
            expectedNorm += (double) expected[i] * expected[i];
            actualNorm += (double) actual[i] * actual[i];
        }
        // two zero vectors agree; one zero vector against another has no direction: cosine 0
        double cosine = expectedNorm == 0 && actualNorm == 0 ? 1 : dot / Math.sqrt(expectedNorm * actualNorm);
        String figures = String.format(Locale.ROOT, "cosine %s, largest |float32 value| %.3g",
                Double.isFinite(cosine) ? String.format(Locale.ROOT, "%.6f", cosine) : "nan", scale);
        double tolerance = atol * scale;
        Verdict verdict = maxDiff <= tolerance ? Verdict.PASSED
                : Double.isFinite(maxDiff) ? Verdict.VALUE_MISMATCH : Verdict.NOT_FINITE;
        return new OutputCheck(Kind.REFERENCE, subject, name, figures, figures, maxDiff, tolerance, verdict);
    }

    /** The float outputs the configuration declares, by name (an output of another type is not compared). */
    private static Map<String, float[]> run(OrtEnvironment environment, OrtSession session, ExportConfig config,
                                            DummyInputs inputs) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        try {
            for (DummyTensor tensor : inputs.tensors()) {
                if (session.getInputInfo().containsKey(tensor.name())) {
                    feed.put(tensor.name(), OnnxRuntimeValidator.tensorOf(environment, tensor));
                }
            }
            try (OrtSession.Result result = session.run(feed)) {
                for (DynamicTensor output : config.outputs()) {
                    Optional<OnnxValue> value = result.get(output.name());
                    if (value.isPresent() && value.get() instanceof OnnxTensor tensor
                            && tensor.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
                        values.put(output.name(), OnnxRuntimeValidator.floats(tensor));
                    }
                }
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
        return values;
    }

    /** The inputs' shapes, e.g. {@code input_ids [2, 16]}, for the report. */
    private static String sizes(DummyInputs inputs) {
        return inputs.tensors().stream().findFirst().map(t -> t.name() + " " + Arrays.toString(
                t.shape().toArray())).orElse("no inputs");
    }

    private static void delete(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new ExportException("cannot remove the float32 reference folder " + folder + ": " + e
                    + "; remove it by hand", e);
        }
    }
}
