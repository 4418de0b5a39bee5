package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.Optional;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Transposition;
import org.exporters4j.onnx.Value;

/**
 * A dense layer on rows {@code [n, in]}, with or without a bias, for either weight layout Transformers stores:
 * {@code nn.Linear}'s {@code [out, in]} or GPT-2's {@code Conv1D} {@code [in, out]}. The weight is used as stored
 * (Gemm transposes {@code nn.Linear}'s), so it streams into the model untouched and a tied weight stays one
 * initializer.
 */
public record Projection(Value weight, Optional<Value> bias, WeightLayout layout, long inFeatures, long outFeatures) {

    /** How the checkpoint stores the weight matrix. */
    public enum WeightLayout {
        /** {@code torch.nn.Linear}: {@code [out, in]}, {@code y = x · Wᵀ + b}. */
        OUT_IN,
        /** GPT-2's {@code Conv1D}: {@code [in, out]}, {@code y = x · W + b}. */
        IN_OUT
    }

    /** Whether the layer adds a bias. */
    public enum Bias {
        WITH_BIAS,
        WITHOUT_BIAS
    }

    public Projection {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(layout, "layout");
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("a projection needs positive sizes, got " + inFeatures + " → "
                    + outFeatures);
        }
    }

    /** An {@code nn.Linear} at {@code <prefix>.weight} ({@code [out, in]}) and, when asked, {@code <prefix>.bias}. */
    public static Projection linear(Parameters parameters, String prefix, long inFeatures, long outFeatures, Bias bias) {
        Value weight = parameters.tensor(prefix + ".weight", outFeatures, inFeatures);
        return new Projection(weight, loadBias(parameters, prefix, outFeatures, bias), WeightLayout.OUT_IN,
                inFeatures, outFeatures);
    }

    /** As {@link #linear}, with the output size read from the checkpoint (a classifier's label count). */
    public static Projection linearWithOutputsFromWeights(Parameters parameters, String prefix, long inFeatures,
                                                          Bias bias) {
        return linear(parameters, prefix, inFeatures, parameters.dimension(prefix + ".weight", 0), bias);
    }

    /** A GPT-2 {@code Conv1D} at {@code <prefix>.weight} ({@code [in, out]}) and {@code <prefix>.bias}. */
    public static Projection conv1d(Parameters parameters, String prefix, long inFeatures, long outFeatures) {
        Value weight = parameters.tensor(prefix + ".weight", inFeatures, outFeatures);
        return new Projection(weight, loadBias(parameters, prefix, outFeatures, Bias.WITH_BIAS), WeightLayout.IN_OUT,
                inFeatures, outFeatures);
    }

    private static Optional<Value> loadBias(Parameters parameters, String prefix, long size, Bias bias) {
        return bias == Bias.WITH_BIAS ? Optional.of(parameters.tensor(prefix + ".bias", size)) : Optional.empty();
    }

    /** {@code rows · W (+ b)} for rows {@code [n, in]}. */
    public Value apply(OnnxGraphBuilder graph, Value rows) {
        Transposition transposeWeight = layout == WeightLayout.OUT_IN ? Transposition.TRANSPOSED : Transposition.AS_IS;
        if (bias.isPresent()) {
            return graph.gemm(rows, weight, bias.get(), 1.0f, 1.0f, Transposition.AS_IS, transposeWeight);
        }
        // Gemm's C is broadcast; beta 0 makes the zero a formality ONNX Runtime skips
        return graph.gemm(rows, weight, graph.scalar(ElementType.FLOAT, 0.0), 1.0f, 0.0f, Transposition.AS_IS,
                transposeWeight);
    }
}
