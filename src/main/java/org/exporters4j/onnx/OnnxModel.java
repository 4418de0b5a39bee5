package org.exporters4j.onnx;

import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A complete, checked ONNX graph ready to write: its name and opset, the declared inputs and outputs, the
 * initializers (weights, streamed when written) and the nodes in topological order.
 *
 * <p>Construction checks the graph, so every instance is valid: value names are unique (graph inputs, initializers
 * and node outputs share one namespace), node names are unique, every node reads only values defined before it,
 * every graph output is defined, and nothing dangles: each node has an output that is read or is a graph output, and
 * each initializer is read. A graph input that no node reads is allowed (an interface may declare inputs a model
 * ignores).
 */
public record OnnxModel(String graphName, Opset opset, List<TensorSpec> inputs, List<TensorSpec> outputs,
                        List<Initializer> initializers, List<Node> nodes) {

    public OnnxModel {
        if (graphName == null || graphName.isBlank() || opset == null) {
            throw new OnnxGraphException("a model needs a graph name and an opset");
        }
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        initializers = List.copyOf(initializers);
        nodes = List.copyOf(nodes);
        check(inputs, outputs, initializers, nodes);
    }

    /** The declared input of that name, if any. */
    public Optional<TensorSpec> input(String name) {
        return inputs.stream().filter(spec -> spec.name().equals(name)).findFirst();
    }

    /** The declared output of that name, if any. */
    public Optional<TensorSpec> output(String name) {
        return outputs.stream().filter(spec -> spec.name().equals(name)).findFirst();
    }

    /**
     * The operator domains the nodes use, branches included, in declaration order ({@link OperatorDomain#ONNX}
     * always): the model imports each one.
     */
    public Set<OperatorDomain> domains() {
        Set<OperatorDomain> used = EnumSet.of(OperatorDomain.ONNX);
        withBranches(nodes).forEach(node -> used.add(node.domain()));
        return Collections.unmodifiableSet(used);
    }

    /**
     * Whether a node, branches included, is one of ONNX Runtime's fused contrib operators ({@code --optimize}'s
     * attention, skip and simplified norms, fused GELUs, rotary embedding), not counting the contrib operators that
     * read quantized weights ({@code --quantize}'s MatMulNBits, DynamicQuantizeMatMul, GatherBlockQuantized).
     */
    public boolean hasFusedOperators() {
        return withBranches(nodes).anyMatch(node -> node.domain() == OperatorDomain.MICROSOFT
                && OperatorTable.isFusedContrib(node.opType()));
    }

    /** {@code nodes} and the nodes of their branches ({@code If}'s subgraphs), each node before its branches'. */
    private static Stream<Node> withBranches(List<Node> nodes) {
        return nodes.stream().flatMap(node -> Stream.concat(Stream.of(node), node.attributes().stream()
                .filter(attribute -> attribute instanceof Attribute.GraphValue)
                .flatMap(attribute -> withBranches(((Attribute.GraphValue) attribute).value().nodes()))));
    }

    /** Total bytes of all initializers. */
    public long initializerBytes() {
        long total = 0;
        for (Initializer initializer : initializers) {
            total = Math.addExact(total, initializer.data().byteSize());
        }
        return total;
    }

    private static void check(List<TensorSpec> inputs, List<TensorSpec> outputs, List<Initializer> initializers,
                              List<Node> nodes) {
        Map<String, String> definedBy = new HashMap<>();
        for (TensorSpec input : inputs) {
            define(definedBy, input.name(), "graph input");
        }
        for (Initializer initializer : initializers) {
            define(definedBy, initializer.name(), "initializer");
        }
        Set<String> nodeNames = new HashSet<>();
        Set<String> read = new HashSet<>();
        for (Node node : nodes) {
            if (!nodeNames.add(node.name())) {
                throw new OnnxGraphException("two nodes are named '" + node.name() + "'; node names must be unique");
            }
            checkNode(node, "", "no graph input, initializer or earlier node", definedBy, read);
        }
        Set<String> outputNames = new HashSet<>();
        for (TensorSpec output : outputs) {
            if (!definedBy.containsKey(output.name())) {
                throw new OnnxGraphException("graph output '" + output.name()
                        + "' is not defined by any graph input, initializer or node");
            }
            if (!outputNames.add(output.name())) {
                throw new OnnxGraphException("graph output '" + output.name() + "' is declared twice");
            }
        }
        if (outputs.isEmpty()) {
            throw new OnnxGraphException("the graph has no outputs; declare at least one with output(...)");
        }
        for (Node node : nodes) {
            boolean used = node.outputs().stream().anyMatch(o -> read.contains(o) || outputNames.contains(o));
            if (!used) {
                throw new OnnxGraphException(node.opType() + " node '" + node.name() + "' is dangling: its output "
                        + node.outputs().get(0) + " is neither read by another node nor a graph output; remove the"
                        + " computation or connect it");
            }
        }
        for (Initializer initializer : initializers) {
            if (!read.contains(initializer.name()) && !outputNames.contains(initializer.name())) {
                throw new OnnxGraphException("initializer '" + initializer.name() + "' is never read by a node;"
                        + " remove it or connect it");
            }
        }
    }

    /**
     * A branch of {@code owner}: each of its nodes reads a value of the enclosing scope (defined before
     * {@code owner}) or of an earlier node of the branch, and its outputs are defined; the outer values it reads count
     * as read. Names defined inside the branch may not repeat the enclosing scope's.
     */
    private static void checkSubgraph(Node owner, Subgraph subgraph, Map<String, String> outer, Set<String> read) {
        Map<String, String> definedBy = new HashMap<>(outer);
        String where = "subgraph '" + subgraph.name() + "' of " + owner.opType() + " node '" + owner.name() + "'";
        for (Node node : subgraph.nodes()) {
            checkNode(node, " of " + where, "neither the enclosing graph nor an earlier node", definedBy, read);
        }
        for (TensorSpec output : subgraph.outputs()) {
            if (!definedBy.containsKey(output.name())) {
                throw new OnnxGraphException(where + " returns '" + output.name() + "', which nothing defines");
            }
            read.add(output.name());
        }
    }

    /**
     * One node of a graph or branch ({@code where}: {@code ""}, or {@code " of <subgraph>"}): each input defined
     * before it ({@code definers} says by what, for the error), each branch checked, each output defined; its inputs
     * count as read.
     */
    private static void checkNode(Node node, String where, String definers, Map<String, String> definedBy,
                                  Set<String> read) {
        String label = node.opType() + " node '" + node.name() + "'" + where;
        for (String input : node.inputs()) {
            if (!input.isEmpty() && !definedBy.containsKey(input)) {
                throw new OnnxGraphException(label + " reads '" + input + "', which " + definers + " defines");
            }
            read.add(input);
        }
        for (Attribute attribute : node.attributes()) {
            if (attribute instanceof Attribute.GraphValue branch) {
                checkSubgraph(node, branch.value(), definedBy, read);
            }
        }
        for (String output : node.outputs()) {
            if (!output.isEmpty()) { // "": an optional output left out
                define(definedBy, output, label);
            }
        }
    }

    private static void define(Map<String, String> definedBy, String name, String definer) {
        String previous = definedBy.putIfAbsent(name, definer);
        if (previous != null) {
            throw new OnnxGraphException("value name '" + name + "' is defined twice: by " + previous + " and by "
                    + definer + "; value names must be unique");
        }
    }
}
