package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * A {@code torch.nn.Conv2d} on NCHW images: the checkpoint's {@code [out, in / groups, kernel_h, kernel_w]} weight
 * as stored, an optional bias, the window (kernel, stride, padding, dilation) and the group count. Whether the layer
 * has a bias is part of the module's definition ({@code bias=False} in Transformers' code), so the family says which
 * factory applies rather than guessing from the checkpoint.
 */
public record Convolution(Value weight, Optional<Value> bias, Window window, long groups) {
    public Convolution {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(window, "window");
        if (groups < 1) {
            throw new IllegalArgumentException("a convolution needs 1 group or more, got " + groups);
        }
    }

    /** {@code <prefix>.weight} and {@code <prefix>.bias}, checked to be {@code [out, in / groups, k…]} and {@code [out]}. */
    public static Convolution withBias(Parameters parameters, String prefix, long in, long out, Window window,
                                       long groups) {
        Value weight = weight(parameters, prefix, in, out, window, groups);
        return new Convolution(weight, Optional.of(parameters.tensor(prefix + ".bias", out)), window, groups);
    }

    /** {@code <prefix>.weight} only ({@code bias=False}), checked as {@link #withBias} checks it. */
    public static Convolution withoutBias(Parameters parameters, String prefix, long in, long out, Window window,
                                          long groups) {
        return new Convolution(weight(parameters, prefix, in, out, window, groups), Optional.empty(), window, groups);
    }

    /**
     * The window of {@code nn.Conv2d(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)}: square
     * kernel, the same padding on every side.
     */
    public static Window square(long kernel, long stride, long padding, long dilation) {
        return Window.of(kernel, kernel).withStrides(stride, stride).withPads(padding, padding, padding, padding)
                .withDilations(dilation, dilation);
    }

    public Value apply(OnnxGraphBuilder graph, Value x) {
        return bias.map(b -> graph.conv(x, weight, b, window, groups)).orElseGet(() -> graph.conv(x, weight, window, groups));
    }

    private static Value weight(Parameters parameters, String prefix, long in, long out, Window window, long groups) {
        if (in % groups != 0 || out % groups != 0) {
            throw new ArchitectureException(parameters.purpose() + ": convolution '" + prefix + "' has " + in
                    + " input and " + out + " output channels, which " + groups + " groups do not divide");
        }
        List<Long> kernel = window.kernelShape();
        long[] shape = new long[2 + kernel.size()];
        shape[0] = out;
        shape[1] = in / groups;
        for (int i = 0; i < kernel.size(); i++) {
            shape[2 + i] = kernel.get(i);
        }
        return parameters.tensor(prefix + ".weight", shape);
    }
}
