package org.exporters4j.onnx;

/** Whether {@code Gemm} uses an operand as given or transposed ({@code transA}/{@code transB}). */
public enum Transposition {
    AS_IS,
    TRANSPOSED
}
