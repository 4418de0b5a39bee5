package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/** A {@code torch.nn.LayerNorm} over the last axis: {@code (x − mean) / √(var + ε) · weight + bias}. */
public record LayerNorm(Value weight, Value bias, double epsilon) {
    public LayerNorm {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("layer norm epsilon must be positive, got " + epsilon);
        }
    }

    /** {@code <prefix>.weight} and {@code <prefix>.bias}, both {@code [size]}. */
    public static LayerNorm load(Parameters parameters, String prefix, long size, double epsilon) {
        return new LayerNorm(parameters.tensor(prefix + ".weight", size), parameters.tensor(prefix + ".bias", size),
                epsilon);
    }

    public Value apply(OnnxGraphBuilder graph, Value x) {
        return graph.layerNormalization(x, weight, bias, epsilon);
    }
}
