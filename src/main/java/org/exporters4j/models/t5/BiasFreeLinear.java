package org.exporters4j.models.t5;

import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Transposition;
import org.exporters4j.onnx.Value;

/**
 * An {@code nn.Linear(bias=False)}, as every T5 projection is: {@code y = x · Wᵀ} on rows {@code [n, in]}, with the
 * checkpoint's {@code [out, in]} weight used as stored (Gemm with {@code transB}), so it streams into the model
 * untouched and a weight tied to the embedding table stays one initializer.
 */
record BiasFreeLinear(Value weight, long inFeatures, long outFeatures) {
    BiasFreeLinear {
        Objects.requireNonNull(weight, "weight");
    }

    /** {@code <prefix>.weight}, shape {@code [out, in]} checked. */
    static BiasFreeLinear load(Parameters parameters, String prefix, long inFeatures, long outFeatures) {
        return new BiasFreeLinear(parameters.tensor(prefix + ".weight", outFeatures, inFeatures), inFeatures,
                outFeatures);
    }

    /** {@code rows · Wᵀ} for rows {@code [n, in]}. */
    Value apply(OnnxGraphBuilder graph, Value rows) {
        // Gemm's C is required by the DSL; with beta 0 the broadcast zero adds nothing
        return graph.gemm(rows, weight, graph.scalar(ElementType.FLOAT, 0.0), 1.0f, 0.0f, Transposition.AS_IS,
                Transposition.TRANSPOSED);
    }
}
