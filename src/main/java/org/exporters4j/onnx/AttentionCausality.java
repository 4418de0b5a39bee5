package org.exporters4j.onnx;

/** Whether a fused attention operator lets a query see later keys ({@code unidirectional} attribute 0) or not (1). */
public enum AttentionCausality {
    BIDIRECTIONAL,
    CAUSAL
}
