package org.exporters4j.onnx;

import java.util.Objects;
import java.util.Optional;

/**
 * A weight matrix in a quantized form, as three tensors a quantized MatMul reads: the integer codes, the scales and,
 * unless the quantization is symmetric, the zero points. Each is computed from the float weight when it is written.
 */
public record QuantizedMatrix(TensorData values, TensorData scales, Optional<TensorData> zeroPoints) {
    public QuantizedMatrix {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(scales, "scales");
        Objects.requireNonNull(zeroPoints, "zeroPoints");
    }
}
