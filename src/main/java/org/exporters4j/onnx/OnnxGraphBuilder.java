package org.exporters4j.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Builds one ONNX graph for a fixed opset, one typed method per operator.
 *
 * <p>Each method checks its operands when the node is added (that the operator exists in the graph's opset, the
 * number of inputs, attribute values, element types) and emits the form the opset defines: axes as an attribute or
 * as an input, a native operator or its exact decomposition. Errors name the operator and the node. Values are
 * {@link Value} handles; their element types are inferred as nodes are added.
 *
 * <p>Nodes are named like PyTorch's exporter names them: the current scope path ({@link #inScope}) and the operator
 * ({@code /encoder/layer.0/attention/self/MatMul}, then {@code ..._1} for the next one), and their outputs
 * {@code <node>_output_<i>}. Small constants are Constant nodes, deduplicated by content; weights are initializers
 * (stored once per identity, so tied weights share one tensor). {@link #build()} returns the checked, immutable
 * {@link OnnxModel}.
 *
 * <p>A builder is used by one thread; it holds no static state.
 */
public final class OnnxGraphBuilder {
    private static final Set<ElementType> FLOATING = EnumSet.of(
            ElementType.FLOAT, ElementType.FLOAT16, ElementType.BFLOAT16, ElementType.DOUBLE);
    private static final Set<ElementType> NUMERIC = EnumSet.complementOf(EnumSet.of(ElementType.BOOL));
    private static final Set<ElementType> INDEX = EnumSet.of(ElementType.INT32, ElementType.INT64);

    private final String graphName;
    private final Opset opset;
    private final List<Value> inputs = new ArrayList<>();
    private final Map<Value, TensorSpec> inputSpecs = new IdentityHashMap<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final Map<Object, Value> initializerByIdentity = new HashMap<>();
    private final Map<Value, String> names = new IdentityHashMap<>();
    private final Set<String> valueNames = new HashSet<>();
    private final Map<Value, PendingNode> producers = new IdentityHashMap<>();
    private final List<PendingNode> nodes = new ArrayList<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Map<ConstantKey, Value> constants = new HashMap<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private final List<DeclaredOutput> outputs = new ArrayList<>();

    /**
     * A builder for the graph {@code graphName} (PyTorch names its graphs {@code main_graph}) at {@code opset}.
     */
    public OnnxGraphBuilder(String graphName, Opset opset) {
        if (graphName == null || graphName.isBlank() || opset == null) {
            throw new OnnxGraphException("a graph needs a name (such as \"main_graph\") and an opset");
        }
        this.graphName = graphName;
        this.opset = opset;
    }

    public OnnxGraphBuilder(String graphName, int opset) {
        this(graphName, Opset.of(opset));
    }

    public String graphName() {
        return graphName;
    }

    public Opset opset() {
        return opset;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Interface: inputs, outputs, initializers, constants, scopes

    /** Declares a graph input, such as {@code input_ids: int64[batch_size, sequence_length]}. */
    public Value input(String name, ElementType elementType, Shape shape) {
        return input(new TensorSpec(name, elementType, shape));
    }

    public Value input(TensorSpec spec) {
        if (spec == null) {
            throw new OnnxGraphException("graph '" + graphName + "': an input needs a TensorSpec, got null");
        }
        requireFreeName(spec.name(), "a graph input");
        Value value = newValue(spec.elementType(), spec.name());
        inputs.add(value);
        inputSpecs.put(value, spec);
        return value;
    }

    /**
     * Declares {@code value} as the graph output {@code name} with the declared element type and shape. A node
     * output is renamed to {@code name} (as PyTorch's exporter names outputs); a graph input, an initializer or a
     * value already declared under another name is passed through an Identity node.
     */
    public void output(String name, Value value, ElementType elementType, Shape shape) {
        TensorSpec spec = new TensorSpec(name, elementType, shape);
        requireOwn(value, "graph output '" + name + "'");
        if (value.elementType() != elementType) {
            throw new OnnxGraphException("graph output '" + name + "' is declared " + elementType.onnxName()
                    + " but the value " + nameOf(value) + " is " + value.elementType().onnxName()
                    + "; add a cast(value, " + elementType + ") or declare " + value.elementType());
        }
        for (DeclaredOutput declared : outputs) {
            if (declared.spec().name().equals(name)) {
                throw new OnnxGraphException("graph output '" + name + "' is declared twice");
            }
        }
        boolean alreadyOutput = outputs.stream().anyMatch(declared -> declared.value() == value);
        Value named = value;
        if (!nameOf(value).equals(name)) {
            requireFreeName(name, "a graph output");
            if (producers.containsKey(value) && !alreadyOutput) {
                rename(value, name);
            } else {
                named = identity(value);
                rename(named, name);
            }
        }
        outputs.add(new DeclaredOutput(spec, named));
    }

    /**
     * A weight of the graph. Data with an identity already added (the same object, or a derived tensor of the same
     * source and operation) is stored once and yields the value of its first name: tied weights share one tensor.
     */
    public Value initializer(String name, TensorData data) {
        if (data == null) {
            throw new OnnxGraphException("initializer '" + name + "' has no tensor data");
        }
        Value existing = initializerByIdentity.get(data.identity());
        if (existing != null) {
            return existing;
        }
        Initializer initializer = new Initializer(name, data);
        requireFreeName(name, "an initializer");
        Value value = newValue(data.elementType(), name);
        initializers.add(initializer);
        initializerByIdentity.put(data.identity(), value);
        return value;
    }

    /** A Constant node holding {@code data}, which should be small (it is stored in the graph structure). */
    public Value constant(TensorData data) {
        if (data == null) {
            throw new OnnxGraphException("Constant: tensor data is null");
        }
        ByteBuffer view = data.bytes();
        ByteBuffer content = ByteBuffer.allocate(view.remaining()).put(view).flip().asReadOnlyBuffer(); // a stable key
        ConstantKey key = new ConstantKey(data.elementType(), data.dims(), content);
        Value cached = constants.get(key);
        if (cached != null) {
            return cached;
        }
        TensorData copy = TensorData.wrap(data.elementType(), data.dims(), content);
        Value value = new Draft("Constant").emit(data.elementType(), List.of(), Attribute.of("value", copy));
        constants.put(key, value);
        return value;
    }

    /** A 1-D int64 Constant, such as a shape, axes or indices. */
    public Value constant(long... values) {
        return constant(TensorData.ofLongs(values, values.length));
    }

    /** A rank-0 int64 Constant. */
    public Value scalar(long value) {
        return constant(TensorData.ofLongs(new long[] {value}));
    }

    /**
     * A rank-0 Constant of {@code elementType} (float types round to nearest; integer and bool types need an exact
     * value). Pass the model's float type so a float16 graph gets float16 constants.
     */
    public Value scalar(ElementType elementType, double value) {
        return constant(scalarData(elementType, value, "scalar"));
    }

    /**
     * Runs {@code body} inside a naming scope, such as a module name ({@code encoder}, {@code layer.0},
     * {@code attention}): nodes it adds are named under the open scopes ({@code /encoder/layer.0/attention/MatMul}),
     * as PyTorch's exporter names nodes by module path. Scopes nest; the scope closes when {@code body} returns or
     * throws. Returns what {@code body} returns.
     */
    public <T> T inScope(String name, Supplier<T> body) {
        if (name == null || name.isBlank() || name.contains("/")) {
            throw new OnnxGraphException("a scope name must be a non-blank module name without '/', got '" + name
                    + "'; nest inScope calls for nested modules");
        }
        if (body == null) {
            throw new OnnxGraphException("scope '" + name + "' needs a body that adds its nodes");
        }
        scopes.push(name);
        try {
            return body.get();
        } finally {
            scopes.pop();
        }
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
        if (opset.atLeast(12)) {
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
        d.input("A", a);
        d.input("B", b);
        d.requireType("A", a, NUMERIC);
        d.requireSameType(a, b);
        long fmod = a.elementType().isFloatingPoint() ? 1 : 0;
        return d.emit(a.elementType(), List.of(a, b), Attribute.of("fmod", fmod));
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
        d.input("input", x);
        d.input("min", min);
        d.input("max", max);
        d.requireType("input", x, opset.atLeast(12) ? NUMERIC : FLOATING);
        d.requireSameType(x, min);
        d.requireSameType(x, max);
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
        return unary("Relu", x, opset.atLeast(14) ? NUMERIC : FLOATING);
    }

    public Value leakyRelu(Value x, float alpha) {
        Draft d = new Draft("LeakyRelu");
        d.input("X", x);
        d.requireType("X", x, FLOATING);
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

    public Value identity(Value x) {
        Draft d = new Draft("Identity");
        d.input("input", x);
        return d.emit(x.elementType(), List.of(x));
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
        if (opset.atLeast(20)) {
            Draft d = new Draft("Gelu");
            d.input("X", x);
            d.requireType("X", x, FLOATING);
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
        d.input("condition", condition);
        d.input("X", x);
        d.input("Y", y);
        d.requireType("condition", condition, EnumSet.of(ElementType.BOOL));
        d.requireSameType(x, y);
        return d.emit(x.elementType(), List.of(condition, x, y));
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
        if (opset.atLeast(15)) {
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
        Draft d = new Draft("Reshape");
        d.input("data", x);
        d.input("shape", shape);
        d.requireType("shape", shape, EnumSet.of(ElementType.INT64));
        return d.emit(x.elementType(), List.of(x, shape));
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
        Draft d = new Draft("Unsqueeze");
        d.input("data", x);
        d.requireAxes(axes);
        if (opset.atLeast(13)) {
            return d.emit(x.elementType(), List.of(x, constant(axes)));
        }
        return d.emit(x.elementType(), List.of(x), Attribute.ofInts("axes", boxed(axes)));
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
        Draft d = new Draft("Squeeze");
        d.input("data", x);
        d.requireAxes(axes);
        if (opset.atLeast(13)) {
            return d.emit(x.elementType(), List.of(x, constant(axes)));
        }
        return d.emit(x.elementType(), List.of(x), Attribute.ofInts("axes", boxed(axes)));
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
        Draft d = new Draft("Gather");
        d.input("data", data);
        d.input("indices", indices);
        d.requireType("indices", indices, INDEX);
        return d.emit(data.elementType(), List.of(data, indices), Attribute.of("axis", axis));
    }

    /** {@code torch.gather}: indices of the same rank as data select along {@code axis}. */
    public Value gatherElements(Value data, Value indices, long axis) {
        Draft d = new Draft("GatherElements");
        d.input("data", data);
        d.input("indices", indices);
        d.requireType("indices", indices, INDEX);
        return d.emit(data.elementType(), List.of(data, indices), Attribute.of("axis", axis));
    }

    /** Broadcasts {@code x} to a 1-D int64 {@code shape} (numpy rules, dimensions may grow only). */
    public Value expand(Value x, Value shape) {
        Draft d = new Draft("Expand");
        d.input("input", x);
        d.input("shape", shape);
        d.requireType("shape", shape, EnumSet.of(ElementType.INT64));
        return d.emit(x.elementType(), List.of(x, shape));
    }

    /** Repeats {@code x} {@code repeats[i]} times along axis i (a 1-D int64 tensor). */
    public Value tile(Value x, Value repeats) {
        Draft d = new Draft("Tile");
        d.input("input", x);
        d.input("repeats", repeats);
        d.requireType("repeats", repeats, EnumSet.of(ElementType.INT64));
        return d.emit(x.elementType(), List.of(x, repeats));
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
        d.input("input", shape);
        d.requireType("input", shape, EnumSet.of(ElementType.INT64));
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
        if (opset.atLeast(13)) {
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
        if (opset.atLeast(18)) {
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
        d.input("pads", pads);
        d.requireType("pads", pads, EnumSet.of(ElementType.INT64));
        if (mode == null) {
            throw d.error("the pad mode is null; use one of " + Arrays.toString(PadMode.values()));
        }
        if (mode == PadMode.WRAP && !opset.atLeast(19)) {
            throw d.error("mode WRAP needs opset 19 or later, but the graph uses " + opset
                    + "; use REFLECT or EDGE, or a higher opset");
        }
        return d.emit(x.elementType(), List.of(x, pads), Attribute.of("mode", mode.onnxName()));
    }

    /** Pads {@code x} with a rank-0 {@code constantValue} of x's type. */
    public Value pad(Value x, Value pads, Value constantValue) {
        Draft d = new Draft("Pad");
        d.input("data", x);
        d.input("pads", pads);
        d.input("constant_value", constantValue);
        d.requireType("pads", pads, EnumSet.of(ElementType.INT64));
        d.requireSameType(x, constantValue);
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
        d.input("k", k);
        d.requireType("k", k, EnumSet.of(ElementType.INT64));
        return d.emit(x.elementType(), List.of(x, k), triluAttribute(d, triangle));
    }

    public Value trilu(Value x, Triangle triangle, long k) {
        new Draft("Trilu").input("input", x); // checks the opset before the constant is made
        return trilu(x, triangle, scalar(k));
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

    /** Indices of the maxima along {@code axis} (the first one on ties), as int64. */
    public Value argMax(Value x, long axis, KeepDims keepDims) {
        Draft d = new Draft("ArgMax");
        d.input("data", x);
        d.requireType("data", x, NUMERIC);
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
        if (!opset.atLeast(14) && x.elementType().byteWidth() == 2) {
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
    // Reductions

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
     * 16-bit inputs, {@code stash_type=1}); before, its exact decomposition: ReduceMean, Sub, Mul, ReduceMean, Add
     * epsilon, Sqrt, Div, Mul scale, Add bias — with a Cast to float32 around the statistics for 16-bit inputs, as
     * the ONNX function body does. The decomposition needs a negative {@code axis} (the rank is not tracked).
     */
    public Value layerNormalization(Value x, Value scale, Value bias, long axis, double epsilon) {
        requireOwn(x, "LayerNormalization input X");
        if (opset.atLeast(17)) {
            Draft d = new Draft("LayerNormalization");
            d.input("X", x);
            d.input("Scale", scale);
            d.input("B", bias);
            d.requireType("X", x, FLOATING);
            d.requireSameType(x, scale);
            d.requireSameType(x, bias);
            return d.emit(x.elementType(), List.of(x, scale, bias), Attribute.of("axis", axis),
                    Attribute.of("epsilon", (float) epsilon), Attribute.of("stash_type", 1L));
        }
        Value normalized = normalizedDecomposition("LayerNormalization", x, scale, bias, axis, epsilon);
        return add(mul(normalized, scale), bias);
    }

    /**
     * Root-mean-square normalization over the last axis as Llama and T5 compute it:
     * {@code scale × x / sqrt(mean(x²) + epsilon)} with the statistics in float32 for 16-bit inputs. Native from opset
     * 23; before, Mul, ReduceMean, Add epsilon, Sqrt, Reciprocal, Mul, then Mul scale.
     */
    public Value rmsNormalization(Value x, Value scale, double epsilon) {
        requireOwn(x, "RMSNormalization input X");
        if (opset.atLeast(23)) {
            Draft d = new Draft("RMSNormalization");
            d.input("X", x);
            d.input("scale", scale);
            d.requireType("X", x, FLOATING);
            d.requireSameType(x, scale);
            return d.emit(x.elementType(), List.of(x, scale), Attribute.of("axis", -1L),
                    Attribute.of("epsilon", (float) epsilon), Attribute.of("stash_type", 1L));
        }
        requireOwn(scale, "RMSNormalization input scale");
        checkDecomposable("RMSNormalization", x, scale, -1, epsilon);
        ElementType type = x.elementType();
        ElementType statistics = type.byteWidth() == 2 ? ElementType.FLOAT : type;
        Value wide = statistics == type ? x : cast(x, statistics);
        Value meanSquare = reduceMean(mul(wide, wide), KeepDims.YES, -1);
        Value inverseRms = reciprocal(sqrt(add(meanSquare, scalar(statistics, epsilon))));
        Value normalized = mul(wide, inverseRms);
        if (statistics != type) {
            normalized = cast(normalized, type);
        }
        return mul(normalized, scale);
    }

    /** Batch normalization with running statistics (inference), per channel of axis 1. */
    public Value batchNormalization(Value x, Value scale, Value bias, Value mean, Value variance, double epsilon) {
        Draft d = new Draft("BatchNormalization");
        d.input("X", x);
        d.input("scale", scale);
        d.input("B", bias);
        d.input("input_mean", mean);
        d.input("input_var", variance);
        d.requireType("X", x, FLOATING);
        d.requireSameType(scale, bias);
        d.requireSameType(mean, variance);
        if (!(epsilon >= 0)) {
            throw d.error("epsilon must be 0 or more, got " + epsilon);
        }
        return d.emit(x.elementType(), List.of(x, scale, bias, mean, variance),
                Attribute.of("epsilon", (float) epsilon));
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
        d.input("X", x);
        d.requireType("X", x, FLOATING);
        List<Attribute> attributes = windowAttributes(d, window);
        attributes.add(dilations(window));
        return d.emit(x.elementType(), List.of(x), attributes);
    }

    public Value averagePool(Value x, Window window, PadCounting padCounting) {
        Draft d = new Draft("AveragePool");
        d.input("X", x);
        d.requireType("X", x, FLOATING);
        if (padCounting == null) {
            throw d.error("pad counting is null; use INCLUDE_PADDING or EXCLUDE_PADDING");
        }
        if (!window.dilations().stream().allMatch(v -> v == 1) && !opset.atLeast(19)) {
            throw d.error("dilations " + window.dilations() + " need opset 19 or later, but the graph uses " + opset);
        }
        List<Attribute> attributes = windowAttributes(d, window);
        if (opset.atLeast(19)) {
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
     * align_corners=False)} does ({@code half_pixel}; bicubic with PyTorch's coefficient −0.75). The opset 11 form:
     * empty {@code roi} and {@code scales}, then {@code sizes}.
     */
    public Value resize(Value x, Value sizes, ResizeMode mode) {
        Draft d = new Draft("Resize");
        d.input("X", x);
        d.input("sizes", sizes);
        d.requireType("X", x, FLOATING);
        d.requireType("sizes", sizes, EnumSet.of(ElementType.INT64));
        if (mode == null) {
            throw d.error("the resize mode is null; use one of " + Arrays.toString(ResizeMode.values()));
        }
        if (!opset.atLeast(11)) {
            throw d.error("Resize with sizes and half-pixel coordinates needs opset 11 or later, but the graph uses "
                    + opset);
        }
        Value empty = constant(TensorData.ofFloats(new float[0], 0));
        List<Attribute> attributes = new ArrayList<>();
        attributes.add(Attribute.of("mode", mode.onnxName()));
        attributes.add(Attribute.of("coordinate_transformation_mode", "half_pixel"));
        if (mode == ResizeMode.CUBIC) {
            attributes.add(Attribute.of("cubic_coeff_a", -0.75f));
        }
        return d.emit(x.elementType(), List.of(x, empty, empty, sizes), attributes);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Build

    /**
     * The checked, immutable model of everything added so far (see {@link OnnxModel} for the checks). The builder
     * stays usable; a later build includes later additions.
     */
    public OnnxModel build() {
        List<TensorSpec> inputSpecsInOrder = inputs.stream().map(inputSpecs::get).toList();
        List<TensorSpec> outputSpecs = outputs.stream().map(DeclaredOutput::spec).toList();
        List<Node> built = new ArrayList<>(nodes.size());
        for (PendingNode node : nodes) {
            List<String> inputNames = node.inputs().stream().map(v -> v == null ? "" : nameOf(v)).toList();
            List<String> outputNames = node.outputs().stream().map(this::nameOf).toList();
            built.add(new Node(node.opType(), node.name(), inputNames, outputNames, node.attributes()));
        }
        List<Initializer> named = initializers.stream().toList();
        return new OnnxModel(graphName, opset, inputSpecsInOrder, outputSpecs, named, built);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals

    String nameOf(Value value) {
        return names.get(value);
    }

    private Value newValue(ElementType type, String name) {
        Value value = new Value(this, type);
        names.put(value, name);
        valueNames.add(name);
        return value;
    }

    private void rename(Value value, String name) {
        valueNames.remove(names.get(value));
        names.put(value, name);
        valueNames.add(name);
    }

    private void requireFreeName(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new OnnxGraphException("graph '" + graphName + "': " + what + " needs a name");
        }
        if (valueNames.contains(name)) {
            throw new OnnxGraphException("graph '" + graphName + "': cannot name " + what + " '" + name
                    + "', another value already has that name; value names must be unique");
        }
    }

    private void requireOwn(Value value, String role) {
        if (value == null) {
            throw new OnnxGraphException("graph '" + graphName + "': " + role + " is null");
        }
        if (value.graph() != this) {
            throw new OnnxGraphException("graph '" + graphName + "': " + role + " is the value " + value
                    + " of another graph ('" + value.graph().graphName + "'); values cannot be shared between builders");
        }
    }

    private String scopePrefix() {
        StringBuilder prefix = new StringBuilder("/");
        scopes.descendingIterator().forEachRemaining(scope -> prefix.append(scope).append('/'));
        return prefix.toString();
    }

    /** The name the next node of {@code opType} gets: {@code /scope/Op}, then {@code /scope/Op_1}, ... */
    private String proposedNodeName(String opType) {
        String base = scopePrefix() + opType;
        String name = base;
        for (int i = 1; nodeNames.contains(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    private String freeValueName(String wanted) {
        String name = wanted;
        for (int i = 1; valueNames.contains(name); i++) {
            name = wanted + "_" + i;
        }
        return name;
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

    private static List<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    /** Heap copy of small (derived) tensor data, so a Constant's attribute holds plain bytes. */
    private static TensorData materialized(TensorData data) {
        return TensorData.wrap(data.elementType(), data.dims(), data.bytes());
    }

    private static TensorData scalarData(ElementType type, double value, String where) {
        if (type == null) {
            throw new OnnxGraphException(where + ": the element type is null");
        }
        ByteBuffer buffer = ByteBuffer.allocate(type.byteWidth()).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT -> buffer.putFloat((float) value);
            case DOUBLE -> buffer.putDouble(value);
            case FLOAT16 -> buffer.putShort(HalfPrecision.floatToFloat16((float) value));
            case BFLOAT16 -> buffer.putShort(HalfPrecision.floatToBfloat16((float) value));
            default -> {
                long integral = (long) value;
                long min = switch (type) {
                    case INT8 -> Byte.MIN_VALUE;
                    case UINT8, BOOL -> 0;
                    case INT32 -> Integer.MIN_VALUE;
                    default -> Long.MIN_VALUE;
                };
                long max = switch (type) {
                    case INT8 -> Byte.MAX_VALUE;
                    case UINT8 -> 255;
                    case BOOL -> 1;
                    case INT32 -> Integer.MAX_VALUE;
                    default -> Long.MAX_VALUE;
                };
                if (integral != value || integral < min || integral > max) {
                    throw new OnnxGraphException(where + ": " + value + " is not a " + type.onnxName()
                            + " value (an integer from " + min + " to " + max + ")");
                }
                switch (type) {
                    case INT32 -> buffer.putInt((int) integral);
                    case INT64 -> buffer.putLong(integral);
                    default -> buffer.put((byte) integral);
                }
            }
        }
        buffer.flip();
        return TensorData.wrap(type, List.of(), buffer);
    }

    private Value unary(String opType, Value x, Set<ElementType> allowed) {
        Draft d = new Draft(opType);
        d.input("X", x);
        d.requireType("X", x, allowed);
        return d.emit(x.elementType(), List.of(x));
    }

    private Value binary(String opType, Value a, Value b, Set<ElementType> allowed) {
        Draft d = new Draft(opType);
        d.input("A", a);
        d.input("B", b);
        d.requireType("A", a, allowed);
        d.requireSameType(a, b);
        return d.emit(a.elementType(), List.of(a, b));
    }

    private Value comparison(String opType, Value a, Value b, Set<ElementType> allowed) {
        Draft d = new Draft(opType);
        d.input("A", a);
        d.input("B", b);
        d.requireType("A", a, allowed);
        d.requireSameType(a, b);
        return d.emit(ElementType.BOOL, List.of(a, b));
    }

    private Value variadicExtremum(String opType, Value[] values) {
        Draft d = new Draft(opType);
        if (values.length == 0) {
            throw d.error("needs at least one input, got none");
        }
        for (int i = 0; i < values.length; i++) {
            d.input("data_" + i, values[i]);
            d.requireType("data_" + i, values[i], opset.atLeast(12) ? NUMERIC : FLOATING);
            d.requireSameType(values[0], values[i]);
        }
        return d.emit(values[0].elementType(), Arrays.asList(values));
    }

    private Value sliceNode(Value data, Value starts, Value ends, Value axes, Value steps) {
        Draft d = new Draft("Slice");
        d.input("data", data);
        d.input("starts", starts);
        d.input("ends", ends);
        d.requireType("starts", starts, INDEX);
        d.requireSameType(starts, ends);
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

    private Value reduce(String opType, int axesInputSince, Value x, KeepDims keepDims, long[] axes) {
        Draft d = new Draft(opType);
        d.input("data", x);
        d.requireType("data", x, NUMERIC);
        d.requireKeepDims(keepDims);
        d.requireDistinctAxes(axes);
        Attribute keep = Attribute.of("keepdims", keepDims.attribute());
        if (axes.length == 0) {
            return d.emit(x.elementType(), List.of(x), keep); // no axes: all axes, in every form
        }
        if (opset.atLeast(axesInputSince)) {
            return d.emit(x.elementType(), List.of(x, constant(axes)), keep);
        }
        return d.emit(x.elementType(), List.of(x), keep, Attribute.ofInts("axes", boxed(axes)));
    }

    private Value softmaxLike(String opType, Value x, long axis) {
        Draft d = new Draft(opType);
        d.input("input", x);
        d.requireType("input", x, FLOATING);
        if (opset.atLeast(13) || axis == -1) {
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
        Value variance = reduceMean(mul(centered, centered), KeepDims.YES, axes);
        Value deviation = sqrt(add(variance, scalar(statistics, epsilon)));
        Value normalized = div(centered, deviation);
        return statistics == type ? normalized : cast(normalized, type);
    }

    private void checkDecomposable(String opType, Value x, Value scale, long axis, double epsilon) {
        String where = opType + " (decomposed for " + opset + ")";
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

    private Value convNode(Value x, Value weight, Value bias, Window window, long group) {
        Draft d = new Draft("Conv");
        d.input("X", x);
        d.input("W", weight);
        d.requireType("X", x, FLOATING);
        d.requireSameType(x, weight);
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

    private static Attribute triluAttribute(Draft d, Triangle triangle) {
        if (triangle == null) {
            throw d.error("the triangle is null; use UPPER or LOWER");
        }
        return Attribute.of("upper", triangle == Triangle.UPPER ? 1L : 0L);
    }

    /**
     * A node being added: checks run against its operator and proposed name, then {@link #emit} records it. Creating
     * a draft checks that the graph's opset has the operator.
     */
    private final class Draft {
        private final String opType;
        private final String nodeName;

        Draft(String opType) {
            this.opType = opType;
            this.nodeName = proposedNodeName(opType);
            int first = OperatorTable.firstOpset(opType);
            if (!opset.atLeast(first)) {
                throw error("the operator " + opType + " needs opset " + first + " or later, but this graph is built"
                        + " for " + opset + "; export with opset " + first + " or higher");
            }
        }

        OnnxGraphException error(String detail) {
            return new OnnxGraphException(opType + " node '" + nodeName + "': " + detail);
        }

        void input(String role, Value value) {
            if (value == null) {
                throw error("input " + role + " is null");
            }
            if (value.graph() != OnnxGraphBuilder.this) {
                throw error("input " + role + " is the value " + value + " of another graph ('"
                        + value.graph().graphName + "'); values cannot be shared between builders");
            }
        }

        void requireType(String role, Value value, Set<ElementType> allowed) {
            if (!allowed.contains(value.elementType())) {
                throw error("input " + role + " (" + value.name() + ") is " + value.elementType().onnxName()
                        + ", but " + opType + " at " + opset + " accepts " + allowed + "; add a cast");
            }
        }

        void requireSameType(Value first, Value other) {
            if (first.elementType() != other.elementType()) {
                throw error("inputs " + first.name() + " (" + first.elementType().onnxName() + ") and "
                        + other.name() + " (" + other.elementType().onnxName()
                        + ") must have the same element type; add a cast");
            }
        }

        void requireKeepDims(KeepDims keepDims) {
            if (keepDims == null) {
                throw error("keepDims is null; use KeepDims.YES or KeepDims.NO");
            }
        }

        /** At least one axis, each listed once. */
        void requireAxes(long[] axes) {
            if (axes.length == 0) {
                throw error("needs at least one axis, got none");
            }
            requireDistinctAxes(axes);
        }

        /** Each axis listed once; none stands for all axes. */
        void requireDistinctAxes(long[] axes) {
            Set<Long> seen = new HashSet<>();
            for (long axis : axes) {
                if (!seen.add(axis)) {
                    throw error("axes " + Arrays.toString(axes) + " repeat axis " + axis + "; list each axis once");
                }
            }
        }

        void requireAxesInput(String role, Value axes, int since) {
            if (!opset.atLeast(since)) {
                throw error("axes as a tensor input need opset " + since + " or later, but the graph uses " + opset
                        + "; pass the axes as numbers instead");
            }
            requireType(role, axes, EnumSet.of(ElementType.INT64));
        }

        Value emit(ElementType outputType, List<Value> operands, Attribute... attributes) {
            return emitAll(List.of(outputType), operands, List.of(attributes)).get(0);
        }

        Value emit(ElementType outputType, List<Value> operands, List<Attribute> attributes) {
            return emitAll(List.of(outputType), operands, attributes).get(0);
        }

        List<Value> emitAll(List<ElementType> outputTypes, List<Value> operands, Attribute... attributes) {
            return emitAll(outputTypes, operands, List.of(attributes));
        }

        List<Value> emitAll(List<ElementType> outputTypes, List<Value> operands, List<Attribute> attributes) {
            String name = nodeNames.contains(nodeName) ? proposedNodeName(opType) : nodeName;
            nodeNames.add(name);
            List<Value> outputValues = new ArrayList<>(outputTypes.size());
            for (int i = 0; i < outputTypes.size(); i++) {
                outputValues.add(newValue(outputTypes.get(i), freeValueName(name + "_output_" + i)));
            }
            PendingNode node = new PendingNode(opType, name, operands, outputValues, attributes);
            nodes.add(node);
            for (Value output : outputValues) {
                producers.put(output, node);
            }
            return List.copyOf(outputValues);
        }
    }

    /** A node as added; names resolve at build time (graph outputs may rename values). */
    private record PendingNode(String opType, String name, List<Value> inputs, List<Value> outputs,
                               List<Attribute> attributes) {
        PendingNode {
            inputs = Collections.unmodifiableList(new ArrayList<>(inputs)); // may hold null: an omitted input
            attributes = List.copyOf(attributes);
        }
    }

    private record DeclaredOutput(TensorSpec spec, Value value) {}

    /** Constant content as a map key: type, dims and bytes (ByteBuffer equality compares remaining bytes). */
    private record ConstantKey(ElementType type, List<Long> dims, ByteBuffer content) {}
}
