package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.exporters4j.models.WeightQuantization;
import org.junit.jupiter.api.Test;

/** The agreement figures of a quantized output against the float32 one, on values computed by hand. */
class QuantizedAgreementTest {
    @Test
    void cosineAndMaxAbsDiffAreHeldToTheMinimumCosine() {
        // (1, 0) against (1, 1): cosine 1/√2 ≈ 0.7071, max abs diff 1
        OutputCheck check = QuantizedAgreement.check("vs. float32", "last_hidden_state", new float[] {1, 0},
                new float[] {1, 1}, 2, false, new AgreementTolerance(0.7, 0.8));
        assertEquals(Verdict.PASSED, check.verdict());
        assertEquals(1.0, check.maxAbsDiff(), 0);
        assertTrue(check.actual().contains("cosine 0.707107"), check.actual());
        OutputCheck strict = QuantizedAgreement.check("vs. float32", "last_hidden_state", new float[] {1, 0},
                new float[] {1, 1}, 2, false, AgreementTolerance.defaultFor(WeightQuantization.Scheme.INT8));
        assertEquals(Verdict.VALUE_MISMATCH, strict.verdict());
        assertTrue(strict.describe().contains("expected cosine >= 0.99"), strict.describe());
    }

    @Test
    void languageModelLogitsReportTheShareOfPositionsWhoseTopTokenAgrees() {
        // three positions over a vocabulary of 3: argmax 2, 0, 1 against 2, 0, 0
        float[] expected = {0, 1, 5, 4, 1, 0, 0, 3, 2.9f};
        float[] actual = {0, 1, 5, 4, 1, 0, 0, 2.9f, 3};
        OutputCheck check = QuantizedAgreement.check("vs. float32", "logits", expected, actual, 3, true,
                new AgreementTolerance(0.99, 0.6));
        assertTrue(check.actual().contains("top-1 agreement 2/3 (0.6667)"), check.actual());
        assertEquals(Verdict.PASSED, check.verdict());
        assertEquals(Verdict.VALUE_MISMATCH, QuantizedAgreement.check("vs. float32", "logits", expected, actual, 3,
                true, new AgreementTolerance(0.99, 0.7)).verdict());
    }

    @Test
    void zeroOutputsAgreeAndDifferentSizesAreAShapeMismatch() {
        assertEquals(Verdict.PASSED, QuantizedAgreement.check("x", "present.0.key", new float[3], new float[3], 1,
                false, AgreementTolerance.defaultFor(WeightQuantization.Scheme.INT8)).verdict());
        assertEquals(Verdict.SHAPE_MISMATCH, QuantizedAgreement.check("x", "logits", new float[3], new float[4], 1,
                true, AgreementTolerance.defaultFor(WeightQuantization.Scheme.INT8)).verdict());
    }

    @Test
    void tolerancesOutsideTheirRangeAreRefusedNamingTheOption() {
        IllegalArgumentException cosine = assertThrows(IllegalArgumentException.class,
                () -> new AgreementTolerance(1.5, 0.5));
        assertTrue(cosine.getMessage().contains("--min-cosine"), cosine.getMessage());
        IllegalArgumentException top = assertThrows(IllegalArgumentException.class,
                () -> new AgreementTolerance(0.99, -0.1));
        assertTrue(top.getMessage().contains("--min-top1-agreement"), top.getMessage());
    }
}
