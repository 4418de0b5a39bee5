package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * {@code torch.nn.BatchNorm1d} / {@code BatchNorm2d} in eval mode: {@code (x − running_mean) / √(running_var + ε) ·
 * weight + bias} per channel of axis 1, with the running statistics the checkpoint stores
 * ({@code num_batches_tracked} only matters in training and is not read).
 */
public record BatchNorm(Value weight, Value bias, Value runningMean, Value runningVariance, double epsilon) {
    /** PyTorch's default {@code eps}. */
    public static final double DEFAULT_EPSILON = 1e-5;

    public BatchNorm {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(runningMean, "runningMean");
        Objects.requireNonNull(runningVariance, "runningVariance");
        if (!(epsilon >= 0)) {
            throw new IllegalArgumentException("batch norm epsilon must be 0 or more, got " + epsilon);
        }
    }

    /** {@code <prefix>.weight}, {@code .bias}, {@code .running_mean} and {@code .running_var}, all {@code [channels]}. */
    public static BatchNorm load(Parameters parameters, String prefix, long channels, double epsilon) {
        return new BatchNorm(parameters.tensor(prefix + ".weight", channels), parameters.tensor(prefix + ".bias", channels),
                parameters.tensor(prefix + ".running_mean", channels), parameters.tensor(prefix + ".running_var", channels),
                epsilon);
    }

    /** Normalizes axis 1 of {@code x} ({@code [n, channels, …]}: images, or rows {@code [n, channels]}). */
    public Value apply(OnnxGraphBuilder graph, Value x) {
        return graph.batchNormalization(x, weight, bias, runningMean, runningVariance, epsilon);
    }
}
