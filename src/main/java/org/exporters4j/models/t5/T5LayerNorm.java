package org.exporters4j.models.t5;

import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * {@code T5LayerNorm}: root-mean-square normalization over the last axis, no mean subtracted and no bias,
 * {@code weight · x / √(mean(x²) + ε)} (Transformers 4.25.1; LongT5's is a copy).
 */
record T5LayerNorm(Value weight, double epsilon) {
    T5LayerNorm {
        Objects.requireNonNull(weight, "weight");
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("layer norm epsilon must be positive, got " + epsilon);
        }
    }

    /** {@code <prefix>.weight}, {@code [size]}. */
    static T5LayerNorm load(Parameters parameters, String prefix, long size, double epsilon) {
        return new T5LayerNorm(parameters.tensor(prefix + ".weight", size), epsilon);
    }

    Value apply(OnnxGraphBuilder graph, Value x) {
        return graph.rmsNormalization(x, weight, epsilon);
    }
}
