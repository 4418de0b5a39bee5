package org.exporters4j.onnx;

import java.util.Locale;

/**
 * The GELU variant: the exact one with the error function ({@code gelu} in Transformers) or the tanh approximation
 * ({@code gelu_new}, {@code gelu_pytorch_tanh}).
 */
public enum GeluApproximation {
    NONE,
    TANH;

    /** The attribute value ONNX spells the mode with: the constant's name in lower case. */
    String onnxName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
