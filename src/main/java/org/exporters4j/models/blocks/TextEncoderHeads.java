package org.exporters4j.models.blocks;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The heads of a text encoder, shaped the way every encoder family's {@code *For...} classes shape their outputs:
 * {@code last_hidden_state} (and {@code pooler_output} when the family has a pooler), {@code logits} of the language
 * model, the sequence classifier and the multiple-choice scorer, {@code logits} of the token classifier and the
 * question-answering spans. A family subclasses it with the pieces its heads are made of (its defaults are BERT's:
 * the {@code classifier} Linear on the pooled output, {@code qa_outputs} on every token); {@link #add} calls a piece
 * only for the head being built and only when the interface asks for the output it feeds, so no weights are read for
 * outputs nobody asked for.
 */
public abstract class TextEncoderHeads {
    /**
     * The heads Optimum v1.5.2 registers for a text encoder (its BERT-like task list: default, masked-lm,
     * sequence-classification, multiple-choice, token-classification, question-answering).
     */
    public static final Set<Head> ENCODER_HEADS = Collections.unmodifiableSet(EnumSet.of(Head.BASE, Head.MASKED_LM,
            Head.SEQUENCE_CLASSIFICATION, Head.MULTIPLE_CHOICE, Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING));

    protected final GraphBuild build;
    protected final OnnxGraphBuilder graph;
    protected final Parameters parameters;
    protected final ModelConfig config;
    protected final TextInputs inputs;
    protected final TokenGrid grid;
    /** The base model's prefix, e.g. {@code "bert."}, or empty in a checkpoint of the bare model. */
    protected final String base;
    /** The width of the last hidden state. */
    protected final long hidden;
    /** The vocabulary the language-model head scores. */
    protected final long vocabSize;
    /** BERT's pooler Linear, e.g. {@code "bert.pooler.dense"}, or null for a family without it. */
    private final String poolerDense;

    /** @param base the base model's prefix, e.g. {@code "bert."}, or empty */
    protected TextEncoderHeads(GraphBuild build, ModelConfig config, TextInputs inputs, String base, long hidden,
                               long vocabSize) {
        this(build, config, inputs, base, hidden, vocabSize, null);
    }

    /**
     * @param poolerDense the Linear of BERT's pooler, {@code tanh(poolerDense(first token))} ({@code BertPooler} and
     *                    its copies), offered as {@code pooler_output} when the checkpoint has its weight
     */
    protected TextEncoderHeads(GraphBuild build, ModelConfig config, TextInputs inputs, String base, long hidden,
                               long vocabSize, String poolerDense) {
        this.poolerDense = poolerDense;
        this.base = Objects.requireNonNull(base, "base");
        this.build = Objects.requireNonNull(build, "build");
        this.graph = build.graph();
        this.parameters = build.parameters();
        this.config = Objects.requireNonNull(config, "config");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.grid = inputs.grid();
        this.hidden = hidden;
        this.vocabSize = vocabSize;
    }

    /** Adds the outputs the interface asks for, of the head being built, from the last hidden state {@code rows}. */
    public final void add(Value rows) {
        Dim follows = Dim.unknown();
        switch (build.head()) {
            case BASE -> {
                EncoderHeads.lastHiddenState(build, grid, rows, hidden);
                if (hasPooler() && build.wants("pooler_output")) {
                    build.output("pooler_output", pooled(rows), follows, Dim.of(hidden));
                }
            }
            case MASKED_LM, CAUSAL_LM -> {
                if (build.wants("logits")) {
                    build.output("logits", grid.unflatten(graph,
                            Linear.languageModelHead(build, rows, this::languageModelLogits), vocabSize), follows,
                            follows, Dim.of(vocabSize));
                }
            }
            case SEQUENCE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    long labels = sequenceLabels();
                    build.output("logits", sequenceLogits(rows, labels), follows, Dim.of(labels));
                }
            }
            case MULTIPLE_CHOICE -> {
                if (build.wants("logits")) {
                    EncoderHeads.multipleChoice(build, inputs, choiceScores(rows));
                }
            }
            case TOKEN_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    EncoderHeads.tokenClassification(build, config, grid, tokenClassifierInput(rows), hidden);
                }
            }
            case QUESTION_ANSWERING -> {
                boolean start = build.wants("start_logits");
                if (build.wants("end_logits") || start) {
                    EncoderHeads.spans(build, spanLogits(rows));
                }
            }
            default -> throw new IllegalStateException("a text encoder has no " + build.variant() + " head");
        }
    }

    /** Whether the base model offers {@code pooler_output} (the checkpoint has the pooler's weights). */
    protected boolean hasPooler() {
        return poolerDense != null && parameters.contains(poolerDense + ".weight");
    }

    /** The base model's {@code pooler_output [batch, hidden]}: by default BERT's tanh pooler. */
    protected Value pooled(Value rows) {
        if (poolerDense == null) {
            throw new IllegalStateException(build.purpose() + " has no pooler");
        }
        return EncoderHeads.tanhPooler(graph, parameters, poolerDense, grid, rows, hidden);
    }

    /** Vocabulary logits as rows {@code [batch × sequence, vocab_size]} (masked and causal language model). */
    protected Value languageModelLogits(Value rows) {
        throw new IllegalStateException(build.purpose() + " has no language-model head");
    }

    /** What the {@code classifier} Linear scores, {@code [batch, hidden]}: by default the pooled output. */
    protected Value classifierInput(Value rows) {
        return pooled(rows);
    }

    /**
     * The activation of the family's dense classification head ({@link #denseClassificationHead}), or empty when
     * sequence classification is {@code classifier} on {@link #classifierInput} (the default).
     */
    protected Optional<Activation> denseClassifierActivation() {
        return Optional.empty();
    }

    /**
     * The Linear whose weight's first dimension counts the sequence labels: {@code classifier.out_proj} under a
     * dense classification head, else {@code classifier}.
     */
    protected String sequenceClassifier() {
        return denseClassifierActivation().isPresent() ? "classifier.out_proj" : "classifier";
    }

    /** The number of labels, {@link #sequenceClassifier()}'s weight checked against config.json. */
    protected long sequenceLabels() {
        return EncoderHeads.labels(parameters, sequenceClassifier() + ".weight", config);
    }

    /**
     * {@code logits [batch, labels]}: the dense classification head when the family has one, else
     * {@code classifier} on {@link #classifierInput}.
     */
    protected Value sequenceLogits(Value rows, long labels) {
        Optional<Activation> dense = denseClassifierActivation();
        if (dense.isPresent()) {
            return denseClassificationHead(rows, labels, dense.get());
        }
        return Linear.load(parameters, "classifier", hidden, labels).apply(graph, classifierInput(rows));
    }

    /** One score per flattened choice {@code [batch × num_choices, 1]}: by default {@code classifier}. */
    protected Value choiceScores(Value rows) {
        return Linear.load(parameters, "classifier", hidden, 1).apply(graph, classifierInput(rows));
    }

    /**
     * What the token classifier ({@code classifier} on every token) reads, rows {@code [batch × sequence, hidden]}: by
     * default the last hidden state (ModernBERT puts its prediction head in between).
     */
    protected Value tokenClassifierInput(Value rows) {
        return rows;
    }

    /** Start and end logits {@code [batch, sequence, 2]}: by default {@code qa_outputs} on every token. */
    protected Value spanLogits(Value rows) {
        return EncoderHeads.qaOutputs(build, grid, rows, hidden);
    }

    /**
     * The classification head RoBERTa's line of models share ({@code RobertaClassificationHead} and its copies):
     * {@code classifier.out_proj(activation(classifier.dense(first token)))}.
     */
    private Value denseClassificationHead(Value rows, long labels, Activation activation) {
        Value dense = Linear.load(parameters, "classifier.dense", hidden, hidden)
                .apply(graph, EncoderHeads.firstToken(graph, grid, rows, hidden));
        return Linear.load(parameters, "classifier.out_proj", hidden, labels)
                .apply(graph, activation.apply(graph, dense));
    }
}
