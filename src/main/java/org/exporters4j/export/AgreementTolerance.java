package org.exporters4j.export;

import org.exporters4j.models.WeightQuantization;

/**
 * How close a quantized export's outputs must stay to the float32 graph's on the validation inputs (the absolute
 * tolerance of a float export cannot hold for weights rounded to 8 or 4 bits): the cosine of each output with the
 * float32 output, and for a language-model head's logits the share of positions whose top-1 token is the same.
 *
 * <p>The defaults depend on the bits ({@link #defaultFor}): int8 cosine ≥ {@value #INT8_MIN_COSINE} and top-1
 * ≥ {@value #INT8_MIN_TOP_ONE_AGREEMENT}; int4 cosine ≥ {@value #INT4_MIN_COSINE}, its top-1 agreement reported but not
 * bounded ({@value #INT4_MIN_TOP_ONE_AGREEMENT}). 16 levels per block lose more than 256 per channel, and random
 * weights have neither a trained model's margins nor its tolerance to noise: on random-weight checkpoints int4 keeps
 * logits cosines of 0.93–0.98 on the 2-layer fixtures, 0.957–0.966 on a Qwen2.5-0.5B shape (24 layers) and
 * 0.896–0.903 on a TinyLlama-1.1B shape (22 layers), with top-1 agreements of 0.19–0.8, where int8 keeps 0.998–0.999
 * and 0.87–1. {@code --min-cosine} and {@code --min-top1-agreement} tighten them for a trained model.
 *
 * @param minCosine the smallest cosine accepted, in (0, 1]
 * @param minTopOneAgreement the smallest share of positions whose most likely token agrees, in [0, 1]
 */
public record AgreementTolerance(double minCosine, double minTopOneAgreement) {
    public static final double INT8_MIN_COSINE = 0.99;
    public static final double INT8_MIN_TOP_ONE_AGREEMENT = 0.8;
    public static final double INT4_MIN_COSINE = 0.85;
    public static final double INT4_MIN_TOP_ONE_AGREEMENT = 0.0;

    /** The default bounds of {@code scheme}'s weights. */
    public static AgreementTolerance defaultFor(WeightQuantization.Scheme scheme) {
        return scheme == WeightQuantization.Scheme.INT4
                ? new AgreementTolerance(INT4_MIN_COSINE, INT4_MIN_TOP_ONE_AGREEMENT)
                : new AgreementTolerance(INT8_MIN_COSINE, INT8_MIN_TOP_ONE_AGREEMENT);
    }

    public AgreementTolerance {
        if (!(minCosine > 0 && minCosine <= 1)) {
            throw new IllegalArgumentException("--min-cosine must be in (0, 1], got " + minCosine + "; the defaults "
                    + "are " + INT8_MIN_COSINE + " for int8 and " + INT4_MIN_COSINE + " for int4");
        }
        if (!(minTopOneAgreement >= 0 && minTopOneAgreement <= 1)) {
            throw new IllegalArgumentException("--min-top1-agreement must be in [0, 1], got " + minTopOneAgreement
                    + "; the defaults are " + INT8_MIN_TOP_ONE_AGREEMENT + " for int8 and " + INT4_MIN_TOP_ONE_AGREEMENT
                    + " for int4");
        }
    }
}
