package org.exporters4j.export;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.exporters4j.export.ValidationSession.Difference;
import org.exporters4j.models.Head;
import org.exporters4j.tasks.ExportConfig;

/**
 * A quantized export against the float32 graph of the same weights, run side by side in ONNX Runtime on the
 * validation inputs (Optimum's shapes, then the second set of {@link OnnxRuntimeValidator}): for every output, the
 * largest absolute difference, the cosine of the two outputs and, for a language-model head's {@code logits}, the
 * share of positions whose most likely token agrees (the next token a greedy decoder would pick). One check per run
 * and output, held to the {@link AgreementTolerance}.
 */
final class QuantizedAgreement {
    /** Heads whose {@code logits} score a vocabulary at each position: their top-1 is the next (or masked) token. */
    private static final Set<Head> LANGUAGE_MODEL_HEADS = EnumSet.of(Head.CAUSAL_LM, Head.MASKED_LM,
            Head.SEQ2SEQ_LM, Head.SPEECH2SEQ_LM, Head.CTC);
    static final String LOGITS = "logits";

    private QuantizedAgreement() {}

    /**
     * The figures of {@code quantized} against {@code reference} (the float32 graph's file, which the report calls
     * {@code referenceName}: {@code float32}, or {@code plain float32} beside a fused export) for {@code head}.
     */
    static List<OutputCheck> compare(Path quantized, Path reference, String referenceName, ExportConfig exportConfig,
                                     Head head, AgreementTolerance tolerance) {
        // an output the quantized model lacks gives no figure here: the run checks report it
        return ValidationSession.compare(quantized, reference, exportConfig, "the quantized model " + quantized
                + " beside its " + referenceName + " graph", "", (inputs, name, expected, actual) -> actual.map(
                        given -> check("vs. " + referenceName + ", " + OnnxRuntimeValidator.label(exportConfig,
                                inputs), name, expected.values(), given.values(), expected.lastAxis(),
                                LANGUAGE_MODEL_HEADS.contains(head) && name.equals(LOGITS), tolerance)));
    }

    /** The figures of one output. */
    static OutputCheck check(String label, String output, float[] expected, float[] actual, int lastAxis,
                             boolean languageModelLogits, AgreementTolerance tolerance) {
        if (expected.length != actual.length) {
            return new OutputCheck(Kind.AGREEMENT, label, output, expected.length + " values",
                    actual.length + " values", Double.NaN, 0, Verdict.SHAPE_MISMATCH);
        }
        Difference difference = Difference.between(expected, actual);
        double cosine = difference.cosine();
        boolean passed = cosine >= tolerance.minCosine();
        StringBuilder want = new StringBuilder(String.format(Locale.ROOT, "cosine >= %.4g", tolerance.minCosine()));
        StringBuilder got = new StringBuilder(String.format(Locale.ROOT, "cosine %.6f", cosine));
        if (languageModelLogits && lastAxis > 0 && expected.length % lastAxis == 0) {
            int positions = expected.length / lastAxis;
            int agree = 0;
            for (int p = 0; p < positions; p++) {
                agree += argMax(expected, p * lastAxis, lastAxis) == argMax(actual, p * lastAxis, lastAxis) ? 1 : 0;
            }
            double share = positions == 0 ? 1 : (double) agree / positions;
            passed &= share >= tolerance.minTopOneAgreement();
            want.append(String.format(Locale.ROOT, ", top-1 agreement >= %.4g", tolerance.minTopOneAgreement()));
            got.append(String.format(Locale.ROOT, ", top-1 agreement %d/%d (%.4f)", agree, positions, share));
        }
        return new OutputCheck(Kind.AGREEMENT, label, output, want.toString(), got.toString(),
                difference.maxAbsDiff(), 0, passed ? Verdict.PASSED : Verdict.VALUE_MISMATCH);
    }

    private static int argMax(float[] values, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (values[from + i] > values[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
