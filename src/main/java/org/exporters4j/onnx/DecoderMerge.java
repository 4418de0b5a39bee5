package org.exporters4j.onnx;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One model of a decoder without and with its cache input, switching on a bool input, as Optimum 1.25.3's
 * {@code optimum/onnx/graph_transformations.py:merge_decoders} merges {@code decoder_model.onnx} and
 * {@code decoder_with_past_model.onnx} into {@code decoder_model_merged.onnx}:
 *
 * <ul>
 *   <li>inputs: the first graph's in its order, then the second's it lacks (the cache), then the condition
 *       ({@code use_cache_branch}, bool {@code [1]}); a shared input keeps the first graph's declaration;</li>
 *   <li>one {@code If} node named {@code optimum::if}: {@code then_branch} ({@code with_past}) is the graph with the
 *       cache, {@code else_branch} ({@code no_past}) the one without, each reading the outer inputs and
 *       initializers;</li>
 *   <li>outputs: the first graph's, names, order and declarations; an output the second graph lacks (the
 *       cross-attention's present cache, constant over later steps) is an empty constant in its branch, shaped as
 *       the first graph declares it with the first named axis 0 and every further one 1
 *       ({@code transformations_utils.py:_unify_onnx_outputs});</li>
 *   <li>weights stored once: the initializers of both graphs are the top-level initializers, those with the same
 *       {@link TensorData#identity()} (the same checkpoint tensor, or the same derivation of it) written once
 *       (Optimum finds them by hashing their bytes: {@code _find_duplicate_initializers}); an initializer of the
 *       second graph whose name the first already uses for other data is renamed.</li>
 * </ul>
 *
 * Values computed inside a branch are prefixed with its name ({@code with_past/...}, {@code no_past/...}), so no
 * name is defined twice anywhere in the model.
 */
public final class DecoderMerge {
    /** The If node's name, as Optimum names it. */
    public static final String IF_NODE = "optimum::if";
    /** The merged graph's name, as Optimum names it. */
    public static final String GRAPH_NAME = "merged";

    private DecoderMerge() {}

    /**
     * Merges {@code withoutPast} (the else branch) and {@code withPast} (the then branch) on the new bool input
     * {@code condition}.
     *
     * @throws OnnxGraphException when the opsets differ, the second graph has an output the first lacks, or an
     *     output's element type differs between them
     */
    public static OnnxModel merge(OnnxModel withoutPast, OnnxModel withPast, String condition) {
        if (!withoutPast.opset().equals(withPast.opset())) {
            throw new OnnxGraphException("cannot merge decoders of different opsets: " + withoutPast.opset() + " and "
                    + withPast.opset() + "; export both with the same --opset");
        }
        Map<String, TensorSpec> withoutPastOutputs = new LinkedHashMap<>();
        withoutPast.outputs().forEach(output -> withoutPastOutputs.put(output.name(), output));
        for (TensorSpec output : withPast.outputs()) {
            TensorSpec other = withoutPastOutputs.get(output.name());
            if (other == null || other.elementType() != output.elementType()) {
                throw new OnnxGraphException("cannot merge decoders: the graph with past returns " + output
                        + ", which the graph without past " + (other == null ? "does not return" : "returns as "
                        + other) + "; both must return the same outputs (the one with past may lack some)");
            }
        }
        // inputs: the first graph's, the second's others, then the condition
        List<TensorSpec> inputs = new ArrayList<>(withoutPast.inputs());
        Set<String> inputNames = new HashSet<>();
        withoutPast.inputs().forEach(input -> inputNames.add(input.name()));
        for (TensorSpec input : withPast.inputs()) {
            if (inputNames.add(input.name())) {
                inputs.add(input);
            }
        }
        if (!inputNames.add(condition)) {
            throw new OnnxGraphException("cannot merge decoders on input '" + condition + "': a decoder already has it");
        }
        inputs.add(new TensorSpec(condition, ElementType.BOOL, Shape.fixed(1)));

        // initializers: the first graph's, then the second's not already stored
        List<Initializer> initializers = new ArrayList<>(withoutPast.initializers());
        Map<Object, String> byIdentity = new HashMap<>();
        Set<String> initializerNames = new HashSet<>();
        for (Initializer initializer : withoutPast.initializers()) {
            byIdentity.putIfAbsent(initializer.data().identity(), initializer.name());
            initializerNames.add(initializer.name());
        }
        Map<String, String> withPastRenames = new HashMap<>();
        for (Initializer initializer : withPast.initializers()) {
            String shared = byIdentity.get(initializer.data().identity());
            if (shared != null) {
                withPastRenames.put(initializer.name(), shared);
                continue;
            }
            String name = initializer.name();
            for (int k = 0; initializerNames.contains(name) || inputNames.contains(name); k++) {
                name = initializer.name() + "_with_past" + (k == 0 ? "" : "_" + k);
            }
            initializerNames.add(name);
            byIdentity.put(initializer.data().identity(), name);
            withPastRenames.put(initializer.name(), name);
            initializers.add(new Initializer(name, initializer.data()));
        }

        Subgraph noPast = branch("no_past", withoutPast, Map.of(), withoutPast.outputs());
        Subgraph withPastBranch = branch("with_past", withPast, withPastRenames, withoutPast.outputs());
        Node ifNode = new Node("If", IF_NODE, List.of(condition),
                withoutPast.outputs().stream().map(TensorSpec::name).toList(),
                List.of(Attribute.of("then_branch", withPastBranch), Attribute.of("else_branch", noPast)));
        return new OnnxModel(GRAPH_NAME, withoutPast.opset(), inputs, withoutPast.outputs(), initializers,
                List.of(ifNode));
    }

    /**
     * {@code model}'s nodes as a branch named {@code name}: values its nodes compute are prefixed
     * {@code name + "/"}, its initializers renamed as {@code initializerRenames} says, and it returns
     * {@code outputs} in order, an output the model lacks as an empty constant.
     */
    private static Subgraph branch(String name, OnnxModel model, Map<String, String> initializerRenames,
                                   List<TensorSpec> outputs) {
        String prefix = name + "/";
        Map<String, String> renames = new HashMap<>(initializerRenames);
        List<Node> nodes = new ArrayList<>();
        for (Node node : model.nodes()) {
            for (String output : node.outputs()) {
                renames.put(output, prefix + output);
            }
        }
        for (Node node : model.nodes()) {
            nodes.add(new Node(node.opType(), prefix + node.name(),
                    node.inputs().stream().map(input -> renames.getOrDefault(input, input)).toList(),
                    node.outputs().stream().map(output -> output.isEmpty() ? "" : renames.get(output)).toList(),
                    node.attributes(), node.domain()));
        }
        List<TensorSpec> returned = new ArrayList<>();
        for (TensorSpec output : outputs) {
            if (model.output(output.name()).isPresent()) {
                TensorSpec own = model.output(output.name()).get();
                String value = renames.getOrDefault(own.name(), own.name());
                returned.add(new TensorSpec(value, own.elementType(), own.shape()));
            } else {
                TensorSpec empty = emptyLike(output, prefix);
                nodes.add(new Node("Constant", prefix + "Constant_" + output.name(), List.of(),
                        List.of(empty.name()), List.of(Attribute.of("value", emptyData(empty)))));
                returned.add(empty);
            }
        }
        return new Subgraph(name, nodes, returned);
    }

    /** {@code output}'s declaration with its first named axis 0 and every further named or unknown axis 1. */
    private static TensorSpec emptyLike(TensorSpec output, String prefix) {
        List<Dim> dims = new ArrayList<>();
        boolean first = true;
        for (Dim dim : output.shape().dims()) {
            if (dim instanceof Dim.Fixed) {
                dims.add(dim);
            } else {
                dims.add(Dim.of(first ? 0 : 1));
                first = false;
            }
        }
        return new TensorSpec(prefix + output.name(), output.elementType(), new Shape(dims));
    }

    private static TensorData emptyData(TensorSpec spec) {
        long[] dims = spec.shape().dims().stream().mapToLong(dim -> ((Dim.Fixed) dim).size()).toArray();
        return switch (spec.elementType()) {
            case FLOAT -> TensorData.ofFloats(new float[0], dims);
            // a half-precision decoder's cache (HalfPrecisionConversion with a 16-bit interface)
            case FLOAT16, BFLOAT16 -> TensorData.wrap(spec.elementType(), Arrays.stream(dims).boxed().toList(),
                    ByteBuffer.allocate(0));
            default -> throw new OnnxGraphException("an output the decoder with past lacks must be float32, float16 "
                    + "or bfloat16 to be filled with an empty constant, got " + spec);
        };
    }
}
