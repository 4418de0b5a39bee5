package org.exporters4j.onnx;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operators of the default ONNX domain this package emits, with the opset that introduced each one (the
 * "since version" of its first schema in ONNX's Operators.md). A graph may use an operator only when its opset is
 * that version or newer. Where an operator changed form later (an attribute became an input), the builder method
 * that emits it chooses the form and says so in its comment. A second table lists the ONNX Runtime contrib
 * operators ({@link OperatorDomain#MICROSOFT}) the builder emits.
 */
final class OperatorTable {
    private static final Map<String, Integer> FIRST_OPSET = new OperatorRows<Integer>("OperatorTable")
            .row("Abs", 1)
            .row("Add", 1)
            .row("And", 1)
            .row("ArgMax", 1)
            .row("AveragePool", 1)
            .row("BatchNormalization", 1)
            .row("Cast", 1)
            .row("Ceil", 1)
            .row("Clip", 1)
            .row("Concat", 1)
            .row("Constant", 1)
            .row("ConstantOfShape", 9)
            .row("Conv", 1)
            .row("Cos", 7)
            .row("CumSum", 11)
            .row("Div", 1)
            .row("Einsum", 12)
            .row("Equal", 1)
            .row("Erf", 9)
            .row("Exp", 1)
            .row("Expand", 8)
            .row("Flatten", 1)
            .row("Floor", 1)
            .row("Gather", 1)
            .row("GatherElements", 11)
            .row("Gelu", 20)
            .row("Gemm", 1)
            .row("GlobalAveragePool", 1)
            .row("Greater", 1)
            .row("GreaterOrEqual", 12)
            .row("Identity", 1)
            .row("LayerNormalization", 17)
            .row("LeakyRelu", 1)
            .row("Less", 1)
            .row("LessOrEqual", 12)
            .row("Log", 1)
            .row("LogSoftmax", 1)
            .row("MatMul", 1)
            .row("Max", 1)
            .row("MaxPool", 1)
            .row("Min", 1)
            .row("Mod", 10)
            .row("Mul", 1)
            .row("Neg", 1)
            .row("Not", 1)
            .row("Or", 1)
            .row("Pad", 1)
            .row("Pow", 1)
            .row("RMSNormalization", 23)
            .row("Range", 11)
            .row("Reciprocal", 1)
            .row("ReduceMax", 1)
            .row("ReduceMean", 1)
            .row("ReduceMin", 1)
            .row("ReduceSum", 1)
            .row("Relu", 1)
            .row("Reshape", 1)
            .row("Resize", 10)
            .row("Shape", 1)
            .row("Sigmoid", 1)
            .row("Sign", 9)
            .row("Sin", 7)
            .row("Slice", 1)
            .row("Softmax", 1)
            .row("Split", 1)
            .row("Sqrt", 1)
            .row("Squeeze", 1)
            .row("Sub", 1)
            .row("Tanh", 1)
            .row("Tile", 1)
            .row("Transpose", 1)
            .row("Trilu", 14)
            .row("Unsqueeze", 1)
            .row("Where", 9)
            .row("Xor", 1)
            .build();

    /** What a contrib operator is for. */
    private enum ContribPurpose {
        /** A fused computation ({@code --optimize}). */
        FUSES,
        /** Reads quantized weights ({@code --quantize}). */
        READS_QUANTIZED_WEIGHTS
    }

    /** A contrib operator's row: the contrib operator set version that introduced it, and what it is for. */
    private record Contrib(int firstVersion, ContribPurpose purpose) {
        private Contrib {
            Objects.requireNonNull(purpose, "purpose");
        }
    }

    /**
     * ONNX Runtime's contrib operators ({@code com.microsoft}) this package emits, with the contrib operator set
     * version that introduced each (ONNX Runtime's docs/ContribOperators.md: all of them version 1) and their purpose;
     * each builder method checks its operator against that document's schema for the ONNX Runtime release the
     * project runs.
     */
    private static final Map<String, Contrib> CONTRIB = new OperatorRows<Contrib>("OperatorTable")
            .row("Attention", new Contrib(1, ContribPurpose.FUSES))
            .row("BiasGelu", new Contrib(1, ContribPurpose.FUSES))
            .row("DynamicQuantizeMatMul", new Contrib(1, ContribPurpose.READS_QUANTIZED_WEIGHTS))
            .row("FastGelu", new Contrib(1, ContribPurpose.FUSES))
            .row("GatherBlockQuantized", new Contrib(1, ContribPurpose.READS_QUANTIZED_WEIGHTS))
            .row("GroupQueryAttention", new Contrib(1, ContribPurpose.FUSES))
            .row("MatMulNBits", new Contrib(1, ContribPurpose.READS_QUANTIZED_WEIGHTS))
            .row("MultiHeadAttention", new Contrib(1, ContribPurpose.FUSES))
            .row("RotaryEmbedding", new Contrib(1, ContribPurpose.FUSES))
            .row("SkipLayerNormalization", new Contrib(1, ContribPurpose.FUSES))
            .row("SkipSimplifiedLayerNormalization", new Contrib(1, ContribPurpose.FUSES))
            .build();

    private OperatorTable() {}

    /** Every operator of both tables (the default domain's and the contrib operators), sorted. */
    static Set<String> operators() {
        Set<String> all = new TreeSet<>(FIRST_OPSET.keySet());
        all.addAll(CONTRIB.keySet());
        return Collections.unmodifiableSet(all);
    }

    /** Whether {@code opType} is a contrib operator this package emits that fuses a computation (not a weight reader). */
    static boolean isFusedContrib(String opType) {
        Contrib contrib = CONTRIB.get(opType);
        return contrib != null && contrib.purpose() == ContribPurpose.FUSES;
    }

    /** Whether {@code opType} is one of the contrib operators this package emits. */
    static boolean isContrib(String opType) {
        return CONTRIB.containsKey(opType);
    }

    /** The opset that introduced {@code opType}; an operator missing from the table is a programming error. */
    static int firstOpset(String opType) {
        Integer first = FIRST_OPSET.get(opType);
        if (first == null) {
            throw new IllegalStateException("operator " + opType + " is missing from OperatorTable");
        }
        return first;
    }
}
