package org.exporters4j.models.blocks;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The heads every text-encoder family writes the same way (Transformers' {@code *ForTokenClassification},
 * {@code *ForQuestionAnswering}) and the pieces the others share: the first token, the label count check, the
 * multiple-choice reshape.
 */
public final class EncoderHeads {
    /** The heads of an image model Optimum v1.5.2 registers as default and image-classification. */
    public static final Set<Head> IMAGE_CLASSIFIER_HEADS =
            Collections.unmodifiableSet(EnumSet.of(Head.BASE, Head.IMAGE_CLASSIFICATION));

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

    /** {@code logits [batch, sequence, num_labels]}, when asked: {@code classifier} on every token. */
    public static void tokenClassification(GraphBuild build, ModelConfig config, TokenGrid grid, Value rows,
                                           long hidden) {
        if (build.wants("logits")) {
            long labels = labels(build.parameters(), "classifier.weight", config);
            build.output("logits", grid.unflatten(build.graph(),
                            Linear.load(build.parameters(), "classifier", hidden, labels).apply(build.graph(), rows),
                            labels), Dim.unknown(), Dim.unknown(), Dim.of(labels));
        }
    }

    /**
     * {@code last_hidden_state [batch, sequence, hidden]} from the last layer's {@code rows}
     * {@code [batch × sequence, hidden]}, when the interface asks for it.
     */
    public static void lastHiddenState(GraphBuild build, TokenGrid grid, Value rows, long hidden) {
        if (build.wants("last_hidden_state")) {
            Dim follows = Dim.unknown();
            build.output("last_hidden_state", grid.unflatten(build.graph(), rows, hidden), follows, follows,
                    Dim.of(hidden));
        }
    }

    /**
     * {@code last_hidden_state [batch, tokens, width]} of an encoder that keeps its hidden states 3-D (Swin,
     * DINOv2), when the interface asks for it; {@code tokens} is computed only then.
     */
    public static void lastHiddenState(GraphBuild build, Supplier<Value> tokens, long width) {
        if (build.wants("last_hidden_state")) {
            build.output("last_hidden_state", tokens.get(), Dim.unknown(), Dim.unknown(), Dim.of(width));
        }
    }

    /** Transformers' standard {@code qa_outputs} Linear on every token: span logits {@code [batch, sequence, 2]}. */
    public static Value qaOutputs(GraphBuild build, TokenGrid grid, Value rows, long hidden) {
        OnnxGraphBuilder graph = build.graph();
        return grid.unflatten(graph, Linear.load(build.parameters(), "qa_outputs", hidden, 2).apply(graph, rows), 2);
    }

    /**
     * {@code start_logits} and {@code end_logits} {@code [batch, sequence]}, each when asked: {@code spanLogits}
     * ({@code [batch, sequence, 2]}) split on the last axis and squeezed, as {@code logits.split(1, dim=-1)}.
     */
    public static void spans(GraphBuild build, Value spanLogits) {
        OnnxGraphBuilder graph = build.graph();
        if (build.wants("start_logits")) {
            build.output("start_logits", graph.gather(spanLogits, graph.scalar(0), 2), Dim.unknown(), Dim.unknown());
        }
        if (build.wants("end_logits")) {
            build.output("end_logits", graph.gather(spanLogits, graph.scalar(1), 2), Dim.unknown(), Dim.unknown());
        }
    }

    /**
     * {@code logits [batch, num_labels]} of a classifier head: the Linear {@code classifier} on {@code features}
     * {@code [batch, width]} (ViT's first token, BEiT's and Swin's pooled tokens, DINOv2's class token beside the patch
     * mean); the label count is checked against config.json as {@link #labels} does. The caller asks
     * {@code build.wants("logits")} before computing the features.
     */
    public static void classification(GraphBuild build, ModelConfig config, long width, Value features) {
        long labels = labels(build.parameters(), "classifier.weight", config);
        build.output("logits", Linear.load(build.parameters(), "classifier", width, labels)
                .apply(build.graph(), features), Dim.unknown(), Dim.of(labels));
    }

