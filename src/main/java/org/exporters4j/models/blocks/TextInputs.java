package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Optional;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
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
    /** The token inputs of BERT's forward and of the families that copy it. */
    public static final List<String> BERT_INPUTS = List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);
    /** The token inputs of a family whose forward takes no token types (DistilBERT, MPNet, ModernBERT). */
    public static final List<String> WITHOUT_TOKEN_TYPES = List.of(INPUT_IDS, ATTENTION_MASK);

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
     * Declares the interface's inputs of {@code build}: choices for {@link Head#MULTIPLE_CHOICE}, sequences
     * otherwise; see {@link #declare(OnnxGraphBuilder, GraphInterface, Layout, List, String)}.
     */
    public static TextInputs declare(GraphBuild build, List<String> accepted) {
        Layout layout = build.head() == Head.MULTIPLE_CHOICE ? Layout.CHOICES : Layout.SEQUENCES;
        return declare(build.graph(), build.graphInterface(), layout, accepted, build.purpose());
    }

    /** {@link #declare(GraphBuild, List)} of {@link #BERT_INPUTS}. */
    public static TextInputs declareBert(GraphBuild build) {
        return declare(build, BERT_INPUTS);
    }

    /** {@link #declare(GraphBuild, List)} of {@link #WITHOUT_TOKEN_TYPES}. */
    public static TextInputs declareWithoutTokenTypes(GraphBuild build) {
        return declare(build, WITHOUT_TOKEN_TYPES);
    }

    /**
     * Declares the interface's inputs through the one binder ({@link GraphInputs}). Each must be one of
     * {@code accepted} (the family's forward arguments) and an integer tensor; {@code input_ids} is required.
     * Dimensions are named by the interface's dynamic axes ({@code layout}'s names as fallback).
     *
     * @param purpose the graph, for errors, e.g. {@code "the distilbert masked-lm graph"}
     */
    public static TextInputs declare(OnnxGraphBuilder graph, GraphInterface graphInterface, Layout layout,
                                     List<String> accepted, String purpose) {
        List<Dim> axes = layout.axes.stream().map(Dim::symbolic).toList();
        List<GraphInputs.Accepted> inputs = accepted.stream()
                .map(name -> new GraphInputs.Accepted(name, GraphInputs.Kind.INTEGER, axes))
                .toList();
        return of(graph, GraphInputs.declare(graph, graphInterface, inputs, purpose), layout);
    }

    /**
     * The token inputs among declared {@code inputs} (which hold more, such as LayoutLM's boxes), multiple-choice
     * ones flattened; {@code input_ids} is required.
     */
    public static TextInputs of(OnnxGraphBuilder graph, GraphInputs inputs, Layout layout) {
        Value ids = inputs.required(INPUT_IDS);
        Value inputIds = flatten(graph, ids, layout);
        Optional<Value> choices = layout == Layout.CHOICES
                ? Optional.of(graph.shape(ids, 0, 2))
                : Optional.empty();
        return new TextInputs(inputIds, inputs.optional(ATTENTION_MASK).map(mask -> flatten(graph, mask, layout)),
                inputs.optional(TOKEN_TYPE_IDS).map(types -> flatten(graph, types, layout)),
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
