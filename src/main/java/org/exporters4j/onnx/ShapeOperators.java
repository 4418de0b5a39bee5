package org.exporters4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;

/**
 * Shape, indexing and layout operators of {@link OnnxGraphBuilder}: Cast, Shape, Reshape, Transpose, (Un)Squeeze,
 * Concat, Slice, Gather, Expand, Tile, Flatten, Range, ConstantOfShape, Split, Pad and Trilu, each in the form its
 * opset defines (axes or sizes as an attribute or as an input).
 */
abstract sealed class ShapeOperators extends ElementwiseOperators permits ReductionOperators {
    ShapeOperators(String graphName, Opset opset) {
        super(graphName, opset);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Shapes, indexing and layout

    public Value cast(Value x, ElementType to) {
        Draft d = new Draft("Cast");
        d.input("input", x);
        if (to == null) {
            throw d.error("the target type is null; pass one of " + Arrays.toString(ElementType.values()));
        }
        return d.emit(to, List.of(x), Attribute.of("to", (long) to.onnxCode()));
    }

    /** The shape of {@code x} as a 1-D int64 tensor. */
    public Value shape(Value x) {
        Draft d = new Draft("Shape");
        d.input("data", x);
        return d.emit(ElementType.INT64, List.of(x));
    }

    /**
     * Dimensions {@code [start, end)} of x's shape (negative counts from the end). Attributes of Shape from opset 15;
     * before, Shape then Slice.
     */
    public Value shape(Value x, long start, long end) {
        requireOwn(x, "Shape input");
        if (opset().atLeast(15)) {
            Draft d = new Draft("Shape");
            d.input("data", x);
            return d.emit(ElementType.INT64, List.of(x), Attribute.of("start", start), Attribute.of("end", end));
        }
        return slice(shape(x), constant(start), constant(end), constant(0));
    }

    /** Dimensions from {@code start} to the last of x's shape. */
    public Value shape(Value x, long start) {
        return shape(x, start, Long.MAX_VALUE);
    }

    public Value reshape(Value x, Value shape) {
        return withInt64Operand("Reshape", "data", x, "shape", shape);
    }

    /** Reshape to a constant shape: {@code 0} copies the input's dimension, one {@code -1} is inferred. */
    public Value reshape(Value x, long... shape) {
        requireOwn(x, "Reshape input");
        String node = proposedNodeName("Reshape");
        int inferred = 0;
        for (long dim : shape) {
            if (dim < -1) {
                throw new OnnxGraphException("Reshape node '" + node + "': shape " + Arrays.toString(shape)
                        + " has " + dim + "; dimensions are sizes, 0 (copy) or -1 (infer)");
            }
            inferred += dim == -1 ? 1 : 0;
        }
        if (inferred > 1) {
            throw new OnnxGraphException("Reshape node '" + node + "': shape " + Arrays.toString(shape)
                    + " has more than one -1; at most one dimension can be inferred");
        }
        return reshape(x, constant(shape));
    }

    /** Permutes the axes: output axis i is input axis {@code perm[i]}. */
    public Value transpose(Value x, long... perm) {
        Draft d = new Draft("Transpose");
        d.input("data", x);
        if (perm.length == 0 || !isPermutation(perm)) {
            throw d.error("perm " + Arrays.toString(perm) + " must be a permutation of 0.." + (perm.length - 1)
                    + " with one entry per axis");
        }
        return d.emit(x.elementType(), List.of(x), Attribute.ofInts("perm", boxed(perm)));
    }

    /** Inserts size-1 axes. Axes are an attribute before opset 13 and an input from 13. */
    public Value unsqueeze(Value x, long... axes) {
        return squeezeLike("Unsqueeze", x, axes);
    }

    /** Inserts size-1 axes given as a 1-D int64 tensor (opset 13 and later). */
    public Value unsqueeze(Value x, Value axes) {
        Draft d = new Draft("Unsqueeze");
        d.input("data", x);
        d.input("axes", axes);
        d.requireAxesInput("axes", axes, 13);
        return d.emit(x.elementType(), List.of(x, axes));
    }

    /** Removes the given size-1 axes. Axes are an attribute before opset 13 and an input from 13. */
    public Value squeeze(Value x, long... axes) {
        return squeezeLike("Squeeze", x, axes);
    }

    /** Removes every size-1 axis. */
    public Value squeezeAll(Value x) {
        Draft d = new Draft("Squeeze");
        d.input("data", x);
        return d.emit(x.elementType(), List.of(x));
    }

    /** Joins tensors along {@code axis}; all share the element type. */
    public Value concat(long axis, Value... values) {
        return concat(axis, Arrays.asList(values));
    }

    public Value concat(long axis, List<Value> values) {
        Draft d = new Draft("Concat");
        if (values == null || values.isEmpty()) {
            throw d.error("needs at least one input, got none");
        }
        for (int i = 0; i < values.size(); i++) {
            d.input("inputs[" + i + "]", values.get(i));
            d.requireSameType(values.get(0), values.get(i));
        }
        return d.emit(values.get(0).elementType(), values, Attribute.of("axis", axis));
    }

    /** {@code data[starts:ends]} on the first axes; starts and ends are 1-D int32 or int64 tensors. */
    public Value slice(Value data, Value starts, Value ends) {
        return sliceNode(data, starts, ends, null, null);
    }

    /** {@code data[starts:ends]} on the given axes. */
    public Value slice(Value data, Value starts, Value ends, Value axes) {
        return sliceNode(data, starts, ends, axes, null);
    }

    /** {@code data[starts:ends:steps]} on the given axes. */
    public Value slice(Value data, Value starts, Value ends, Value axes, Value steps) {
        return sliceNode(data, starts, ends, axes, steps);
    }

    /** {@code data[..., start:end]} on one axis; {@code Long.MAX_VALUE} as end means "to the end". */
    public Value slice(Value data, long axis, long start, long end) {
        requireOwn(data, "Slice input");
        return sliceNode(data, constant(start), constant(end), constant(axis), null);
    }

    /** {@code data[..., start:end:step]} on one axis; a negative step walks backwards. */
    public Value slice(Value data, long axis, long start, long end, long step) {
        requireOwn(data, "Slice input");
        if (step == 0) {
            throw new OnnxGraphException("Slice node '" + proposedNodeName("Slice") + "': step must not be 0");
        }
        return sliceNode(data, constant(start), constant(end), constant(axis), constant(step));
    }

    /** Takes entries of {@code data} along {@code axis} at int32/int64 {@code indices} (numpy {@code take}). */
    public Value gather(Value data, Value indices, long axis) {
        return gatherLike("Gather", data, indices, axis);
    }

    /** {@code torch.gather}: indices of the same rank as data select along {@code axis}. */
    public Value gatherElements(Value data, Value indices, long axis) {
        return gatherLike("GatherElements", data, indices, axis);
    }

    /** Broadcasts {@code x} to a 1-D int64 {@code shape} (numpy rules, dimensions may grow only). */
    public Value expand(Value x, Value shape) {
        return withInt64Operand("Expand", "input", x, "shape", shape);
    }

    /** Repeats {@code x} {@code repeats[i]} times along axis i (a 1-D int64 tensor). */
    public Value tile(Value x, Value repeats) {
        return withInt64Operand("Tile", "input", x, "repeats", repeats);
    }

    public Value tile(Value x, long... repeats) {
        requireOwn(x, "Tile input");
        return tile(x, constant(repeats));
    }

    /** Flattens to 2-D: axes before {@code axis} form the rows, the rest the columns. */
    public Value flatten(Value x, long axis) {
        Draft d = new Draft("Flatten");
        d.input("input", x);
        return d.emit(x.elementType(), List.of(x), Attribute.of("axis", axis));
    }

    /** {@code [start, limit)} by {@code delta}; three rank-0 tensors of one numeric type. */
    public Value range(Value start, Value limit, Value delta) {
        Draft d = new Draft("Range");
        d.input("start", start);
        d.input("limit", limit);
        d.input("delta", delta);
        d.requireType("start", start, EnumSet.of(ElementType.FLOAT, ElementType.DOUBLE, ElementType.INT32,
                ElementType.INT64));
        d.requireSameType(start, limit);
        d.requireSameType(start, delta);
        return d.emit(start.elementType(), List.of(start, limit, delta));
    }

    /** A tensor of the given 1-D int64 shape filled with {@code value} of {@code elementType}. */
    public Value constantOfShape(Value shape, ElementType elementType, double value) {
        Draft d = new Draft("ConstantOfShape");
        d.input("input", shape, EnumSet.of(ElementType.INT64));
        if (elementType == null) {
            throw d.error("the element type is null");
        }
        TensorData fill = scalarData(elementType, value, "ConstantOfShape node '" + d.nodeName + "'").reshaped(1);
        return d.emit(elementType, List.of(shape), Attribute.of("value", materialized(fill)));
    }

    /**
     * Splits {@code x} along {@code axis} into parts of the given sizes. The sizes are an attribute before opset 13
     * and an input from 13.
     */
    public List<Value> split(Value x, long axis, long... sizes) {
        Draft d = new Draft("Split");
        d.input("input", x);
        if (sizes.length == 0) {
            throw d.error("needs at least one part size, got none");
        }
        for (long size : sizes) {
            if (size < 0) {
                throw d.error("part sizes " + Arrays.toString(sizes) + " must be 0 or more");
            }
        }
        List<ElementType> types = Collections.nCopies(sizes.length, x.elementType());
        if (opset().atLeast(13)) {
            return d.emitAll(types, Arrays.asList(x, constant(sizes)), Attribute.of("axis", axis));
        }
        return d.emitAll(types, List.of(x), Attribute.of("axis", axis), Attribute.ofInts("split", boxed(sizes)));
    }

    /**
     * Splits {@code x} along {@code axis} into {@code parts} equal parts (the axis must divide evenly at run time).
     * From opset 18 the count is the {@code num_outputs} attribute; before, the number of outputs.
     */
    public List<Value> splitEqually(Value x, long axis, int parts) {
        Draft d = new Draft("Split");
        d.input("input", x);
        if (parts < 1) {
            throw d.error("needs at least one part, got " + parts);
        }
        List<ElementType> types = Collections.nCopies(parts, x.elementType());
        if (opset().atLeast(18)) {
            return d.emitAll(types, List.of(x), Attribute.of("axis", axis), Attribute.of("num_outputs", (long) parts));
        }
        return d.emitAll(types, List.of(x), Attribute.of("axis", axis));
    }

    /**
     * Pads {@code x} with the int64 {@code pads} (begins of every axis, then ends) in the given mode; constant mode
     * fills with zeros.
     */
    public Value pad(Value x, Value pads, PadMode mode) {
        Draft d = new Draft("Pad");
        d.input("data", x);
        d.input("pads", pads, EnumSet.of(ElementType.INT64));
        if (mode == null) {
            throw d.error("the pad mode is null; use one of " + Arrays.toString(PadMode.values()));
        }
        if (mode == PadMode.WRAP && !opset().atLeast(19)) {
            throw d.error("mode WRAP needs opset 19 or later, but the graph uses " + opset()
                    + "; use REFLECT or EDGE, or a higher opset");
        }
        return d.emit(x.elementType(), List.of(x, pads), Attribute.of("mode", mode.onnxName()));
    }

    /** Pads {@code x} with a rank-0 {@code constantValue} of x's type. */
    public Value pad(Value x, Value pads, Value constantValue) {
        Draft d = new Draft("Pad");
        d.input("data", x);
        d.input("pads", pads, EnumSet.of(ElementType.INT64));
        d.inputLike("constant_value", constantValue, x);
        return d.emit(x.elementType(), List.of(x, pads, constantValue),
                Attribute.of("mode", PadMode.CONSTANT.onnxName()));
    }

    /** Pads with constant {@code pads} (begins of every axis, then ends). */
    public Value pad(Value x, PadMode mode, long... pads) {
        requireOwn(x, "Pad input");
        if (pads.length == 0 || pads.length % 2 != 0) {
            throw new OnnxGraphException("Pad node '" + proposedNodeName("Pad") + "': pads " + Arrays.toString(pads)
                    + " must list a begin and an end per axis (an even, non-zero count)");
        }
        return pad(x, constant(pads), mode);
    }

    /** Keeps the upper or lower triangle of the last two axes (opset 14 and later). */
    public Value trilu(Value x, Triangle triangle) {
        Draft d = new Draft("Trilu");
        d.input("input", x);
        return d.emit(x.elementType(), List.of(x), triluAttribute(d, triangle));
    }

    /** Keeps the triangle above ({@code k > 0}) or below the main diagonal shifted by a rank-0 int64 {@code k}. */
    public Value trilu(Value x, Triangle triangle, Value k) {
        Draft d = new Draft("Trilu");
        d.input("input", x);
        d.input("k", k, EnumSet.of(ElementType.INT64));
        return d.emit(x.elementType(), List.of(x, k), triluAttribute(d, triangle));
    }

    public Value trilu(Value x, Triangle triangle, long k) {
        new Draft("Trilu").input("input", x); // checks the opset before the constant is made
        return trilu(x, triangle, scalar(k));
    }

    private static boolean isPermutation(long[] perm) {
        boolean[] seen = new boolean[perm.length];
        for (long axis : perm) {
            if (axis < 0 || axis >= perm.length || seen[(int) axis]) {
                return false;
            }
            seen[(int) axis] = true;
        }
        return true;
    }

    /** (Un)Squeeze of {@code x} on the given axes: an attribute before opset 13, an int64 input from 13. */
    private Value squeezeLike(String opType, Value x, long[] axes) {
        Draft d = new Draft(opType);
        d.input("data", x);
        d.requireAxes(axes);
        if (opset().atLeast(13)) {
            return d.emit(x.elementType(), List.of(x, constant(axes)));
        }
        return d.emit(x.elementType(), List.of(x), Attribute.ofInts("axes", boxed(axes)));
    }

    /** Gather or GatherElements: {@code data} indexed along {@code axis} by int32/int64 {@code indices}. */
    private Value gatherLike(String opType, Value data, Value indices, long axis) {
        Draft d = new Draft(opType);
        d.input("data", data);
        d.input("indices", indices, INDEX);
        return d.emit(data.elementType(), List.of(data, indices), Attribute.of("axis", axis));
    }

    /** A node of {@code x} and an int64 tensor (a shape, repeats) whose output has x's type. */
    private Value withInt64Operand(String opType, String dataRole, Value x, String operandRole, Value operand) {
        Draft d = new Draft(opType);
        d.input(dataRole, x);
        d.input(operandRole, operand, EnumSet.of(ElementType.INT64));
        return d.emit(x.elementType(), List.of(x, operand));
    }

    private Value sliceNode(Value data, Value starts, Value ends, Value axes, Value steps) {
        Draft d = new Draft("Slice");
        d.input("data", data);
        d.input("starts", starts, INDEX);
        d.inputLike("ends", ends, starts);
        if (axes != null) {
            d.input("axes", axes);
            d.requireSameType(starts, axes);
        }
        if (steps != null) {
            if (axes == null) {
                throw d.error("steps need axes; pass the axes the steps apply to");
            }
            d.input("steps", steps);
            d.requireSameType(starts, steps);
        }
        List<Value> operands = new ArrayList<>(List.of(data, starts, ends));
        if (axes != null) {
            operands.add(axes);
        }
        if (steps != null) {
            operands.add(steps);
        }
        return d.emit(data.elementType(), operands);
    }

    private static Attribute triluAttribute(Draft d, Triangle triangle) {
        if (triangle == null) {
            throw d.error("the triangle is null; use UPPER or LOWER");
        }
        return Attribute.of("upper", triangle == Triangle.UPPER ? 1L : 0L);
    }
}
