package org.exporters4j.onnx;

import java.util.Arrays;
import java.util.List;

/**
 * Linear-algebra operators of {@link OnnxGraphBuilder}: MatMul, Gemm and Einsum.
 */
abstract sealed class MatrixOperators extends ReductionOperators permits SpatialOperators {
    MatrixOperators(String graphName, Opset opset) {
        super(graphName, opset);
    }

    /** Matrix product with numpy semantics (batched, broadcast). */
    public Value matMul(Value a, Value b) {
        return binary("MatMul", a, b, NUMERIC);
    }

    /** {@code a × b + c} (2-D, {@code c} broadcast). */
    public Value gemm(Value a, Value b, Value c) {
        return gemm(a, b, c, 1.0f, 1.0f, Transposition.AS_IS, Transposition.AS_IS);
    }

    /** {@code alpha × op(a) × op(b) + beta × c}, where op transposes as asked. */
    public Value gemm(Value a, Value b, Value c, float alpha, float beta, Transposition transposeA,
                      Transposition transposeB) {
        Draft d = new Draft("Gemm");
        d.input("A", a);
        d.input("B", b);
        d.input("C", c);
        d.requireType("A", a, NUMERIC);
        d.requireSameType(a, b);
        d.requireSameType(a, c);
        if (transposeA == null || transposeB == null) {
            throw d.error("transposition must be AS_IS or TRANSPOSED, got null");
        }
        return d.emit(a.elementType(), List.of(a, b, c), Attribute.of("alpha", alpha), Attribute.of("beta", beta),
                Attribute.of("transA", transposeA == Transposition.TRANSPOSED ? 1L : 0L),
                Attribute.of("transB", transposeB == Transposition.TRANSPOSED ? 1L : 0L));
    }

    /** Einstein summation (opset 12 and later), such as {@code "bhqd,bhkd->bhqk"}; one operand per input term. */
    public Value einsum(String equation, Value... operands) {
        Draft d = new Draft("Einsum");
        if (equation == null || equation.isBlank()) {
            throw d.error("the equation is empty; write one like \"bij,bjk->bik\"");
        }
        String compact = equation.replace(" ", "");
        String left = compact.contains("->") ? compact.substring(0, compact.indexOf("->")) : compact;
        String right = compact.contains("->") ? compact.substring(compact.indexOf("->") + 2) : "";
        if (!left.matches("[A-Za-z.]+(,[A-Za-z.]*)*") || !right.matches("[A-Za-z.]*")
                || compact.indexOf("->") != compact.lastIndexOf("->")) {
            throw d.error("equation \"" + equation + "\" is not valid; terms are letters separated by commas, then"
                    + " an optional -> and the output term");
        }
        int terms = left.split(",", -1).length;
        if (operands.length != terms) {
            throw d.error("equation \"" + equation + "\" has " + terms + " input terms but " + operands.length
                    + " operands were given");
        }
        for (int i = 0; i < operands.length; i++) {
            d.input("Inputs[" + i + "]", operands[i]);
            d.requireType("Inputs[" + i + "]", operands[i], NUMERIC);
            d.requireSameType(operands[0], operands[i]);
        }
        return d.emit(operands[0].elementType(), Arrays.asList(operands), Attribute.of("equation", equation));
    }
}
