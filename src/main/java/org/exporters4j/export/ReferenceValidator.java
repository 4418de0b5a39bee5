package org.exporters4j.export;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.exporters4j.export.ValidationSession.Difference;
import org.exporters4j.export.ValidationSession.Output;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WrittenModel;
import org.exporters4j.tasks.DummyInputs;
import org.exporters4j.tasks.ExportConfig;

/**
 * Checks a written model of another form ({@code --dtype fp16}) against the float32 graph of the same export, built
 * in the same process from the same weights: the reference is written beside the staged export (in a hidden folder
 * removed afterwards), both run in ONNX Runtime on the configuration's dummy inputs at the validator's two input sizes
 * ({@link OnnxRuntimeValidator}), and every float output is compared: its max abs diff against the tolerance, and the
 * cosine of the two outputs as vectors, reported.
 */
final class ReferenceValidator {
    private ReferenceValidator() {}

    /** A file written and the float32 graph it is compared with, under its export configuration. */
    record Pair(WrittenModel written, String displayName, OnnxModel reference, ExportConfig config) {}

    /**
     * Every float output of every pair's file against its reference on the same inputs; {@code label} names the
     * reference in the report (e.g. {@code "float16 vs float32 graph"}).
     */
    static List<OutputCheck> compare(List<Pair> pairs, Path staging, double atol, String label) {
        List<OutputCheck> checks = new ArrayList<>();
        try (ReferenceFolder folder = ReferenceFolder.create(staging, "float32")) {
            for (Pair pair : pairs) {
                checks.addAll(folder.compare(pair.reference(), pair.written().modelFile().getFileName().toString(),
                        reference -> compareWith(pair, reference, atol, label)));
            }
        }
        return checks;
    }

    /** The pair's file against the file of its float32 graph, output by output. */
    private static List<OutputCheck> compareWith(Pair pair, Path reference, double atol, String label) {
        Path modelFile = pair.written().modelFile();
        String subject = modelFile.getFileName() + " " + label + ", ";
        return ValidationSession.compare(modelFile, reference, pair.config(), "the exported model " + modelFile
                + " or its float32 reference", " (this is a bug in the exporter for this model type; please report it "
                + "with the model's config.json)", (inputs, name, expected, actual) -> judge(subject + sizes(inputs),
                name, expected, actual, atol));
    }

    /** A float32 output of the reference against the model's; an output of another type is not compared. */
    private static Optional<OutputCheck> judge(String subject, String name, Output expected, Optional<Output> actual,
                                               double atol) {
        if (!expected.float32()) {
            return Optional.empty();
        }
        return Optional.of(check(subject, name, expected.values(),
                actual.filter(Output::float32).map(Output::values).orElse(null), atol));
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
        Difference difference = Difference.between(expected, actual);
        double maxDiff = difference.maxAbsDiff();
        double scale = Math.max(1, difference.largestMagnitude());
        double cosine = difference.cosine();
        String figures = String.format(Locale.ROOT, "cosine %s, largest |float32 value| %.3g",
                Double.isFinite(cosine) ? String.format(Locale.ROOT, "%.6f", cosine) : "nan", scale);
        double tolerance = atol * scale;
        Verdict verdict = maxDiff <= tolerance ? Verdict.PASSED
                : Double.isFinite(maxDiff) ? Verdict.VALUE_MISMATCH : Verdict.NOT_FINITE;
        return new OutputCheck(Kind.REFERENCE, subject, name, figures, figures, maxDiff, tolerance, verdict);
    }

    /** The inputs' shapes, e.g. {@code input_ids [2, 16]}, for the report. */
    private static String sizes(DummyInputs inputs) {
        return inputs.tensors().stream().findFirst().map(t -> t.name() + " " + Arrays.toString(
                t.shape().toArray())).orElse("no inputs");
    }
}