    /**
     * {@code logits [batch, num_labels]} of a convolutional image classifier: the Linear {@code classifier} on the
     * pooled features {@code [batch, width]}, its batch axis left to run time (see {@link OutputAxes}); the label
     * count is checked against config.json as {@link #labels} does. The caller asks {@code build.wants("logits")}
     * before pooling.
     */
    public static void imageClassification(GraphBuild build, ModelConfig config, String classifier, long width,
                                           Value pooled) {
        long labels = labels(build.parameters(), classifier + ".weight", config);
        OnnxGraphBuilder graph = build.graph();
        build.output("logits", OutputAxes.unpinned(graph, Linear.load(build.parameters(), classifier, width, labels)
                .apply(graph, pooled), 2), Dim.unknown(), Dim.of(labels));
    }

    /**
     * {@code use_weighted_layer_sum} of the audio heads (Transformers 4.51's {@code Wav2Vec2ForSequenceClassification}
     * and its siblings, {@code WhisperForAudioClassification}): the encoder's {@code hidden_states} ({@code states},
     * the embeddings first, as {@code output_hidden_states} returns them) weighted by the softmax of the
     * {@code layer_weights} parameter (one weight per state) and summed:
     * {@code (stack(states, 1) * softmax(layer_weights).view(-1, 1, 1)).sum(1)}.
     */
    public static Value weightedLayerSum(OnnxGraphBuilder graph, Parameters parameters, List<Value> states) {
        Value weights = graph.softmax(parameters.tensor("layer_weights", states.size()), 0);
        Value stacked = graph.concat(0, states.stream().map(state -> graph.unsqueeze(state, 0)).toList());
        return graph.reduceSum(graph.mul(stacked, graph.reshape(weights, -1, 1, 1, 1)), KeepDims.NO, 0);
    }

    /**
     * {@code logits [batch, num_labels]} of an audio encoder's sequence classifier ({@code *ForSequenceClassification}
     * of wav2vec2's family, {@code WhisperForAudioClassification}), when asked: {@code projector} on every frame of
     * {@code states [batch, frames, hidden]}, the mean over all frames (Optimum's interface has no mask, so
     * Transformers takes {@code hidden_states.mean(dim=1)}), then the Linear {@code classifier}; the label count is
     * checked against config.json as {@link #labels} does.
     */
    public static void meanPooledClassification(GraphBuild build, ModelConfig config, Linear projector, Value states) {
        if (!build.wants("logits")) {
            return;
        }
        OnnxGraphBuilder graph = build.graph();
        Value pooled = graph.reduceMean(projector.applyToLastAxis(graph, states), KeepDims.NO, 1);
        long labels = labels(build.parameters(), "classifier.weight", config);
        build.output("logits", Linear.load(build.parameters(), "classifier", projector.outFeatures(), labels)
                .apply(graph, pooled), Dim.unknown(), Dim.of(labels));
    }

    /**
     * {@code logits [batch, num_choices]} from one score per flattened choice ({@code [batch × num_choices, 1]}),
     * as {@code logits.view(-1, num_choices)}.
     */
    public static void multipleChoice(GraphBuild build, TextInputs inputs, Value scores) {
        Value choices = inputs.choices().orElseThrow(() -> new IllegalStateException(
                "multiple choice needs inputs declared with the CHOICES layout"));
        build.output("logits", build.graph().reshape(scores, choices), Dim.unknown(), Dim.unknown());
    }

    /**
     * The heads of a convolutional image model, each output when asked: the base model's {@code last_hidden_state}
     * (the feature map {@code [batch, channels, height, width]}) and {@code pooler_output} ({@code pool} of the
     * feature map, of natural dimensions {@code pooledDims}), or the image classifier's {@code logits}: the Linear
     * {@code classifier} on the pooled features flattened to {@code [batch, channels]}.
     */
    public static void addFeatureMapHeads(GraphBuild build, ModelConfig config, Value features, long channels,
                                          UnaryOperator<Value> pool, List<Dim> pooledDims, String classifier) {
        OnnxGraphBuilder graph = build.graph();
        Dim follows = Dim.unknown();
        switch (build.head()) {
            case BASE -> {
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", OutputAxes.unpinned(graph, features, 4), follows,
                            Dim.of(channels), follows, follows);
                }
                if (build.wants("pooler_output")) {
                    build.output("pooler_output", pool.apply(features), pooledDims);
                }
            }
            case IMAGE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    imageClassification(build, config, classifier, channels, graph.flatten(pool.apply(features), 1));
                }
            }
            default -> throw new IllegalStateException("a convolutional image model has no " + build.variant()
                    + " head");
        }
    }
}
