package org.exporters4j.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A float32 model turned into a 16-bit float one (float16 or bfloat16), as ONNX Runtime's own converter
 * ({@code onnxruntime/python/tools/transformers/float16.py}, from onnxconverter-common's
 * {@code convert_float_to_float16}) does it, for any graph this package builds: weights and activations in the
 * 16-bit type, the operators that need float32's range or precision kept in float32, and Casts where the two meet.
 *
 * <ul>
 *   <li><b>Float32 operators</b> ({@link #FLOAT32_OPERATORS}): ONNX Runtime's default {@code op_block_list}
 *       entries this package emits (Range, CumSum, Min, Max, Resize), and the statistics and transcendental
 *       functions whose results leave float16's range or precision: Softmax and LogSoftmax, ReduceMean and ReduceSum
 *       (a norm's mean and variance), Pow (a square or cube of an activation overflows past 256 or 40), Sqrt,
 *       Reciprocal, Exp, Log, Sin and Cos (rotary and sinusoidal angles of positions in the thousands). The native
 *       LayerNormalization and RMSNormalization take 16-bit inputs and keep their statistics in float32
 *       ({@code stash_type=1}), so they stay in the 16-bit type.</li>
 *   <li><b>Float32 islands</b>: every other node computes in the type of the values it reads. A node whose computed
 *       float inputs all come from float32 nodes computes in float32; a node reading no computed float value (only
 *       weights, constants or integers) computes in the 16-bit type when it reads a weight (an embedding Gather)
 *       and in float32 when its float values come from integers or constants (a mask or positions Cast to float,
 *       ConstantOfShape): masks, positions and their frequencies stay float32. A node reading both computes in the
 *       16-bit type, except that a node whose float results are read only by float32 nodes joins them (attention
 *       scores scaled, masked and biased before the Softmax are added in float32, where {@code finfo(float32).min}
 *       masks do not overflow to -inf); matrix products (MatMul, Gemm, Conv, Einsum) and nodes reading a weight
 *       never join a float32 island.</li>
 *   <li><b>Casts</b> are inserted where a value is read in the other type, one per value and type, named after the
 *       value ({@code <value>_float16}); ONNX Runtime's converter puts them around each blocked node.</li>
 *   <li><b>Weights</b> read by a 16-bit node are stored in the 16-bit type ({@link TensorData#narrowedTo}: finite
 *       values saturate at ±65504 and nonzero ones stay nonzero, as the converter's {@code convert_np_to_float16};
 *       a checkpoint weight stored in that type is written as stored), a float32 reader getting a Cast; weights read
 *       only by float32 nodes stay float32, as the converter's {@code InitializerTracker} keeps them. Constant
 *       values are converted the same way (a copy when float32 nodes read them too), Cast nodes to float32 in a
 *       16-bit node cast to the 16-bit type.</li>
 *   <li><b>Interface</b>: with {@link InterfaceTypes#FLOAT32} (the converter's {@code keep_io_types=True}) float
 *       inputs and outputs keep float32 and are cast at the boundary, so the model is fed and read as the float32
 *       one; with {@link InterfaceTypes#HALF} they are declared in the 16-bit type.</li>
 * </ul>
 *
 * A 16-bit Gemm is written as MatMul and Add, and a 16-bit MatMul an Add reads is followed by a Reshape to its
 * own shape (ONNX Runtime's CPU float16 Gemm is a plain loop, and its MatMulAddFusion would make one of MatMul and
 * Add; see {@code writeGemmAsMatMul} and {@code keepApartFromItsAdd}). Shape and Cast read a value in whatever type it has. A model with a control-flow node ({@code If}) is refused:
 * convert the graphs before merging them ({@link DecoderMerge}).
 */
public final class HalfPrecisionConversion {
    /** The operators computed in float32 in a 16-bit model (see the class description). */
    public static final Set<String> FLOAT32_OPERATORS = Collections.unmodifiableSet(new TreeSet<>(List.of(
            "Cos", "CumSum", "Exp", "Log", "LogSoftmax", "Max", "Min", "Pow", "Range", "Reciprocal", "ReduceMean",
            "ReduceSum", "Resize", "Sin", "Softmax", "Sqrt")));
    /** Matrix products: always in the 16-bit type, the reason for the conversion. */
    private static final Set<String> MATRIX_PRODUCTS = Set.of("Conv", "Einsum", "Gemm", "MatMul");
    /** Operators that read a value of any type, so they read it as it is. */
    private static final Set<String> ANY_TYPE_READERS = Set.of("Cast", "Shape");

    /** The element types of the model's float inputs and outputs. */
    public enum InterfaceTypes {
        /** float32, as the float32 model's (ONNX Runtime's {@code keep_io_types=True}; Optimum's interface). */
        FLOAT32,
        /** The 16-bit type, with no Cast at the boundary. */
        HALF
    }

    private enum Precision { HALF, FLOAT32 }

    private HalfPrecisionConversion() {}

    /**
     * {@code model} in {@code half} ({@link ElementType#FLOAT16} or {@link ElementType#BFLOAT16}).
     *
     * @throws OnnxGraphException for another target type, or a model with a control-flow node
     */
    public static OnnxModel convert(OnnxModel model, ElementType half, InterfaceTypes interfaceTypes) {
        if (half != ElementType.FLOAT16 && half != ElementType.BFLOAT16) {
            throw new OnnxGraphException("a half-precision model is float16 or bfloat16, not " + half.onnxName());
        }
        if (interfaceTypes == null) {
            throw new OnnxGraphException("the interface types are null; use InterfaceTypes.FLOAT32 or HALF");
        }
        for (Node node : model.nodes()) {
            if (node.attributes().stream().anyMatch(a -> a instanceof Attribute.GraphValue)) {
                throw new OnnxGraphException(node.opType() + " node '" + node.name() + "' has a subgraph; convert"
                        + " each graph to half precision before merging them (DecoderMerge), not the merged model");
            }
        }
        return new Conversion(model, half, interfaceTypes).run();
    }

    /** One conversion's state: the model's types, each node's precision, then the nodes written anew. */
    private static final class Conversion {
        private final OnnxModel model;
        private final ElementType half;
        private final InterfaceTypes interfaceTypes;
        private final Map<String, ElementType> types;
        private final Map<String, Integer> producers = new HashMap<>();
        private final Map<String, List<Integer>> readers = new HashMap<>();
        private final Set<String> graphInputs = new HashSet<>();
        private final Set<String> graphOutputs = new HashSet<>();
        private final Set<String> floatWeights = new HashSet<>();
        private final Set<String> floatConstants = new HashSet<>();
        private final Precision[] precisions;
        private final Set<String> valueNames = new HashSet<>();
        private final Set<String> nodeNames = new HashSet<>();
        private final Set<String> halfWeights = new HashSet<>();
        private final Map<String, Precision> constantTypes = new HashMap<>();
        private final Set<String> halfReadConstants = new HashSet<>();
        private final Map<String, String> halfConstantCopies = new HashMap<>();
        private final Map<String, String> renamed = new HashMap<>();
        private final Map<List<String>, String> casts = new HashMap<>();
        private final List<Node> nodes = new ArrayList<>();

        Conversion(OnnxModel model, ElementType half, InterfaceTypes interfaceTypes) {
            this.model = model;
            this.half = half;
            this.interfaceTypes = interfaceTypes;
            this.types = OutputTypes.of(model);
            this.precisions = new Precision[model.nodes().size()];
            valueNames.addAll(types.keySet());
            model.inputs().forEach(input -> graphInputs.add(input.name()));
            model.outputs().forEach(output -> graphOutputs.add(output.name()));
            for (Initializer initializer : model.initializers()) {
                if (initializer.data().elementType() == ElementType.FLOAT) {
                    floatWeights.add(initializer.name());
                }
            }
            for (int i = 0; i < model.nodes().size(); i++) {
                Node node = model.nodes().get(i);
                nodeNames.add(node.name());
                for (String output : node.outputs()) {
                    producers.put(output, i);
                }
                for (String input : node.inputs()) {
                    readers.computeIfAbsent(input, k -> new ArrayList<>()).add(i);
                }
                if (node.opType().equals("Constant") && isFloat(node.outputs().get(0))) {
                    floatConstants.add(node.outputs().get(0));
                }
            }
        }

        OnnxModel run() {
            decidePrecisions();
            decideStorage();
            for (int i = 0; i < model.nodes().size(); i++) {
                write(i);
            }
            List<TensorSpec> inputs = model.inputs().stream().map(this::interfaceSpec).toList();
            List<TensorSpec> outputs = model.outputs().stream().map(this::interfaceSpec).toList();
            // a Gemm's C it no longer reads (beta 0) leaves its constant unread
            Set<String> read = new HashSet<>();
            nodes.forEach(node -> read.addAll(node.inputs()));
            outputs.forEach(output -> read.add(output.name()));
            List<Node> kept = nodes.stream().filter(node -> !node.opType().equals("Constant")
                    || read.contains(node.outputs().get(0))).toList();
            List<Initializer> initializers = model.initializers().stream().filter(w -> read.contains(w.name()))
                    .map(w -> halfWeights.contains(w.name()) ? new Initializer(w.name(), w.data().narrowedTo(half)) : w)
                    .toList();
            return new OnnxModel(model.graphName(), model.opset(), inputs, outputs, initializers, kept);
        }

        // -----------------------------------------------------------------------------------------------------------
        // Which nodes compute in float32

        private void decidePrecisions() {
            List<Node> all = model.nodes();
            for (int i = 0; i < all.size(); i++) {
                Node node = all.get(i);
                if (floatConstants.contains(node.outputs().get(0)) && node.opType().equals("Constant")) {
                    continue; // a constant takes the type of its readers
                }
                if (FLOAT32_OPERATORS.contains(node.opType())) {
                    precisions[i] = Precision.FLOAT32;
                    continue;
                }
                boolean readsHalf = false;
                boolean readsFloat32 = false;
                for (String input : floatInputs(node)) {
                    if (graphInputs.contains(input)) {
                        readsHalf = true; // the model's data (pixels, features, a cache) is computed on in 16 bits
                    } else if (producers.containsKey(input) && !floatConstants.contains(input)) {
                        if (precisions[producers.get(input)] == Precision.HALF) {
                            readsHalf = true;
                        } else {
                            readsFloat32 = true;
                        }
                    }
                }
                if (readsHalf) {
                    precisions[i] = Precision.HALF;
                } else if (readsFloat32) {
                    precisions[i] = Precision.FLOAT32;
                } else {
                    precisions[i] = readsWeight(node) ? Precision.HALF : Precision.FLOAT32;
                }
            }
            // a 16-bit node whose float results only float32 nodes read joins them (last to first: readers first); a
            // graph output is no reader here, so the nodes before the outputs keep their type
            for (int i = all.size() - 1; i >= 0; i--) {
                Node node = all.get(i);
                if (precisions[i] != Precision.HALF || MATRIX_PRODUCTS.contains(node.opType()) || readsWeight(node)) {
                    continue;
                }
                boolean read = false;
                boolean onlyFloat32 = true;
                for (String output : node.outputs()) {
                    if (!isFloat(output)) {
                        continue;
                    }
                    for (int reader : readers.getOrDefault(output, List.of())) {
                        read = true;
                        onlyFloat32 &= precisions[reader] == Precision.FLOAT32
                                || ANY_TYPE_READERS.contains(all.get(reader).opType());
                    }
                }
                if (read && onlyFloat32) {
                    precisions[i] = Precision.FLOAT32;
                }
            }
        }

        /** The float inputs {@code node} reads in its own precision (not those it reads in any type). */
        private List<String> floatInputs(Node node) {
            if (ANY_TYPE_READERS.contains(node.opType())) {
                return List.of();
            }
            return node.inputs().stream().filter(input -> !input.isEmpty() && isFloat(input)).toList();
        }

        private boolean readsWeight(Node node) {
            return floatInputs(node).stream().anyMatch(floatWeights::contains);
        }

        /**
         * Which weights are stored in 16 bits (those a 16-bit node reads) and in which type each float constant is
         * kept (float32 when a float32 node or a float32 graph output reads it; a 16-bit copy is added when 16-bit
         * nodes read it too).
         */
        private void decideStorage() {
            Map<String, Set<Precision>> constantReaders = new HashMap<>();
            for (int i = 0; i < model.nodes().size(); i++) {
                if (precisions[i] == null) {
                    continue;
                }
                for (String input : floatInputs(model.nodes().get(i))) {
                    if (floatWeights.contains(input) && precisions[i] == Precision.HALF) {
                        halfWeights.add(input);
                    }
                    if (floatConstants.contains(input)) {
                        constantReaders.computeIfAbsent(input, k -> new HashSet<>()).add(precisions[i]);
                    }
                }
            }
            for (String constant : floatConstants) {
                Set<Precision> wanted = constantReaders.getOrDefault(constant, new HashSet<>());
                if (graphOutputs.contains(constant)) {
                    wanted.add(interfaceTypes == InterfaceTypes.FLOAT32 ? Precision.FLOAT32 : Precision.HALF);
                }
                constantTypes.put(constant, wanted.contains(Precision.FLOAT32) ? Precision.FLOAT32 : Precision.HALF);
                if (wanted.contains(Precision.HALF)) {
                    halfReadConstants.add(constant);
                }
            }
            // a graph output whose value has the other type is renamed, and a Cast gives the declared name
            for (TensorSpec output : model.outputs()) {
                if (output.elementType() == ElementType.FLOAT && naturalType(output.name()) != interfaceType()) {
                    if (!producers.containsKey(output.name())) {
                        throw new OnnxGraphException("graph output '" + output.name() + "' is a graph input or a"
                                + " weight; pass it through an Identity node to convert the model");
                    }
                    renamed.put(output.name(), freeValueName(output.name() + "_" + typeOf(naturalPrecision(
                            output.name())).onnxName()));
                }
            }
        }

        // -----------------------------------------------------------------------------------------------------------
        // Writing the nodes

        private void write(int index) {
            Node node = model.nodes().get(index);
            String output = node.outputs().get(0);
            if (node.opType().equals("Constant") && floatConstants.contains(output)) {
                writeConstant(node);
                return;
            }
            Precision precision = precisions[index];
            ElementType wanted = typeOf(precision);
            List<String> inputs = new ArrayList<>();
            for (String input : node.inputs()) {
                boolean converted = !input.isEmpty() && isFloat(input) && !ANY_TYPE_READERS.contains(node.opType());
                inputs.add(converted ? provide(input, wanted) : renamed.getOrDefault(input, input));
            }
            List<Attribute> attributes = new ArrayList<>();
            for (Attribute attribute : node.attributes()) {
                attributes.add(precision == Precision.HALF ? halfAttribute(node, attribute) : attribute);
            }
            List<String> outputs = node.outputs().stream().map(o -> renamed.getOrDefault(o, o)).toList();
            if (node.opType().equals("Gemm") && precision == Precision.HALF) {
                writeGemmAsMatMul(node, inputs, outputs.get(0));
            } else if (node.opType().equals("MatMul") && precision == Precision.HALF && readers.getOrDefault(
                    node.outputs().get(0), List.of()).stream().anyMatch(r -> model.nodes().get(r).opType().equals("Add"))) {
                String product = freeValueName(outputs.get(0) + "_product");
                nodes.add(new Node("MatMul", node.name(), inputs, List.of(product), attributes));
                keepApartFromItsAdd(node.name(), product, outputs.get(0));
            } else {
                nodes.add(new Node(node.opType(), node.name(), inputs, outputs, attributes, node.domain()));
            }
            for (String original : node.outputs()) {
                if (renamed.containsKey(original)) {
                    ElementType declared = interfaceType();
                    nodes.add(castNode(renamed.get(original), original, declared));
                    casts.put(List.of(original, declared.onnxName()), original);
                }
            }
        }

        /** A Cast to float32 in a 16-bit node casts to the 16-bit type; a float ConstantOfShape fills with it. */
        private Attribute halfAttribute(Node node, Attribute attribute) {
            if (node.opType().equals("Cast") && attribute instanceof Attribute.IntValue to && to.name().equals("to")
                    && to.value() == ElementType.FLOAT.onnxCode()) {
                return Attribute.of("to", (long) half.onnxCode());
            }
            if (node.opType().equals("ConstantOfShape") && attribute instanceof Attribute.TensorValue value
                    && value.value().elementType() == ElementType.FLOAT) {
                return Attribute.of(value.name(), GraphBuilderCore.materialized(value.value().narrowedTo(half)));
            }
            return attribute;
        }

        /**
         * A 16-bit Gemm as {@code MatMul(A, B) · alpha + C · beta} (Transpose nodes for transA, transB; ONNX Runtime
         * folds a transposed weight when the session loads): ONNX Runtime's CPU float16 Gemm is a plain loop, about
         * 500 times slower than its float16 MatMul (2.5 s against 5 ms for 128×768 by 768×768 in 1.29.0, measured),
         * which made a float16 bert-base 70 times slower than the float32 one.
         */
        private void writeGemmAsMatMul(Node gemm, List<String> inputs, String output) {
            String a = transposedIf(gemm, "transA", inputs.get(0));
            String b = transposedIf(gemm, "transB", inputs.get(1));
            float alpha = floatAttribute(gemm, "alpha");
            float beta = floatAttribute(gemm, "beta");
            boolean addsC = inputs.size() > 2 && !inputs.get(2).isEmpty() && beta != 0;
            String product = alpha == 1 && !addsC ? output : freeValueName(gemm.name() + "/MatMul_output_0");
            nodes.add(new Node("MatMul", freeNodeName(gemm.name() + "/MatMul"), List.of(a, b), List.of(product),
                    List.of()));
            if (addsC) {
                String apart = freeValueName(gemm.name() + "/Reshape_output_0");
                keepApartFromItsAdd(gemm.name(), product, apart);
                product = apart;
            }
            if (alpha != 1) {
                String scaled = addsC ? freeValueName(gemm.name() + "/Mul_output_0") : output;
                nodes.add(new Node("Mul", freeNodeName(gemm.name() + "/Mul"), List.of(product,
                        halfScalar(gemm, "alpha", alpha)), List.of(scaled), List.of()));
                product = scaled;
            }
            if (addsC) {
                String c = inputs.get(2);
                if (beta != 1) {
                    String scaledC = freeValueName(gemm.name() + "/Mul_1_output_0");
                    nodes.add(new Node("Mul", freeNodeName(gemm.name() + "/Mul_1"), List.of(c,
                            halfScalar(gemm, "beta", beta)), List.of(scaledC), List.of()));
                    c = scaledC;
                }
                nodes.add(new Node("Add", freeNodeName(gemm.name() + "/Add"), List.of(product, c), List.of(output),
                        List.of()));
            }
        }

        /**
         * {@code product} reshaped to its own shape as {@code output}: ONNX Runtime's MatMulAddFusion (CPU, default
         * level) turns a MatMul followed by an Add of a bias back into a Gemm, which in float16 is its plain loop
         * (a 128×768 by 768×768 product with its bias: 0.8 s instead of 25 ms in 1.29.0, measured); a Reshape between
         * them keeps them apart and copies nothing.
         */
        private void keepApartFromItsAdd(String owner, String product, String output) {
            String shape = freeValueName(product + "_shape");
            nodes.add(new Node("Shape", freeNodeName(owner + "/Shape"), List.of(product), List.of(shape), List.of()));
            nodes.add(new Node("Reshape", freeNodeName(owner + "/Reshape"), List.of(product, shape), List.of(output),
                    List.of()));
        }

        private String transposedIf(Node gemm, String attribute, String input) {
            if (OutputTypes.attribute(gemm, attribute).map(a -> ((Attribute.IntValue) a).value()).orElse(0L) == 0) {
                return input;
            }
            String transposed = freeValueName(input + "_transposed");
            nodes.add(new Node("Transpose", freeNodeName(gemm.name() + "/Transpose_" + attribute), List.of(input),
                    List.of(transposed), List.of(Attribute.ofInts("perm", List.of(1L, 0L)))));
            return transposed;
        }

        private static float floatAttribute(Node node, String name) {
            return OutputTypes.attribute(node, name).map(a -> ((Attribute.FloatValue) a).value()).orElse(1f);
        }

        /** A 16-bit scalar Constant of {@code value} for {@code gemm}'s {@code attribute}. */
        private String halfScalar(Node gemm, String attribute, float value) {
            String name = freeValueName(gemm.name() + "/" + attribute);
            nodes.add(new Node("Constant", freeNodeName(gemm.name() + "/Constant_" + attribute), List.of(),
                    List.of(name), List.of(Attribute.of("value", GraphBuilderCore.materialized(
                            TensorData.ofFloats(new float[] {value}).narrowedTo(half))))));
            return name;
        }

        private void writeConstant(Node node) {
            String output = node.outputs().get(0);
            TensorData value = ((Attribute.TensorValue) OutputTypes.attribute(node, "value").orElseThrow()).value();
            TensorData halfValue = GraphBuilderCore.materialized(value.narrowedTo(half));
            boolean renamedOutput = renamed.containsKey(output);
            if (constantTypes.get(output) == Precision.HALF) {
                nodes.add(new Node("Constant", node.name(), List.of(), List.of(renamed.getOrDefault(output, output)),
                        List.of(Attribute.of("value", halfValue))));
            } else {
                nodes.add(new Node("Constant", node.name(), List.of(), List.of(renamed.getOrDefault(output, output)),
                        node.attributes()));
            }
            if (constantTypes.get(output) == Precision.FLOAT32 && halfReadConstants.contains(output)) {
                String copy = freeValueName(output + "_" + half.onnxName());
                nodes.add(new Node("Constant", freeNodeName(node.name() + "_" + half.onnxName()), List.of(),
                        List.of(copy), List.of(Attribute.of("value", halfValue))));
                halfConstantCopies.put(output, copy);
            }
            if (renamedOutput) {
                nodes.add(castNode(renamed.get(output), output, interfaceType()));
                casts.put(List.of(output, interfaceType().onnxName()), output);
            }
        }

        /** The name under which {@code value} is read as {@code type}, adding its Cast the first time. */
        private String provide(String value, ElementType type) {
            String name = renamed.getOrDefault(value, value);
            if (naturalType(value) == type) {
                return name;
            }
            if (floatConstants.contains(value) && type == half && halfConstantCopies.containsKey(value)) {
                return halfConstantCopies.get(value);
            }
            List<String> key = List.of(value, type.onnxName());
            String cast = casts.get(key);
            if (cast == null) {
                cast = freeValueName(value + "_" + type.onnxName());
                nodes.add(castNode(name, cast, type));
                casts.put(key, cast);
            }
            return cast;
        }

        private Node castNode(String from, String to, ElementType type) {
            return new Node("Cast", freeNodeName(to + "/Cast"), List.of(from), List.of(to),
                    List.of(Attribute.of("to", (long) type.onnxCode())));
        }

        /** The type a float value has in the converted model (before any Cast). */
        private ElementType naturalType(String value) {
            return typeOf(naturalPrecision(value));
        }

        private Precision naturalPrecision(String value) {
            if (graphInputs.contains(value)) {
                return interfaceTypes == InterfaceTypes.FLOAT32 ? Precision.FLOAT32 : Precision.HALF;
            }
            if (floatWeights.contains(value)) {
                return halfWeights.contains(value) ? Precision.HALF : Precision.FLOAT32;
            }
            if (floatConstants.contains(value)) {
                return constantTypes.get(value);
            }
            return precisions[producers.get(value)];
        }

        private ElementType typeOf(Precision precision) {
            return precision == Precision.HALF ? half : ElementType.FLOAT;
        }

        private ElementType interfaceType() {
            return interfaceTypes == InterfaceTypes.FLOAT32 ? ElementType.FLOAT : half;
        }

        private TensorSpec interfaceSpec(TensorSpec spec) {
            return spec.elementType() == ElementType.FLOAT
                    ? new TensorSpec(spec.name(), interfaceType(), spec.shape()) : spec;
        }

        private boolean isFloat(String value) {
            return types.get(value) == ElementType.FLOAT;
        }

        private String freeValueName(String wanted) {
            return claim(wanted, valueNames);
        }

        private String freeNodeName(String wanted) {
            return claim(wanted, nodeNames);
        }

        /** A free name for {@code wanted} ({@link GraphBuilderCore#freeName}), now taken. */
        private static String claim(String wanted, Set<String> names) {
            String name = GraphBuilderCore.freeName(wanted, names);
            names.add(name);
            return name;
        }
    }
}
