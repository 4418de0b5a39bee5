package org.exporters4j.onnx;

/**
 * The GELU variant: the exact one with the error function ({@code gelu} in Transformers) or the tanh approximation
 * ({@code gelu_new}, {@code gelu_pytorch_tanh}).
 */
public enum GeluApproximation {
    NONE("none"),
    TANH("tanh");

    private final String onnxName;

    GeluApproximation(String onnxName) {
        this.onnxName = onnxName;
    }

    String onnxName() {
        return onnxName;
    }
}
