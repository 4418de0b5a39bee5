package org.exporters4j.models.blocks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;

/**
 * The outputs a head can produce, by their Hugging Face output names ({@code last_hidden_state},
 * {@code pooler_output}, {@code logits}, {@code start_logits} …), each computed only when the interface asks for
 * it, so the graph holds exactly the requested outputs in the requested order (as Optimum's interface drops
 * outputs it does not name, such as BERT's pooler output).
 */
public final class HeadOutputs {
    private final String purpose;
    private final Map<String, Output> outputs = new LinkedHashMap<>();
    private final Set<String> offered = new LinkedHashSet<>();

    private record Output(Supplier<Value> value, List<Dim> dims) {}

    /** @param purpose the graph, for errors, e.g. {@code "the bert question-answering graph"} */
    public HeadOutputs(String purpose) {
        this.purpose = Objects.requireNonNull(purpose, "purpose");
    }

    /**
     * A producible output. {@code dims} are its natural dimensions: fixed sizes, or {@link Dim#unknown()} for sizes
     * that follow the inputs; the interface's axis names take precedence.
     */
    public HeadOutputs add(String name, Supplier<Value> value, Dim... dims) {
        if (outputs.put(name, new Output(Lazy.of(value), List.of(dims))) != null) {
            throw new IllegalStateException("output " + name + " added twice");
        }
        offered.add(name);
        return this;
    }

    /** A producible present cache output, under the name Optimum gives it ({@link CacheTensor#name()}). */
    public HeadOutputs add(CacheTensor present, Supplier<Value> value, Dim... dims) {
        if (present.direction() != CacheTensor.Direction.PRESENT) {
            throw new IllegalArgumentException("cache output " + present + " must be a present tensor");
        }
        return add(present.name(), value, dims);
    }

    /** Records {@code name} as an output the head produces when asked, for the error on one it lacks. */
    void offer(String name) {
        offered.add(Objects.requireNonNull(name, "name"));
    }

    /** Computes and declares every output of the interface, in its order; an unknown name lists the valid ones. */
    public void declare(OnnxGraphBuilder graph, GraphInterface graphInterface) {
        for (InterfaceTensor tensor : graphInterface.outputs()) {
            Output output = outputs.get(tensor.name());
            if (output == null) {
                throw new ArchitectureException(purpose + " has no output '" + tensor.name() + "'; it produces "
                        + String.join(", ", offered));
            }
            if (tensor.elementType() != ElementType.FLOAT) {
                throw new ArchitectureException(purpose + " computes '" + tensor.name() + "' in float32, not "
                        + tensor.elementType().onnxName());
            }
            for (int index : tensor.dynamicAxes().keySet()) {
                if (index >= output.dims().size()) {
                    throw new ArchitectureException(purpose + ": output '" + tensor.name() + "' has "
                            + output.dims().size() + " dimensions but the interface names dynamic axis " + index);
                }
            }
            List<Dim> dims = new ArrayList<>();
            for (int index = 0; index < output.dims().size(); index++) {
                dims.add(tensor.dim(index, output.dims().get(index)));
            }
            graph.output(tensor.name(), output.value().get(), ElementType.FLOAT, new Shape(dims));
        }
    }
}
