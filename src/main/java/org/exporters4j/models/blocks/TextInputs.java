package org.exporters4j.models.blocks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;

/**
 * The token inputs of a text encoder, declared as graph inputs in the order the interface lists them, and seen by
 * the encoder as 2-D int64 {@code [batch, sequence]} tensors. Multiple-choice inputs
 * {@code [batch, num_choices, sequence]} are flattened to {@code [batch × num_choices, sequence]}, as
 * Transformers' {@code *ForMultipleChoice} models do with {@code view(-1, size(-1))}.
 *
 * @param inputIds {@code input_ids}, 2-D int64
 * @param attentionMask {@code attention_mask}, 2-D int64, when the interface has it
 * @param tokenTypeIds {@code token_type_ids}, 2-D int64, when the interface has it
 * @param grid the runtime {@code [batch, sequence]} of the (flattened) ids
 * @param choices for multiple choice, the 1-D {@code [batch, num_choices]} to reshape per-choice scores to
 */
public record TextInputs(Value inputIds, Optional<Value> attentionMask, Optional<Value> tokenTypeIds, TokenGrid grid,
                         Optional<Value> choices) {

    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";

    /** How the token tensors are laid out. */
    public enum Layout {
        /** {@code [batch_size, sequence_length]}. */
        SEQUENCES(List.of("batch_size", "sequence_length")),
        /** {@code [batch_size, num_choices, sequence_length]} (multiple choice). */
        CHOICES(List.of("batch_size", "num_choices", "sequence_length"));

        private final List<String> axes;

        Layout(List<String> axes) {
            this.axes = axes;
        }

        public int rank() {
            return axes.size();
        }
    }

    /**
     * Declares the interface's inputs for {@code head}'s graph: choices for {@link Head#MULTIPLE_CHOICE}, sequences
     * otherwise; see {@link #declare(OnnxGraphBuilder, GraphInterface, Layout, List, String)}.
     */
    public static TextInputs declare(GraphBuild build, Head head, List<String> accepted) {
        Layout layout = head == Head.MULTIPLE_CHOICE ? Layout.CHOICES : Layout.SEQUENCES;
        return declare(build.graph(), build.graphInterface(), layout, accepted, build.purpose());
    }

    /**
     * Declares the interface's inputs. Each must be one of {@code accepted} (the family's forward arguments) and an
     * integer tensor; {@code input_ids} is required. Dimensions are named by the interface's dynamic axes (Optimum's
     * names as fallback).
     *
     * @param purpose the graph, for errors, e.g. {@code "the distilbert masked-lm graph"}
     */
    public static TextInputs declare(OnnxGraphBuilder graph, GraphInterface graphInterface, Layout layout,
                                     List<String> accepted, String purpose) {
        Value inputIds = null;
        Value attentionMask = null;
        Value tokenTypeIds = null;
        Value firstInput = null;
        for (InterfaceTensor tensor : graphInterface.inputs()) {
            if (!accepted.contains(tensor.name())) {
                throw new ArchitectureException(purpose + " has no input '" + tensor.name() + "'; it takes "
                        + String.join(", ", accepted));
            }
            if (tensor.elementType() != ElementType.INT64 && tensor.elementType() != ElementType.INT32) {
                throw new ArchitectureException(purpose + ": input '" + tensor.name() + "' must be int64 (or int32),"
                        + " not " + tensor.elementType().onnxName());
            }
            for (int index : tensor.dynamicAxes().keySet()) {
                if (index >= layout.rank()) {
                    throw new ArchitectureException(purpose + ": input '" + tensor.name() + "' is "
                            + layout.axes + " but the interface names dynamic axis " + index);
                }
            }
            List<Dim> dims = new ArrayList<>();
            for (int index = 0; index < layout.rank(); index++) {
                dims.add(tensor.dim(index, Dim.symbolic(layout.axes.get(index))));
            }
            Value input = graph.input(tensor.name(), tensor.elementType(), new Shape(dims));
            Value ids = flatten(graph, input, layout);
            if (tensor.elementType() != ElementType.INT64) {
                ids = graph.cast(ids, ElementType.INT64);
            }
            switch (tensor.name()) {
                case INPUT_IDS -> {
                    inputIds = ids;
                    firstInput = input;
                }
                case ATTENTION_MASK -> attentionMask = ids;
                case TOKEN_TYPE_IDS -> tokenTypeIds = ids;
                default -> throw new ArchitectureException(purpose + " does not read input '" + tensor.name()
                        + "'; it takes " + String.join(", ", accepted));
            }
        }
        if (inputIds == null) {
            throw new ArchitectureException(purpose + " needs the input '" + INPUT_IDS + "', which the interface "
                    + "does not list (it lists " + graphInterface.inputNames() + ")");
        }
        Optional<Value> choices = layout == Layout.CHOICES
                ? Optional.of(graph.shape(firstInput, 0, 2))
                : Optional.empty();
        return new TextInputs(inputIds, Optional.ofNullable(attentionMask), Optional.ofNullable(tokenTypeIds),
                TokenGrid.of(graph, inputIds), choices);
    }

    private static Value flatten(OnnxGraphBuilder graph, Value input, Layout layout) {
        if (layout == Layout.SEQUENCES) {
            return input;
        }
        Value sequence = graph.shape(input, 2, 3);
        return graph.reshape(input, graph.concat(0, graph.constant(-1), sequence));
    }
}
