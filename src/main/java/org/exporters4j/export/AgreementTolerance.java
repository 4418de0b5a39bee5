package org.exporters4j.export;

/**
 * How close a quantized export's outputs must stay to the float32 graph's on the validation inputs (the absolute
 * tolerance of a float export cannot hold for weights rounded to 8 or 4 bits): the cosine of each output with the
 * float32 output, and for a language-model head's logits the share of positions whose top-1 token is the same.
 *
 * @param minCosine the smallest cosine accepted, in (0, 1]; {@link #DEFAULT_MIN_COSINE} by default
 * @param minTopOneAgreement the smallest share of positions whose most likely token agrees, in [0, 1];
 *     {@link #DEFAULT_MIN_TOP_ONE_AGREEMENT} by default
 */
public record AgreementTolerance(double minCosine, double minTopOneAgreement) {
    /** The default cosine bound: a quantized model's outputs point the float32 model's way. */
    public static final double DEFAULT_MIN_COSINE = 0.99;
    /** The default top-1 bound. */
    public static final double DEFAULT_MIN_TOP_ONE_AGREEMENT = 0.8;
    public static final AgreementTolerance DEFAULT = new AgreementTolerance(DEFAULT_MIN_COSINE,
            DEFAULT_MIN_TOP_ONE_AGREEMENT);

    public AgreementTolerance {
        if (!(minCosine > 0 && minCosine <= 1)) {
            throw new IllegalArgumentException("--min-cosine must be in (0, 1], got " + minCosine + "; the default is "
                    + DEFAULT_MIN_COSINE);
        }
        if (!(minTopOneAgreement >= 0 && minTopOneAgreement <= 1)) {
            throw new IllegalArgumentException("--min-top1-agreement must be in [0, 1], got " + minTopOneAgreement
                    + "; the default is " + DEFAULT_MIN_TOP_ONE_AGREEMENT);
        }
    }
}
