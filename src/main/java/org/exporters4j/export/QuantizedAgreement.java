package org.exporters4j.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.exporters4j.models.Head;
import org.exporters4j.tasks.DummyInputs;
import org.exporters4j.tasks.DummyShapes;
import org.exporters4j.tasks.DummyTensor;
import org.exporters4j.tasks.DynamicTensor;
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

    /** The figures of {@code quantized} against {@code reference} (the float32 graph's file) for {@code head}. */
    static List<OutputCheck> compare(Path quantized, Path reference, ExportConfig exportConfig, Head head,
                                     AgreementTolerance tolerance) {
        return ExportStop.JVM.during(ExportStop.Step.VALIDATION,
                () -> compareNow(quantized, reference, exportConfig, head, tolerance));
    }

    private static List<OutputCheck> compareNow(Path quantized, Path reference, ExportConfig exportConfig, Head head,
                                                AgreementTolerance tolerance) {
        List<OutputCheck> checks = new ArrayList<>();
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = OnnxRuntimeValidator.validationOptions();
             OrtSession quantizedSession = environment.createSession(quantized.toString(), options);
             OrtSession referenceSession = environment.createSession(reference.toString(), options)) {
            for (DummyShapes shapes : List.of(DummyShapes.OPTIMUM_DEFAULTS, OnnxRuntimeValidator.OTHER_SHAPES)) {
                DummyInputs inputs = exportConfig.generateDummyInputs(shapes, OnnxRuntimeValidator.SEED);
                Map<String, RunValues> expected = run(environment, referenceSession, exportConfig, inputs);
                ExportStop.JVM.checkpoint();
                Map<String, RunValues> actual = run(environment, quantizedSession, exportConfig, inputs);
                ExportStop.JVM.checkpoint();
                String label = "vs. float32, " + OnnxRuntimeValidator.label(exportConfig, inputs);
                for (DynamicTensor output : exportConfig.outputs()) {
                    RunValues want = expected.get(output.name());
                    RunValues got = actual.get(output.name());
                    if (want == null || got == null) {
                        continue; // the run checks report a missing output
                    }
                    checks.add(check(label, output.name(), want.values(), got.values(), want.lastAxis(),
                            LANGUAGE_MODEL_HEADS.contains(head) && output.name().equals(LOGITS), tolerance));
                }
            }
        } catch (OrtException e) {
            throw new ExportException("ONNX Runtime cannot run the quantized model " + quantized + " beside its float32"
                    + " graph: " + e.getMessage().replaceAll("\\s+", " ").strip(), e);
        }
        return checks;
    }

    /** The figures of one output. */
    static OutputCheck check(String label, String output, float[] expected, float[] actual, int lastAxis,
                             boolean languageModelLogits, AgreementTolerance tolerance) {
        if (expected.length != actual.length) {
            return new OutputCheck(Kind.AGREEMENT, label, output, expected.length + " values",
                    actual.length + " values", Double.NaN, 0, Verdict.SHAPE_MISMATCH);
        }
        double maxDiff = 0;
        double dot = 0;
        double expectedNorm = 0;
        double actualNorm = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) expected[i] - actual[i]));
            dot += (double) expected[i] * actual[i];
            expectedNorm += (double) expected[i] * expected[i];
            actualNorm += (double) actual[i] * actual[i];
        }
        double cosine = expectedNorm == 0 && actualNorm == 0 ? 1
                : expectedNorm == 0 || actualNorm == 0 ? 0 : dot / Math.sqrt(expectedNorm * actualNorm);
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
        return new OutputCheck(Kind.AGREEMENT, label, output, want.toString(), got.toString(), maxDiff, 0,
                passed ? Verdict.PASSED : Verdict.VALUE_MISMATCH);
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

    /** One output of one run: its shape and values. */
    private record RunValues(long[] shape, float[] values) {
        /** The size of the last axis (the vocabulary of logits); 0 for a scalar. */
        int lastAxis() {
            return shape.length == 0 ? 0 : Math.toIntExact(shape[shape.length - 1]);
        }
    }

    /** Every float output of one run. */
    private static Map<String, RunValues> run(OrtEnvironment environment, OrtSession session,
                                              ExportConfig exportConfig, DummyInputs inputs) throws OrtException {
        Map<String, RunValues> values = new LinkedHashMap<>();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (DummyTensor tensor : inputs.tensors()) {
                if (session.getInputInfo().containsKey(tensor.name())) {
                    feed.put(tensor.name(), OnnxRuntimeValidator.tensorOf(environment, tensor));
                }
            }
            try (OrtSession.Result result = session.run(feed)) {
                for (DynamicTensor output : exportConfig.outputs()) {
                    Optional<OnnxValue> value = result.get(output.name());
                    if (value.isPresent() && value.get() instanceof OnnxTensor tensor) {
                        values.put(output.name(), new RunValues(tensor.getInfo().getShape(),
                                OnnxRuntimeValidator.floats(tensor)));
                    }
                }
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
        return values;
    }
}
