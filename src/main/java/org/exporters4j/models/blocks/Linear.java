package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Transposition;
import org.exporters4j.onnx.Value;

/**
 * A {@code torch.nn.Linear} layer: {@code y = x · Wᵀ + b} with the checkpoint's {@code [out, in]} weight used as
 * stored (Gemm with {@code transB}), so the weight streams into the model untouched and a weight tied to an
 * embedding table is the same initializer. Inputs are rows: {@code [tokens, in]}.
 */
public record Linear(Value weight, Value bias, long inFeatures, long outFeatures) {
    public Linear {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
    }

    /** {@code <prefix>.weight} ({@code [out, in]}) and {@code <prefix>.bias} ({@code [out]}), shapes checked. */
    public static Linear load(Parameters parameters, String prefix, long inFeatures, long outFeatures) {
        Value weight = parameters.tensor(prefix + ".weight", outFeatures, inFeatures);
        Value bias = parameters.tensor(prefix + ".bias", outFeatures);
        return new Linear(weight, bias, inFeatures, outFeatures);
    }

    /**
     * As {@link #load}, with the output size taken from the checkpoint (a classifier's label count); the input size
     * is checked.
     */
    public static Linear loadWithOutputsFromWeights(Parameters parameters, String prefix, long inFeatures) {
        long outFeatures = parameters.dimension(prefix + ".weight", 0);
        return load(parameters, prefix, inFeatures, outFeatures);
    }

    /**
     * {@code <prefix>.weight} of a layer built with {@code bias=False}, with a zero bias so the layer is one Gemm like
     * the others.
     */
    public static Linear loadWithoutBias(Parameters parameters, OnnxGraphBuilder graph, String prefix, long inFeatures,
                                         long outFeatures) {
        Value weight = parameters.tensor(prefix + ".weight", outFeatures, inFeatures);
        Value bias = graph.constant(TensorData.ofFloats(new float[Math.toIntExact(outFeatures)], outFeatures));
        return new Linear(weight, bias, inFeatures, outFeatures);
    }

    /** {@code rows · Wᵀ + b} for rows of shape {@code [n, in]}. */
    public Value apply(OnnxGraphBuilder graph, Value rows) {
        return graph.gemm(rows, weight, bias, 1.0f, 1.0f, Transposition.AS_IS, Transposition.TRANSPOSED);
    }
}
