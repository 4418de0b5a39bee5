package org.exporters4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * Operators of {@link OnnxGraphBuilder} over the spatial axes of NCHW tensors: Conv, MaxPool, AveragePool,
 * GlobalAveragePool and Resize.
 */
abstract sealed class SpatialOperators extends MatrixOperators permits ContribOperators {
    SpatialOperators(String graphName, Opset opset) {
        super(graphName, opset);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Convolution and pooling (NCHW)

    public Value conv(Value x, Value weight, Window window, long group) {
        return convNode(x, weight, null, window, group);
    }

    public Value conv(Value x, Value weight, Value bias, Window window, long group) {
        requireOwn(bias, "Conv input B");
        return convNode(x, weight, bias, window, group);
    }

    public Value maxPool(Value x, Window window) {
        Draft d = new Draft("MaxPool");
        d.input("X", x, FLOATING);
        List<Attribute> attributes = windowAttributes(d, window);
        attributes.add(dilations(window));
        return d.emit(x.elementType(), List.of(x), attributes);
    }

    public Value averagePool(Value x, Window window, PadCounting padCounting) {
        Draft d = new Draft("AveragePool");
        d.input("X", x, FLOATING);
        if (padCounting == null) {
            throw d.error("pad counting is null; use INCLUDE_PADDING or EXCLUDE_PADDING");
        }
        if (!window.dilations().stream().allMatch(v -> v == 1) && !opset().atLeast(19)) {
            throw d.error("dilations " + window.dilations() + " need opset 19 or later, but the graph uses " + opset());
        }
        List<Attribute> attributes = windowAttributes(d, window);
        if (opset().atLeast(19)) {
            attributes.add(dilations(window)); // an AveragePool attribute since opset 19
        }
        attributes.add(Attribute.of("count_include_pad", padCounting == PadCounting.INCLUDE_PADDING ? 1L : 0L));
        return d.emit(x.elementType(), List.of(x), attributes);
    }

    public Value globalAveragePool(Value x) {
        return unary("GlobalAveragePool", x, FLOATING);
    }

    /**
     * Resizes the spatial axes of {@code x} to the int64 1-D {@code sizes} (one entry per axis of {@code x}) by
     * {@code mode}, mapping output to input coordinates as {@code torch.nn.functional.interpolate(...,
     * align_corners=False)} does ({@code half_pixel}; bicubic with PyTorch's coefficient −0.75; nearest as PyTorch's
     * {@code nearest}, {@code asymmetric} coordinates rounded down). The opset 11 form:
     * empty {@code roi} and {@code scales}, then {@code sizes}.
     */
    public Value resize(Value x, Value sizes, ResizeMode mode) {
        Draft d = new Draft("Resize");
        d.input("X", x, FLOATING);
        d.input("sizes", sizes, EnumSet.of(ElementType.INT64));
        if (mode == null) {
            throw d.error("the resize mode is null; use one of " + Arrays.toString(ResizeMode.values()));
        }
        if (!opset().atLeast(11)) {
            throw d.error("Resize with sizes and half-pixel coordinates needs opset 11 or later, but the graph uses "
                    + opset());
        }
        Value empty = constant(TensorData.ofFloats(new float[0], 0));
        List<Attribute> attributes = new ArrayList<>();
        attributes.add(Attribute.of("mode", mode.onnxName()));
        if (mode == ResizeMode.NEAREST) {
            attributes.add(Attribute.of("coordinate_transformation_mode", "asymmetric"));
            attributes.add(Attribute.of("nearest_mode", "floor"));
        } else {
            attributes.add(Attribute.of("coordinate_transformation_mode", "half_pixel"));
        }
        if (mode == ResizeMode.CUBIC) {
            attributes.add(Attribute.of("cubic_coeff_a", -0.75f));
        }
        return d.emit(x.elementType(), List.of(x, empty, empty, sizes), attributes);
    }

    private Value convNode(Value x, Value weight, Value bias, Window window, long group) {
        Draft d = new Draft("Conv");
        d.input("X", x, FLOATING);
        d.inputLike("W", weight, x);
        if (bias != null) {
            d.requireSameType(x, bias);
        }
        if (group < 1) {
            throw d.error("group must be 1 or more, got " + group);
        }
        List<Attribute> attributes = windowAttributes(d, window);
        attributes.add(dilations(window));
        attributes.add(Attribute.of("group", group));
        List<Value> operands = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        return d.emit(x.elementType(), operands, attributes);
    }

    /** The window's kernel_shape, strides and pads, in a list the caller may extend (dilations, op attributes). */
    private static List<Attribute> windowAttributes(Draft d, Window window) {
        if (window == null) {
            throw d.error("the window is null; describe it with Window.of(kernel sizes...)");
        }
        List<Attribute> attributes = new ArrayList<>();
        attributes.add(Attribute.ofInts("kernel_shape", window.kernelShape()));
        attributes.add(Attribute.ofInts("strides", window.strides()));
        attributes.add(Attribute.ofInts("pads", window.pads()));
        return attributes;
    }

    private static Attribute dilations(Window window) {
        return Attribute.ofInts("dilations", window.dilations());
    }
}
