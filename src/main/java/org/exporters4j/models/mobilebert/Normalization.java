package org.exporters4j.models.mobilebert;

import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * MobileBERT's {@code NORM2FN[normalization_type]}: {@code NoNorm} ({@code x · weight + bias}, element-wise) or
 * {@code nn.LayerNorm}. Some modules construct their norm without {@code eps}, so LayerNorm keeps PyTorch's default
 * of 1e-5 there; the caller passes the epsilon each module uses.
 */
record Normalization(Kind kind, Value weight, Value bias, double epsilon) {
    /** PyTorch's {@code nn.LayerNorm} default epsilon, for modules built without {@code eps=config.layer_norm_eps}. */
    static final double TORCH_DEFAULT_EPSILON = 1e-5;

    enum Kind {
        /** {@code NoNorm}: an element-wise affine map. */
        NO_NORM,
        /** {@code nn.LayerNorm} over the last axis. */
        LAYER_NORM
    }

    Normalization {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
    }

    /** {@code <prefix>.weight} and {@code <prefix>.bias}, both {@code [size]}. */
    static Normalization load(Parameters parameters, Kind kind, String prefix, long size, double epsilon) {
        return new Normalization(kind, parameters.tensor(prefix + ".weight", size),
                parameters.tensor(prefix + ".bias", size), epsilon);
    }

    Value apply(OnnxGraphBuilder graph, Value x) {
        return switch (kind) {
            case NO_NORM -> graph.add(graph.mul(x, weight), bias);
            case LAYER_NORM -> graph.layerNormalization(x, weight, bias, epsilon);
        };
    }
}
