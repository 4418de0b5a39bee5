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
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What every operator family of {@link OnnxGraphBuilder} stands on: the graph's interface (inputs, outputs,
 * initializers, constants), naming scopes, the checks a node gets when it is added ({@link Draft}), and
 * {@link #build()}. The families extend it one after the other, each using the ones before it (the order is in
 * {@link OnnxGraphBuilder}'s description); nodes and values are named as described there.
 */
abstract sealed class GraphBuilderCore permits ElementwiseOperators {
    static final Set<ElementType> FLOATING = EnumSet.of(
            ElementType.FLOAT, ElementType.FLOAT16, ElementType.BFLOAT16, ElementType.DOUBLE);
    static final Set<ElementType> NUMERIC = EnumSet.complementOf(EnumSet.of(ElementType.BOOL));
    static final Set<ElementType> INDEX = EnumSet.of(ElementType.INT32, ElementType.INT64);

    private final String graphName;
    private final Opset opset;
    private final List<Value> inputs = new ArrayList<>();
    private final Map<Value, TensorSpec> inputSpecs = new IdentityHashMap<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final Map<Object, Value> initializerByIdentity = new HashMap<>();
    private final Map<Value, TensorData> initializerData = new IdentityHashMap<>();
    /** Names of initializers another form replaces ({@link #replacedInitializer}): left out when nothing reads them. */
    private final Set<String> replaced = new HashSet<>();
    private final Map<Value, String> names = new IdentityHashMap<>();
    private final Set<String> valueNames = new HashSet<>();
    private final Map<Value, PendingNode> producers = new IdentityHashMap<>();
    private final List<PendingNode> nodes = new ArrayList<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Map<ConstantKey, Value> constants = new HashMap<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private final List<DeclaredOutput> outputs = new ArrayList<>();
    private Optional<WeightQuantizer> denseWeightQuantizer = Optional.empty();

    GraphBuilderCore(String graphName, Opset opset) {
        if (graphName == null || graphName.isBlank() || opset == null) {
            throw new OnnxGraphException("a graph needs a name (such as \"main_graph\") and an opset");
        }
        this.graphName = graphName;
        this.opset = opset;
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
        initializerData.put(value, data);
        return value;
    }

    /**
     * The data of {@code value} when it is an initializer of this graph, to be stored in another form (a weight
     * quantized for a contrib operator): the initializer stays in the graph only if some node reads it (a tied
     * embedding table still gathered from); empty when {@code value} is not an initializer.
     */
    public Optional<TensorData> replacedInitializer(Value value) {
        requireOwn(value, "a replaced initializer");
        TensorData data = initializerData.get(value);
        if (data == null) {
            return Optional.empty();
        }
        replaced.add(nameOf(value));
        return Optional.of(data);
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

    /**
     * How the graph's dense layers store their weight matrices: empty for float (MatMul, Gemm), or a quantizer whose
     * ONNX Runtime MatMul reads them ({@code --quantize}). The builder only carries it; the blocks that write dense
     * layers read it.
     */
    public Optional<WeightQuantizer> denseWeightQuantizer() {
        return denseWeightQuantizer;
    }

    /** Sets {@link #denseWeightQuantizer()} for the nodes added from now on. */
    public void quantizeDenseWeights(Optional<WeightQuantizer> quantizer) {
        if (quantizer == null) {
            throw new OnnxGraphException("graph '" + graphName + "': the dense weight quantizer is null; pass "
                    + "Optional.empty() for float weights");
        }
        this.denseWeightQuantizer = quantizer;
    }

    /**
     * Runs {@code body} with {@link #denseWeightQuantizer()} set to {@code quantizer} (a part of the graph whose
     * weights keep another form, such as an LM head left in float), then restores the graph's own.
     */
    public <T> T withDenseWeightQuantizer(Optional<WeightQuantizer> quantizer, Supplier<T> body) {
        Optional<WeightQuantizer> own = denseWeightQuantizer;
        quantizeDenseWeights(quantizer);
        try {
            return body.get();
        } finally {
            denseWeightQuantizer = own;
        }
    }

    /** {@code x} unchanged, as a new value (an Identity node); {@link #output} uses it to name a value twice. */
    public Value identity(Value x) {
        Draft d = new Draft("Identity");
        d.input("input", x);
        return d.emit(x.elementType(), List.of(x));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The graph: its name, its opset and the model built from it

    /** The graph's name, as the model file carries it ({@code main_graph} for PyTorch's exporter). */
    public String graphName() {
        return graphName;
    }

    /** The opset every operator is checked against and emitted for. */
    public Opset opset() {
        return opset;
    }

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
            List<String> outputNames = node.outputs().stream().map(v -> v == null ? "" : nameOf(v)).toList();
            built.add(new Node(node.opType(), node.name(), inputNames, outputNames, node.attributes(),
                    node.domain()));
        }
        // a weight replaced by its quantized form and read by no node is left out (it stays when a node reads it,
        // such as an embedding table whose tied LM head was quantized)
        Set<String> read = new HashSet<>();
        built.forEach(node -> read.addAll(node.inputs()));
        List<Initializer> named = initializers.stream()
                .filter(initializer -> !replaced.contains(initializer.name()) || read.contains(initializer.name()))
                .toList();
        return new OnnxModel(graphName, opset, inputSpecsInOrder, outputSpecs, named, built);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals

    final String nameOf(Value value) {
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

    final void requireOwn(Value value, String role) {
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
    final String proposedNodeName(String opType) {
        return freeName(scopePrefix() + opType, nodeNames);
    }

    private String freeValueName(String wanted) {
        return freeName(wanted, valueNames);
    }

    /** {@code wanted} if {@code taken} lacks it, else the first of {@code wanted_1}, {@code wanted_2}, … it lacks. */
    static String freeName(String wanted, Set<String> taken) {
        String name = wanted;
        for (int i = 1; taken.contains(name); i++) {
            name = wanted + "_" + i;
        }
        return name;
    }

    static List<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    /** Heap copy of small (derived) tensor data, so a Constant's attribute holds plain bytes. */
    static TensorData materialized(TensorData data) {
        return TensorData.wrap(data.elementType(), data.dims(), data.bytes());
    }

    static TensorData scalarData(ElementType type, double value, String where) {
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

    /** A node of one input X whose output has X's type. */
    final Value unary(String opType, Value x, Set<ElementType> allowed) {
        Draft d = new Draft(opType);
        d.input("X", x);
        d.requireType("X", x, allowed);
        return d.emit(x.elementType(), List.of(x));
    }

    /** A node of two inputs A and B of one type, broadcast, whose output has their type. */
    final Value binary(String opType, Value a, Value b, Set<ElementType> allowed) {
        return binaryDraft(opType, a, b, allowed).emit(a.elementType(), List.of(a, b));
    }

    /** A node of two inputs A and B (broadcast), checked to be of one type among {@code allowed}, to be emitted. */
    final Draft binaryDraft(String opType, Value a, Value b, Set<ElementType> allowed) {
        Draft d = new Draft(opType);
        d.input("A", a);
        d.input("B", b);
        d.requireType("A", a, allowed);
        d.requireSameType(a, b);
        return d;
    }

    /**
     * A node being added: checks run against its operator and proposed name, then {@link #emit} records it. Creating
     * a draft checks that the graph's opset has the operator.
     */
    final class Draft {
        private final String opType;
        private final OperatorDomain domain;
        final String nodeName;

        Draft(String opType) {
            this(OperatorDomain.ONNX, opType);
        }

        /**
         * A node of {@code domain}: a standard operator is checked against the graph's opset, a contrib operator
         * against the table of those this package emits (ONNX Runtime runs them at any opset).
         */
        Draft(OperatorDomain domain, String opType) {
            this.opType = opType;
            this.domain = domain;
            this.nodeName = proposedNodeName(opType);
            if (domain == OperatorDomain.MICROSOFT) {
                if (!OperatorTable.isContrib(opType)) {
                    throw new IllegalStateException("contrib operator " + opType + " is missing from OperatorTable");
                }
                return;
            }
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
            if (value.graph() != GraphBuilderCore.this) {
                throw error("input " + role + " is the value " + value + " of another graph ('"
                        + value.graph().graphName + "'); values cannot be shared between builders");
            }
        }

        /** Declares input {@code role}, whose element type must be one of {@code allowed} (the schema's constraint). */
        void input(String role, Value value, Set<ElementType> allowed) {
            input(role, value);
            requireType(role, value, allowed);
        }

        /**
         * Declares input {@code role}, of the element type of {@code first}, an input declared before it (the two
         * share one type constraint of the schema, its {@code T}).
         */
        void inputLike(String role, Value value, Value first) {
            input(role, value);
            requireSameType(first, value);
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
                // a null type: an optional output left out (named "", as ONNX omits it)
                outputValues.add(outputTypes.get(i) == null ? null
                        : newValue(outputTypes.get(i), freeValueName(name + "_output_" + i)));
            }
            PendingNode node = new PendingNode(opType, name, operands, outputValues, attributes, domain);
            nodes.add(node);
            for (Value output : outputValues) {
                if (output != null) {
                    producers.put(output, node);
                }
            }
            return Collections.unmodifiableList(new ArrayList<>(outputValues));
        }
    }

    /** A node as added; names resolve at build time (graph outputs may rename values). */
    private record PendingNode(String opType, String name, List<Value> inputs, List<Value> outputs,
                               List<Attribute> attributes, OperatorDomain domain) {
        PendingNode {
            inputs = Collections.unmodifiableList(new ArrayList<>(inputs)); // may hold null: an omitted input
            outputs = Collections.unmodifiableList(new ArrayList<>(outputs)); // may hold null: an omitted output
            attributes = List.copyOf(attributes);
        }
    }

    private record DeclaredOutput(TensorSpec spec, Value value) {}

    /** Constant content as a map key: type, dims and bytes (ByteBuffer equality compares remaining bytes). */
    private record ConstantKey(ElementType type, List<Long> dims, ByteBuffer content) {}
}
