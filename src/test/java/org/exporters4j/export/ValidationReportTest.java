package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.junit.jupiter.api.Test;

class ValidationReportTest {
    private static final OutputCheck NAMES = new OutputCheck(Kind.INTERFACE, "graph", "outputs", "[logits]",
            "[logits]", Double.NaN, 1e-4, Verdict.PASSED);
    private static final OutputCheck SHAPE = new OutputCheck(Kind.RUN, "batch_size=2, sequence_length=16", "logits",
            "[2, 3]", "[2, 4]", Double.NaN, 1e-4, Verdict.SHAPE_MISMATCH);
    private static final OutputCheck VALUES = new OutputCheck(Kind.COMPARISON, "first example alone", "logits",
            "3 values", "3 values", 0.5, 1e-4, Verdict.VALUE_MISMATCH);

    @Test
    void everyCheckIsOneLineAndTheVerdictCountsTheFailures() {
        ValidationReport report = new ValidationReport("out/model.onnx", List.of(NAMES, SHAPE, VALUES));
        assertFalse(report.passed());
        assertEquals(List.of(SHAPE, VALUES), report.mismatches());
        assertEquals(String.join("\n",
                "[ok] graph outputs: [logits]",
                "[x] logits (batch_size=2, sequence_length=16): [2, 4] — shape mismatch, expected [2, 3]",
                "[x] logits (first example alone): max abs diff 0.500 (atol 0.000100) — value mismatch",
                "validation failed: 2 of 3 checks of out/model.onnx"), report.format());
    }

    @Test
    void aReportPassesOnlyWithChecksThatAllPassed() {
        assertTrue(new ValidationReport("m", List.of(NAMES)).passed());
        assertFalse(new ValidationReport("m", List.of()).passed());
        assertEquals("[ok] graph outputs: [logits]\nvalidation passed: 1 checks of m",
                new ValidationReport("m", List.of(NAMES)).format());
    }
}
