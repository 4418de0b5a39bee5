package org.exporters4j.onnx;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * Operators of {@link OnnxGraphBuilder} that reduce or normalize over axes: ReduceMean/Sum/Max/Min, ArgMax, CumSum,
 * (Log)Softmax and layer, RMS and batch normalization, with the exact decompositions older opsets need.
 */
abstract sealed class ReductionOperators extends ShapeOperators permits MatrixOperators {
    ReductionOperators(String graphName, Opset opset) {
        super(graphName, opset);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reductions and scans

    /** Mean over {@code axes} (all axes when none). Axes are an attribute before opset 18 and an input from 18. */
    public Value reduceMean(Value x, KeepDims keepDims, long... axes) {
        return reduce("ReduceMean", 18, x, keepDims, axes);
    }

    /** Sum over {@code axes} (all axes when none). Axes are an attribute before opset 13 and an input from 13. */
    public Value reduceSum(Value x, KeepDims keepDims, long... axes) {
        return reduce("ReduceSum", 13, x, keepDims, axes);
    }

    /** Maximum over {@code axes} (all axes when none). Axes are an attribute before opset 18, an input from 18. */
    public Value reduceMax(Value x, KeepDims keepDims, long... axes) {
        return reduce("ReduceMax", 18, x, keepDims, axes);
    }

    /** Minimum over {@code axes} (all axes when none). Axes are an attribute before opset 18, an input from 18. */
    public Value reduceMin(Value x, KeepDims keepDims, long... axes) {
        return reduce("ReduceMin", 18, x, keepDims, axes);
    }

    /** Indices of the maxima along {@code axis} (the first one on ties), as int64. */
    public Value argMax(Value x, long axis, KeepDims keepDims) {
        Draft d = new Draft("ArgMax");
        d.input("data", x, NUMERIC);
        d.requireKeepDims(keepDims);
        return d.emit(ElementType.INT64, List.of(x), Attribute.of("axis", axis),
                Attribute.of("keepdims", keepDims.attribute()));
    }

    /** Inclusive running sum along {@code axis}, as {@code torch.cumsum}. */
    public Value cumSum(Value x, long axis) {
        return cumSum(x, axis, Accumulation.INCLUSIVE);
    }

    public Value cumSum(Value x, long axis, Accumulation accumulation) {
        Draft d = new Draft("CumSum");
        d.input("x", x);
        d.requireType("x", x, EnumSet.of(ElementType.INT32, ElementType.INT64, ElementType.FLOAT,
                ElementType.DOUBLE, ElementType.FLOAT16, ElementType.BFLOAT16));
        if (!opset().atLeast(14) && x.elementType().byteWidth() == 2) {
            throw d.error("x is " + x.elementType().onnxName() + ", which CumSum accepts from opset 14; cast to"
                    + " float or use a higher opset");
        }
        if (accumulation == null) {
            throw d.error("accumulation is null; use one of " + Arrays.toString(Accumulation.values()));
        }
        return d.emit(x.elementType(), List.of(x, scalar(axis)),
                Attribute.of("exclusive", accumulation.exclusiveAttribute()),
                Attribute.of("reverse", accumulation.reverseAttribute()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Normalization and attention building blocks

    /**
     * Softmax along {@code axis}. From opset 13 the native operator; before, Softmax normalizes over all axes from
     * {@code axis} on (flattened), which equals a per-axis softmax only for the last axis, so other axes are written
     * as {@code exp(x - max) / sum(exp(x - max))} along the axis.
     */
    public Value softmax(Value x, long axis) {
        return softmaxLike("Softmax", x, axis);
    }

    /** Log-softmax along {@code axis}, with the same opset handling as {@link #softmax}. */
    public Value logSoftmax(Value x, long axis) {
        return softmaxLike("LogSoftmax", x, axis);
    }

    /** Layer normalization over the last axis: {@code (x - mean) / sqrt(var + epsilon) × scale + bias}. */
    public Value layerNormalization(Value x, Value scale, Value bias, double epsilon) {
        return layerNormalization(x, scale, bias, -1, epsilon);
    }

    /**
     * Layer normalization over the axes from {@code axis} to the last. Native from opset 17 (computing in float32 for
     * 16-bit inputs, {@code stash_type=1}); before, its exact decomposition: ReduceMean, Sub, Pow 2, ReduceMean, Add
     * epsilon, Sqrt, Div, Mul scale, Add bias — with a Cast to float32 around the statistics for 16-bit inputs, as
     * the ONNX function body does. That is the chain ONNX Runtime's LayerNormFusion (and SkipLayerNormFusion after
     * a residual Add) turns into one LayerNormalization node at its default optimization level; written with
     * {@code Mul(d, d)} for the square it is left unfused, several times slower. The decomposition needs a negative
     * {@code axis} (the rank is not tracked).
     */
    public Value layerNormalization(Value x, Value scale, Value bias, long axis, double epsilon) {
        requireOwn(x, "LayerNormalization input X");
        if (opset().atLeast(17)) {
            Draft d = new Draft("LayerNormalization");
            d.input("X", x, FLOATING);
            d.inputLike("Scale", scale, x);
            d.inputLike("B", bias, x);
            return d.emit(x.elementType(), List.of(x, scale, bias), Attribute.of("axis", axis),
                    Attribute.of("epsilon", (float) epsilon), Attribute.of("stash_type", 1L));
        }
        Value normalized = normalizedDecomposition("LayerNormalization", x, scale, bias, axis, epsilon);
        return add(mul(normalized, scale), bias);
    }

    /**
     * Root-mean-square normalization over the last axis as Llama and T5 compute it:
     * {@code scale × x / sqrt(mean(x²) + epsilon)} with the statistics in float32 for 16-bit inputs. Native from opset
     * 23; before, Pow 2, ReduceMean, Add epsilon, Sqrt, Div, then Mul scale: the chain ONNX Runtime's
     * SimplifiedLayerNormFusion turns into one SimplifiedLayerNormalization node (with {@code Mul(x, x)} for the
     * square, or Reciprocal and Mul for the division, it is left unfused).
     */
    public Value rmsNormalization(Value x, Value scale, double epsilon) {
        requireOwn(x, "RMSNormalization input X");
        if (opset().atLeast(23)) {
            Draft d = new Draft("RMSNormalization");
            d.input("X", x, FLOATING);
            d.inputLike("scale", scale, x);
            return d.emit(x.elementType(), List.of(x, scale), Attribute.of("axis", -1L),
                    Attribute.of("epsilon", (float) epsilon), Attribute.of("stash_type", 1L));
        }
        requireOwn(scale, "RMSNormalization input scale");
        checkDecomposable("RMSNormalization", x, scale, -1, epsilon);
        ElementType type = x.elementType();
        ElementType statistics = type.byteWidth() == 2 ? ElementType.FLOAT : type;
        Value wide = statistics == type ? x : cast(x, statistics);
        Value meanSquare = reduceMean(pow(wide, scalar(statistics, 2)), KeepDims.YES, -1);
        Value normalized = div(wide, sqrt(add(meanSquare, scalar(statistics, epsilon))));
        if (statistics != type) {
            normalized = cast(normalized, type);
        }
        return mul(normalized, scale);
    }

    /** Batch normalization with running statistics (inference), per channel of axis 1. */
    public Value batchNormalization(Value x, Value scale, Value bias, Value mean, Value variance, double epsilon) {
        Draft d = new Draft("BatchNormalization");
        d.input("X", x, FLOATING);
        d.input("scale", scale);
        d.inputLike("B", bias, scale);
        d.input("input_mean", mean);
        d.inputLike("input_var", variance, mean);
        if (!(epsilon >= 0)) {
            throw d.error("epsilon must be 0 or more, got " + epsilon);
        }
        return d.emit(x.elementType(), List.of(x, scale, bias, mean, variance),
                Attribute.of("epsilon", (float) epsilon));
    }

    private Value reduce(String opType, int axesInputSince, Value x, KeepDims keepDims, long[] axes) {
        Draft d = new Draft(opType);
        d.input("data", x, NUMERIC);
        d.requireKeepDims(keepDims);
        d.requireDistinctAxes(axes);
        Attribute keep = Attribute.of("keepdims", keepDims.attribute());
        if (axes.length == 0) {
            return d.emit(x.elementType(), List.of(x), keep); // no axes: all axes, in every form
        }
        if (opset().atLeast(axesInputSince)) {
            return d.emit(x.elementType(), List.of(x, constant(axes)), keep);
        }
        return d.emit(x.elementType(), List.of(x), keep, Attribute.ofInts("axes", boxed(axes)));
    }

    private Value softmaxLike(String opType, Value x, long axis) {
        Draft d = new Draft(opType);
        d.input("input", x, FLOATING);
        if (opset().atLeast(13) || axis == -1) {
            return d.emit(x.elementType(), List.of(x), Attribute.of("axis", axis));
        }
        Value shifted = sub(x, reduceMax(x, KeepDims.YES, axis));
        Value exponentials = exp(shifted);
        Value sum = reduceSum(exponentials, KeepDims.YES, axis);
        return opType.equals("Softmax") ? div(exponentials, sum) : sub(shifted, log(sum));
    }

    /** (x - mean) / sqrt(var + eps) over axes [axis, -1], statistics in float32 for 16-bit x, back in x's type. */
    private Value normalizedDecomposition(String opType, Value x, Value scale, Value bias, long axis, double epsilon) {
        requireOwn(scale, opType + " input Scale");
        requireOwn(bias, opType + " input B");
        checkDecomposable(opType, x, scale, axis, epsilon);
        if (bias.elementType() != x.elementType()) {
            throw new OnnxGraphException(opType + ": input B is " + bias.elementType().onnxName() + " but X is "
                    + x.elementType().onnxName() + "; inputs must have the same element type");
        }
        long[] axes = new long[(int) -axis];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axis + i;
        }
        ElementType type = x.elementType();
        ElementType statistics = type.byteWidth() == 2 ? ElementType.FLOAT : type;
        Value wide = statistics == type ? x : cast(x, statistics);
        Value centered = sub(wide, reduceMean(wide, KeepDims.YES, axes));
        Value variance = reduceMean(pow(centered, scalar(statistics, 2)), KeepDims.YES, axes);
        Value deviation = sqrt(add(variance, scalar(statistics, epsilon)));
        Value normalized = div(centered, deviation);
        return statistics == type ? normalized : cast(normalized, type);
    }

    private void checkDecomposable(String opType, Value x, Value scale, long axis, double epsilon) {
        String where = opType + " (decomposed for " + opset() + ")";
        if (!FLOATING.contains(x.elementType())) {
            throw new OnnxGraphException(where + ": input X is " + x.elementType().onnxName()
                    + " but must be a floating-point type " + FLOATING);
        }
        if (scale.elementType() != x.elementType()) {
            throw new OnnxGraphException(where + ": scale is " + scale.elementType().onnxName() + " but X is "
                    + x.elementType().onnxName() + "; inputs must have the same element type");
        }
        if (axis >= 0) {
            throw new OnnxGraphException(where + ": axis " + axis + " must be negative (counted from the last axis)"
                    + " before opset 17; pass -1 to normalize the last axis");
        }
        if (!(epsilon >= 0)) {
            throw new OnnxGraphException(where + ": epsilon must be 0 or more, got " + epsilon);
        }
    }
}
