package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Component;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.ModelForm;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.Value;

/**
 * One graph under construction, the frame every {@code Architecture.build} shares: the variant checked against the
 * ones the family builds, the graph builder at the interface's opset, the checkpoint's weights bound to it, the
 * purpose string errors name ({@code "the bert masked-lm graph"}) and the outputs the head will offer. The family
 * declares its inputs, computes its body and adds its head's outputs to {@link #outputs()};
 * {@link FamilyArchitecture} starts the build and calls {@link #finish()}.
 */
public final class GraphBuild {
    private final OnnxGraphBuilder graph;
    private final Parameters parameters;
    private final String purpose;
    private final HeadOutputs outputs;
    private final GraphInterface graphInterface;

    private final Variant variant;

    private GraphBuild(String modelType, Variant variant, Weights weights, GraphInterface graphInterface) {
        this.variant = variant;
        this.graphInterface = Objects.requireNonNull(graphInterface, "graphInterface");
        this.purpose = "the " + modelType + " " + variant + (graphInterface.component() == Component.MODEL ? ""
                : " " + graphInterface.component()) + " graph";
        this.graph = new OnnxGraphBuilder("main_graph", graphInterface.opset());
        // --quantize: every dense layer (Linear) of the graph reads the quantizer from the builder
        graph.quantizeDenseWeights(graphInterface.form().quantization().quantizer());
        this.parameters = new Parameters(weights, graph, purpose, graphInterface.form());
        this.outputs = new HeadOutputs(purpose);
    }

    /**
     * Starts the graph of {@code variant}, refused with the variants {@code modelType} builds when it is not one of
     * {@code variants}; nothing is built then.
     */
    public static GraphBuild start(String modelType, Set<Variant> variants, Variant variant, Weights weights,
                                   GraphInterface graphInterface) {
        return start(modelType, variants, "", variant, weights, graphInterface);
    }

    /** As {@link #start(String, Set, Variant, Weights, GraphInterface)}, the refusal ending with {@code note}. */
    public static GraphBuild start(String modelType, Set<Variant> variants, String note, Variant variant,
                                   Weights weights, GraphInterface graphInterface) {
        requireBuilt(modelType, variants, variant, note);
        return new GraphBuild(modelType, variant, weights, graphInterface);
    }

    /** Refuses a variant outside {@code variants}, listing the ones {@code modelType} builds, sorted. */
    public static void requireBuilt(String modelType, Set<Variant> variants, Variant variant) {
        requireBuilt(modelType, variants, variant, "");
    }

    private static void requireBuilt(String modelType, Set<Variant> variants, Variant variant, String note) {
        if (!variants.contains(variant)) {
            throw new ArchitectureException(modelType + " has no " + variant + " graph; it builds "
                    + variants.stream().map(Variant::toString).sorted().collect(Collectors.joining(", ")) + note);
        }
    }

    public OnnxGraphBuilder graph() {
        return graph;
    }

    public Parameters parameters() {
        return parameters;
    }

    /** What the graph is, for error messages, e.g. {@code "the bert masked-lm graph"}. */
    public String purpose() {
        return purpose;
    }

    /** The outputs the head can produce; {@link #finish()} declares the ones the interface asks for. */
    public HeadOutputs outputs() {
        return outputs;
    }

    public GraphInterface graphInterface() {
        return graphInterface;
    }

    /**
     * The form the graph is asked in (operators, precision, weight quantization): a family writes its fused
     * operators when {@link ModelForm#fused()}, and its plain operators otherwise or where it has no fused form.
     */
    public ModelForm form() {
        return graphInterface.form();
    }

    /** The variant being built. */
    public Variant variant() {
        return variant;
    }

    /** The head being built. */
    public Head head() {
        return variant.head();
    }

    /**
     * Whether the interface asks for output {@code name}. A head asks before it computes an output, so the graph
     * reads no weights for outputs nobody asked for; every name asked is one the head offers, listed by the error
     * on an interface output the head lacks.
     */
    public boolean wants(String name) {
        outputs.offer(name);
        return graphInterface.output(name).isPresent();
    }

    /**
     * Output {@code name} (one {@link #wants} said the interface asks for). {@code dims} are its natural dimensions:
     * fixed sizes, or {@link Dim#unknown()} for sizes that follow the inputs; the interface's axis names take
     * precedence. {@link #finish()} declares the outputs in the interface's order.
     */
    public void output(String name, Value value, Dim... dims) {
        Objects.requireNonNull(value, "value");
        outputs.add(name, () -> value, dims);
    }

    /** As {@link #output(String, Value, Dim...)}, the natural dimensions as a list. */
    public void output(String name, Value value, List<Dim> dims) {
        output(name, value, dims.toArray(Dim[]::new));
    }

    /** Declares the interface's outputs in its order and builds the model. */
    public OnnxModel finish() {
        outputs.declare(graph, graphInterface);
        return graph.build();
    }
}
