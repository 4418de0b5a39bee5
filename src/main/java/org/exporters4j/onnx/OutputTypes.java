package org.exporters4j.onnx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The element type of every value of a built {@link OnnxModel}, inferred as ONNX's type constraints define it: one
 * rule per operator of {@link OperatorTable} (a graph pass such as {@link HalfPrecisionConversion} needs to know
 * which values are float32, and a built model keeps names, not types). An operator without a rule is refused by
 * name, so a new operator gets its row here when it is added to the table (a test checks both tables agree).
 * Contrib operators with optional statistics outputs (SkipLayerNormalization's mean) are typed by their first
 * output; a float16 model of them is refused before conversion (Exporter).
 */
final class OutputTypes {
    /** How an operator's outputs get their element type. */
    private enum Rule {
        /** Every output has input 0's type (T in, T out). */
        FIRST_INPUT,
        /** Every output has input 1's type ({@code Where(condition, X, Y)}). */
        SECOND_INPUT,
        /** Every output has input 2's type ({@code GatherBlockQuantized(data, indices, scales)}). */
        THIRD_INPUT,
        /** bool (comparisons and logic). */
        BOOL,
        /** int64 ({@code Shape}, {@code ArgMax}). */
        INT64,
        /** The {@code to} attribute ({@code Cast}). */
        TO_ATTRIBUTE,
        /** The {@code value} attribute's type; float32 without one ({@code Constant}, {@code ConstantOfShape}). */
        VALUE_ATTRIBUTE
    }

    private static final Map<String, Rule> RULES = new OperatorRows<Rule>("OutputTypes")
            .row("Abs", Rule.FIRST_INPUT)
            .row("Add", Rule.FIRST_INPUT)
            .row("And", Rule.BOOL)
            .row("ArgMax", Rule.INT64)
            .row("Attention", Rule.FIRST_INPUT)
            .row("AveragePool", Rule.FIRST_INPUT)
            .row("BatchNormalization", Rule.FIRST_INPUT)
            .row("BiasGelu", Rule.FIRST_INPUT)
            .row("Cast", Rule.TO_ATTRIBUTE)
            .row("Ceil", Rule.FIRST_INPUT)
            .row("Clip", Rule.FIRST_INPUT)
            .row("Concat", Rule.FIRST_INPUT)
            .row("Constant", Rule.VALUE_ATTRIBUTE)
            .row("ConstantOfShape", Rule.VALUE_ATTRIBUTE)
            .row("Conv", Rule.FIRST_INPUT)
            .row("Cos", Rule.FIRST_INPUT)
            .row("CumSum", Rule.FIRST_INPUT)
            .row("Div", Rule.FIRST_INPUT)
            .row("DynamicQuantizeMatMul", Rule.FIRST_INPUT)
            .row("Einsum", Rule.FIRST_INPUT)
            .row("Equal", Rule.BOOL)
            .row("Erf", Rule.FIRST_INPUT)
            .row("Exp", Rule.FIRST_INPUT)
            .row("Expand", Rule.FIRST_INPUT)
            .row("FastGelu", Rule.FIRST_INPUT)
            .row("Flatten", Rule.FIRST_INPUT)
            .row("Floor", Rule.FIRST_INPUT)
            .row("Gather", Rule.FIRST_INPUT)
            .row("GatherBlockQuantized", Rule.THIRD_INPUT)
            .row("GatherElements", Rule.FIRST_INPUT)
            .row("Gelu", Rule.FIRST_INPUT)
            .row("Gemm", Rule.FIRST_INPUT)
            .row("GlobalAveragePool", Rule.FIRST_INPUT)
            .row("Greater", Rule.BOOL)
            .row("GreaterOrEqual", Rule.BOOL)
            .row("GroupQueryAttention", Rule.FIRST_INPUT)
            .row("Identity", Rule.FIRST_INPUT)
            .row("LayerNormalization", Rule.FIRST_INPUT)
            .row("LeakyRelu", Rule.FIRST_INPUT)
            .row("Less", Rule.BOOL)
            .row("LessOrEqual", Rule.BOOL)
            .row("Log", Rule.FIRST_INPUT)
            .row("LogSoftmax", Rule.FIRST_INPUT)
            .row("MatMul", Rule.FIRST_INPUT)
            .row("MatMulNBits", Rule.FIRST_INPUT)
            .row("Max", Rule.FIRST_INPUT)
            .row("MaxPool", Rule.FIRST_INPUT)
            .row("Min", Rule.FIRST_INPUT)
            .row("Mod", Rule.FIRST_INPUT)
            .row("Mul", Rule.FIRST_INPUT)
            .row("MultiHeadAttention", Rule.FIRST_INPUT)
            .row("Neg", Rule.FIRST_INPUT)
            .row("Not", Rule.BOOL)
            .row("Or", Rule.BOOL)
            .row("Pad", Rule.FIRST_INPUT)
            .row("Pow", Rule.FIRST_INPUT)
            .row("RMSNormalization", Rule.FIRST_INPUT)
            .row("Range", Rule.FIRST_INPUT)
            .row("Reciprocal", Rule.FIRST_INPUT)
            .row("ReduceMax", Rule.FIRST_INPUT)
            .row("ReduceMean", Rule.FIRST_INPUT)
            .row("ReduceMin", Rule.FIRST_INPUT)
            .row("ReduceSum", Rule.FIRST_INPUT)
            .row("Relu", Rule.FIRST_INPUT)
            .row("Reshape", Rule.FIRST_INPUT)
            .row("Resize", Rule.FIRST_INPUT)
            .row("RotaryEmbedding", Rule.FIRST_INPUT)
            .row("Shape", Rule.INT64)
            .row("Sigmoid", Rule.FIRST_INPUT)
            .row("Sign", Rule.FIRST_INPUT)
            .row("Sin", Rule.FIRST_INPUT)
            .row("SkipLayerNormalization", Rule.FIRST_INPUT)
            .row("SkipSimplifiedLayerNormalization", Rule.FIRST_INPUT)
            .row("Slice", Rule.FIRST_INPUT)
            .row("Softmax", Rule.FIRST_INPUT)
            .row("Split", Rule.FIRST_INPUT)
            .row("Sqrt", Rule.FIRST_INPUT)
            .row("Squeeze", Rule.FIRST_INPUT)
            .row("Sub", Rule.FIRST_INPUT)
            .row("Tanh", Rule.FIRST_INPUT)
            .row("Tile", Rule.FIRST_INPUT)
            .row("Transpose", Rule.FIRST_INPUT)
            .row("Trilu", Rule.FIRST_INPUT)
            .row("Unsqueeze", Rule.FIRST_INPUT)
            .row("Where", Rule.SECOND_INPUT)
            .row("Xor", Rule.BOOL)
            .build();

    private OutputTypes() {}

    /** The operators with a rule, sorted. */
    static List<String> operators() {
        return List.copyOf(RULES.keySet());
    }

    /**
     * The element type of every graph input, initializer and node output of {@code model}, by value name. A model
     * with a control-flow node ({@code If}) is refused: its branches' values are typed inside them.
     */
    static Map<String, ElementType> of(OnnxModel model) {
        Map<String, ElementType> types = new HashMap<>();
        model.inputs().forEach(input -> types.put(input.name(), input.elementType()));
        model.initializers().forEach(initializer -> types.put(initializer.name(), initializer.data().elementType()));
        for (Node node : model.nodes()) {
            ElementType type = outputType(node, types);
            node.outputs().forEach(output -> types.put(output, type));
        }
        return types;
    }

    /** The type of {@code node}'s outputs, its inputs typed in {@code types}. */
    static ElementType outputType(Node node, Map<String, ElementType> types) {
        Rule rule = RULES.get(node.opType());
        if (rule == null) {
            throw new OnnxGraphException(node.opType() + " node '" + node.name() + "' has no element type rule in"
                    + " OutputTypes; add the operator's row there (its outputs' type as ONNX's type constraints say)");
        }
        return switch (rule) {
            case FIRST_INPUT -> inputType(node, 0, types);
            case SECOND_INPUT -> inputType(node, 1, types);
            case THIRD_INPUT -> inputType(node, 2, types);
            case BOOL -> ElementType.BOOL;
            case INT64 -> ElementType.INT64;
            case TO_ATTRIBUTE -> attribute(node, "to").map(a -> ElementType.ofOnnxCode(
                    Math.toIntExact(((Attribute.IntValue) a).value()))).orElseThrow(() -> new OnnxGraphException(
                    "Cast node '" + node.name() + "' has no 'to' attribute"));
            case VALUE_ATTRIBUTE -> attribute(node, "value").map(a -> ((Attribute.TensorValue) a).value()
                    .elementType()).orElse(ElementType.FLOAT);
        };
    }

    private static ElementType inputType(Node node, int index, Map<String, ElementType> types) {
        String input = index < node.inputs().size() ? node.inputs().get(index) : "";
        ElementType type = types.get(input);
        if (type == null) {
            throw new OnnxGraphException(node.opType() + " node '" + node.name() + "': the type of input " + index
                    + " ('" + input + "') is unknown; its outputs take that type");
        }
        return type;
    }

    static Optional<Attribute> attribute(Node node, String name) {
        return node.attributes().stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
