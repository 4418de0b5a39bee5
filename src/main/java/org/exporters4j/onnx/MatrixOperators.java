package org.exporters4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

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
        d.input("A", a, NUMERIC);
        d.inputLike("B", b, a);
        d.inputLike("C", c, a);
        if (transposeA == null || transposeB == null) {
            throw d.error("transposition must be AS_IS or TRANSPOSED, got null");
        }
        return d.emit(a.elementType(), List.of(a, b, c), Attribute.of("alpha", alpha), Attribute.of("beta", beta),
                Attribute.of("transA", transposeA == Transposition.TRANSPOSED ? 1L : 0L),
                Attribute.of("transB", transposeB == Transposition.TRANSPOSED ? 1L : 0L));
    }

    /**
     * ONNX Runtime's {@code com.microsoft.DynamicQuantizeMatMul}: {@code a · dequantize(b)} (+ {@code bias}), where
     * {@code a} (float) is quantized to uint8 at run time and {@code b} holds int8 or uint8 codes with per-tensor or
     * per-column ({@code [N]}) {@code bScale} and optional {@code bZeroPoint} (0 when absent). It is the node ONNX
     * Runtime fuses {@code DynamicQuantizeLinear + MatMulInteger + Cast + Mul} into.
     */
    public Value dynamicQuantizeMatMul(Value a, Value b, Value bScale, Optional<Value> bZeroPoint,
                                       Optional<Value> bias) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "DynamicQuantizeMatMul");
        d.input("A", a, EnumSet.of(ElementType.FLOAT));
        d.input("B", b, EnumSet.of(ElementType.INT8, ElementType.UINT8));
        d.input("b_scale", bScale, EnumSet.of(ElementType.FLOAT));
        List<Value> operands = new ArrayList<>(List.of(a, b, bScale));
        operands.add(bZeroPoint.orElse(null));
        bZeroPoint.ifPresent(zeroPoint -> {
            d.input("b_zero_point", zeroPoint);
            d.requireSameType(b, zeroPoint);
        });
        bias.ifPresent(value -> {
            d.input("bias", value, EnumSet.of(ElementType.FLOAT));
            operands.add(value);
        });
        if (bias.isEmpty() && bZeroPoint.isEmpty()) {
            operands.remove(operands.size() - 1);
        }
        return d.emit(ElementType.FLOAT, operands);
    }

    /**
     * ONNX Runtime's {@code com.microsoft.MatMulNBits} with 4-bit codes: {@code a · dequantize(b)ᵀ} (+ {@code bias}),
     * {@code b} {@code uint8[n, k_blocks, blockSize / 2]} with {@code scales [n, k_blocks]} (of {@code a}'s type) and
     * optional packed {@code zeroPoints uint8[n, ceil(k_blocks / 2)]} (8 when absent). {@code accuracyLevel} is the
     * operator's attribute: 0 unset, 1 float32, 2 float16, 3 bfloat16, 4 int8 (ONNX Runtime's CPU quantizes
     * {@code a} to int8 per block and multiplies in integers, its fastest path).
     */
    public Value matMulNBits(Value a, Value b, Value scales, Optional<Value> zeroPoints, Optional<Value> bias,
                             long k, long n, int blockSize, int accuracyLevel) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "MatMulNBits");
        d.input("A", a, EnumSet.of(ElementType.FLOAT, ElementType.FLOAT16));
        d.input("B", b, EnumSet.of(ElementType.UINT8));
        d.inputLike("scales", scales, a);
        if (k <= 0 || n <= 0 || blockSize < 16 || Integer.bitCount(blockSize) != 1) {
            throw d.error("K " + k + " and N " + n + " must be positive and the block size (" + blockSize
                    + ") a power of two of at least 16");
        }
        if (accuracyLevel < 0 || accuracyLevel > 4) {
            throw d.error("accuracy_level is 0 (unset), 1 (fp32), 2 (fp16), 3 (bf16) or 4 (int8); got "
                    + accuracyLevel);
        }
        List<Value> operands = new ArrayList<>(List.of(a, b, scales));
        zeroPoints.ifPresent(zeroPoint -> d.input("zero_points", zeroPoint, EnumSet.of(ElementType.UINT8)));
        if (zeroPoints.isPresent() || bias.isPresent()) {
            operands.add(zeroPoints.orElse(null));
        }
        bias.ifPresent(value -> {
            d.input("bias", value);
            d.requireSameType(a, value);
            operands.add(null); // g_idx (deprecated)
            operands.add(value);
        });
        return d.emit(a.elementType(), operands, Attribute.of("K", k), Attribute.of("N", n),
                Attribute.of("accuracy_level", (long) accuracyLevel), Attribute.of("bits", 4L),
                Attribute.of("block_size", (long) blockSize));
    }

    /**
     * ONNX Runtime's {@code com.microsoft.GatherBlockQuantized} with 4-bit codes: the rows {@code indices} of a table
     * quantized in blocks along its last axis, dequantized ({@code (code - 8) · scale}, no zero points: symmetric).
     * {@code data} is {@code uint8[rows, columns / 2]}, two codes per byte, the first in the low nibble (gather axis 0,
     * quantize axis 1, as the operator requires of uint8 data); {@code scales} {@code [rows, columns / blockSize]} of
     * the output's type.
     */
    public Value gatherBlockQuantized(Value data, Value indices, Value scales, int blockSize) {
        Draft d = new Draft(OperatorDomain.MICROSOFT, "GatherBlockQuantized");
        d.input("data", data, EnumSet.of(ElementType.UINT8));
        d.input("indices", indices, INDEX);
        d.input("scales", scales, EnumSet.of(ElementType.FLOAT, ElementType.FLOAT16));
        if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
            throw d.error("the block size must be a power of two of at least 16, got " + blockSize);
        }
        return d.emit(scales.elementType(), List.of(data, indices, scales), Attribute.of("bits", 4L),
                Attribute.of("block_size", (long) blockSize), Attribute.of("gather_axis", 0L),
                Attribute.of("quantize_axis", 1L));
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
