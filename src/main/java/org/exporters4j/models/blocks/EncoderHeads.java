package org.exporters4j.models.blocks;

import java.util.function.Supplier;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The heads every text-encoder family writes the same way (Transformers' {@code *ForTokenClassification},
 * {@code *ForQuestionAnswering}) and the pieces the others share: the first token, the label count check, the
 * multiple-choice reshape.
 */
public final class EncoderHeads {
    private EncoderHeads() {}

    /** The first token's hidden state of each sequence, {@code [batch, hidden]} ({@code hidden_states[:, 0]}). */
    public static Value firstToken(OnnxGraphBuilder graph, TokenGrid grid, Value rows, long hidden) {
        return graph.gather(grid.unflatten(graph, rows, hidden), graph.scalar(0), 1);
    }

    /**
     * The BERT-style pooler, {@code tanh(dense(hidden_states[:, 0]))} ({@code BertPooler}, ALBERT's and BigBird's
     * {@code pooler} Linear), as {@code [batch, hidden]}.
     *
     * @param dense the pooler Linear's tensor prefix, e.g. {@code "bert.pooler.dense"}
     */
    public static Value tanhPooler(OnnxGraphBuilder graph, Parameters parameters, String dense, TokenGrid grid,
                                   Value rows, long hidden) {
        return graph.tanh(Linear.load(parameters, dense, hidden, hidden)
                .apply(graph, firstToken(graph, grid, rows, hidden)));
    }

    /**
     * The number of labels {@code classifierWeight} scores, checked against config.json's {@code id2label} /
     * {@code num_labels} as Transformers checks the shapes when it loads the checkpoint.
     */
    public static long labels(Parameters parameters, String classifierWeight, ModelConfig config) {
        long labels = parameters.dimension(classifierWeight, 0);
        int configured = config.numLabels();
        if (configured != labels) {
            throw new ArchitectureException("tensor '" + classifierWeight + "' scores " + labels + " labels but "
                    + config.source() + " declares " + configured + " (id2label / num_labels); Transformers refuses"
                    + " to load this pair too: fix config.json or use the checkpoint it was saved with");
        }
        return labels;
    }

    /** {@code logits [batch, sequence, num_labels]}: {@code classifier} on every token. */
    public static void addTokenClassification(HeadOutputs outputs, OnnxGraphBuilder graph, Parameters parameters,
                                              TokenGrid grid, Value rows, long hidden, ModelConfig config) {
        long labels = labels(parameters, "classifier.weight", config);
        outputs.add("logits", () -> grid.unflatten(graph,
                        Linear.load(parameters, "classifier", hidden, labels).apply(graph, rows), labels),
                Dim.unknown(), Dim.unknown(), Dim.of(labels));
    }

    /**
     * {@code start_logits} and {@code end_logits} {@code [batch, sequence]}: {@code qa_outputs} (two outputs per
     * token) split on the last axis and squeezed, as {@code logits.split(1, dim=-1)}.
     */
    public static void addQuestionAnswering(HeadOutputs outputs, OnnxGraphBuilder graph, Parameters parameters,
                                            TokenGrid grid, Value rows, long hidden) {
        Supplier<Value> spans = HeadOutputs.once(() -> grid.unflatten(graph,
                Linear.load(parameters, "qa_outputs", hidden, 2).apply(graph, rows), 2));
        outputs.add("start_logits", () -> graph.gather(spans.get(), graph.scalar(0), 2), Dim.unknown(), Dim.unknown());
        outputs.add("end_logits", () -> graph.gather(spans.get(), graph.scalar(1), 2), Dim.unknown(), Dim.unknown());
    }

    /**
     * {@code logits [batch, num_labels]} of a convolutional image classifier: the Linear {@code classifier} on the
     * pooled features {@code [batch, width]}, its batch axis left to run time (see {@link OutputAxes}); the label
     * count is checked against config.json as {@link #labels} does.
     */
    public static void addImageClassification(HeadOutputs outputs, OnnxGraphBuilder graph, Parameters parameters,
                                              ModelConfig config, String classifier, long width,
                                              Supplier<Value> pooled) {
        long labels = labels(parameters, classifier + ".weight", config);
        outputs.add("logits", () -> OutputAxes.unpinned(graph, Linear.load(parameters, classifier, width, labels)
                .apply(graph, pooled.get()), 2), Dim.unknown(), Dim.of(labels));
    }

    /**
     * {@code logits [batch, num_choices]} from one score per flattened choice ({@code [batch × num_choices, 1]}),
     * as {@code logits.view(-1, num_choices)}.
     */
    public static void addMultipleChoice(HeadOutputs outputs, OnnxGraphBuilder graph, TextInputs inputs,
                                         Supplier<Value> scores) {
        Value choices = inputs.choices().orElseThrow(() -> new IllegalStateException(
                "multiple choice needs inputs declared with the CHOICES layout"));
        outputs.add("logits", () -> graph.reshape(scores.get(), choices), Dim.unknown(), Dim.unknown());
    }
}
