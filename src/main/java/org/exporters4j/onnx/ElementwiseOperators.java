package org.exporters4j.onnx;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Element-wise operators of {@link OnnxGraphBuilder}: arithmetic with numpy-style broadcasting, math functions and
 * activations (GELU written out before opset 20), comparisons, boolean logic and Where.
 */
abstract sealed class ElementwiseOperators extends GraphBuilderCore permits ShapeOperators {
    ElementwiseOperators(String graphName, Opset opset) {
        super(graphName, opset);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Arithmetic (numpy-style broadcasting)

    public Value add(Value a, Value b) {
        return binary("Add", a, b, NUMERIC);
    }

    public Value sub(Value a, Value b) {
        return binary("Sub", a, b, NUMERIC);
    }

    public Value mul(Value a, Value b) {
        return binary("Mul", a, b, NUMERIC);
    }

    public Value div(Value a, Value b) {
        return binary("Div", a, b, NUMERIC);
    }

    /**
     * {@code base ^ exponent}. Before opset 12 both are the same floating-point type; from 12 the exponent may be any
     * numeric type. The result has the base's type.
     */
    public Value pow(Value base, Value exponent) {
        Draft d = new Draft("Pow");
        d.input("X", base);
        d.input("Y", exponent);
        if (opset().atLeast(12)) {
            d.requireType("X", base, NUMERIC);
            d.requireType("Y", exponent, NUMERIC);
        } else {
            d.requireType("X", base, FLOATING);
            d.requireSameType(base, exponent);
        }
        return d.emit(base.elementType(), List.of(base, exponent));
    }

    /**
     * The remainder: for integers with the divisor's sign (Python's {@code %}, {@code fmod=0}); for floating-point
     * values with the dividend's sign (C's {@code fmod}, which ONNX requires for floats).
     */
    public Value mod(Value a, Value b) {
        Draft d = new Draft("Mod");
        d.input("A", a, NUMERIC);
        d.inputLike("B", b, a);
        long fmod = a.elementType().isFloatingPoint() ? 1 : 0;
        return d.emit(a.elementType(), List.of(a, b), Attribute.of("fmod", fmod));
    }

    /** Element-wise maximum of one or more tensors (integer types from opset 12). */
    public Value max(Value... values) {
        return variadicExtremum("Max", values);
    }

    /** Element-wise minimum of one or more tensors (integer types from opset 12). */
    public Value min(Value... values) {
        return variadicExtremum("Min", values);
    }

    /** Clamps {@code x} to {@code [min, max]}, both rank-0 of x's type (integer types from opset 12). */
    public Value clip(Value x, Value min, Value max) {
        Draft d = new Draft("Clip");
        d.input("input", x, opset().atLeast(12) ? NUMERIC : FLOATING);
        d.inputLike("min", min, x);
        d.inputLike("max", max, x);
        return d.emit(x.elementType(), List.of(x, min, max));
    }

    /** Clamps {@code x} to {@code [min, max]}, given as numbers of x's type. */
    public Value clip(Value x, double min, double max) {
        requireOwn(x, "Clip input");
        if (!(min <= max)) {
            throw new OnnxGraphException("Clip node '" + proposedNodeName("Clip") + "': min " + min
                    + " is greater than max " + max);
        }
        return clip(x, scalar(x.elementType(), min), scalar(x.elementType(), max));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Element-wise math and activations

    public Value sqrt(Value x) {
        return unary("Sqrt", x, FLOATING);
    }

    public Value reciprocal(Value x) {
        return unary("Reciprocal", x, FLOATING);
    }

    public Value exp(Value x) {
        return unary("Exp", x, FLOATING);
    }

    public Value log(Value x) {
        return unary("Log", x, FLOATING);
    }

    public Value sin(Value x) {
        return unary("Sin", x, FLOATING);
    }

    public Value cos(Value x) {
        return unary("Cos", x, FLOATING);
    }

    public Value erf(Value x) {
        return unary("Erf", x, NUMERIC);
    }

    public Value tanh(Value x) {
        return unary("Tanh", x, FLOATING);
    }

    public Value sigmoid(Value x) {
        return unary("Sigmoid", x, FLOATING);
    }

    /** {@code max(x, 0)}; integer types from opset 14. */
    public Value relu(Value x) {
        return unary("Relu", x, opset().atLeast(14) ? NUMERIC : FLOATING);
    }

    public Value leakyRelu(Value x, float alpha) {
        Draft d = new Draft("LeakyRelu");
        d.input("X", x, FLOATING);
        return d.emit(x.elementType(), List.of(x), Attribute.of("alpha", alpha));
    }

    public Value neg(Value x) {
        return unary("Neg", x, NUMERIC);
    }

    public Value abs(Value x) {
        return unary("Abs", x, NUMERIC);
    }

    public Value sign(Value x) {
        return unary("Sign", x, NUMERIC);
    }

    public Value floor(Value x) {
        return unary("Floor", x, FLOATING);
    }

    public Value ceil(Value x) {
        return unary("Ceil", x, FLOATING);
    }

    /**
     * GELU. Native from opset 20; before, the decomposition PyTorch's exporter writes: for {@link
     * GeluApproximation#NONE} {@code x × (erf(x / √2) + 1) × 0.5}; for {@link GeluApproximation#TANH}
     * {@code 0.5 × x × (1 + tanh(√(2/π) × (x + 0.044715 × x³)))}.
     */
    public Value gelu(Value x, GeluApproximation approximation) {
        requireOwn(x, "Gelu input");
        if (approximation == null) {
            throw new OnnxGraphException("Gelu: the approximation must be NONE or TANH, got null");
        }
        if (opset().atLeast(20)) {
            Draft d = new Draft("Gelu");
            d.input("X", x, FLOATING);
            return d.emit(x.elementType(), List.of(x), Attribute.of("approximate", approximation.onnxName()));
        }
        if (!FLOATING.contains(x.elementType())) {
            throw new OnnxGraphException("Gelu: input X is " + x.elementType().onnxName()
                    + " but must be a floating-point type " + FLOATING);
        }
        ElementType type = x.elementType();
        if (approximation == GeluApproximation.NONE) {
            Value erf = erf(div(x, scalar(type, Math.sqrt(2.0))));
            return mul(mul(x, add(erf, scalar(type, 1.0))), scalar(type, 0.5));
        }
        Value cube = pow(x, scalar(type, 3.0));
        Value inner = mul(add(x, mul(cube, scalar(type, 0.044715))), scalar(type, Math.sqrt(2.0 / Math.PI)));
        return mul(mul(x, scalar(type, 0.5)), add(tanh(inner), scalar(type, 1.0)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Comparison and logic

    public Value equal(Value a, Value b) {
        return comparison("Equal", a, b, EnumSet.allOf(ElementType.class));
    }

    public Value less(Value a, Value b) {
        return comparison("Less", a, b, NUMERIC);
    }

    public Value lessOrEqual(Value a, Value b) {
        return comparison("LessOrEqual", a, b, NUMERIC);
    }

    public Value greater(Value a, Value b) {
        return comparison("Greater", a, b, NUMERIC);
    }

    public Value greaterOrEqual(Value a, Value b) {
        return comparison("GreaterOrEqual", a, b, NUMERIC);
    }

    public Value not(Value x) {
        return unary("Not", x, EnumSet.of(ElementType.BOOL));
    }

    public Value and(Value a, Value b) {
        return binary("And", a, b, EnumSet.of(ElementType.BOOL));
    }

    public Value or(Value a, Value b) {
        return binary("Or", a, b, EnumSet.of(ElementType.BOOL));
    }

    public Value xor(Value a, Value b) {
        return binary("Xor", a, b, EnumSet.of(ElementType.BOOL));
    }

    /** {@code condition ? x : y}, element-wise with broadcasting; the condition is bool. */
    public Value where(Value condition, Value x, Value y) {
        Draft d = new Draft("Where");
        d.input("condition", condition, EnumSet.of(ElementType.BOOL));
        d.input("X", x);
        d.inputLike("Y", y, x);
        return d.emit(x.elementType(), List.of(condition, x, y));
    }

    /** Like {@link #binary}, with a bool output. */
    private Value comparison(String opType, Value a, Value b, Set<ElementType> allowed) {
        return binaryDraft(opType, a, b, allowed).emit(ElementType.BOOL, List.of(a, b));
    }

    private Value variadicExtremum(String opType, Value[] values) {
        Draft d = new Draft(opType);
        if (values.length == 0) {
            throw d.error("needs at least one input, got none");
        }
        for (int i = 0; i < values.length; i++) {
            d.input("data_" + i, values[i]);
            d.requireType("data_" + i, values[i], opset().atLeast(12) ? NUMERIC : FLOATING);
            d.requireSameType(values[0], values[i]);
        }
        return d.emit(values[0].elementType(), Arrays.asList(values));
    }
}
