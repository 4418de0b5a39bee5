package org.exporters4j.models.blocks;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The heads of a text encoder, shaped the way every encoder family's {@code *For...} classes shape their outputs:
 * {@code last_hidden_state} (and {@code pooler_output} when the family has a pooler), {@code logits} of the language
 * model, the sequence classifier and the multiple-choice scorer, and the standard token-classification and
 * question-answering heads of {@link EncoderHeads}. The family computes the pieces ({@link Pieces}); {@link #add}
 * asks for each only when the head being built has the output and the interface asks for it.
 */
public final class TextEncoderHeads {
    /**
     * The heads Optimum v1.5.2 registers for a text encoder (its BERT-like task list: default, masked-lm,
     * sequence-classification, multiple-choice, token-classification, question-answering).
     */
    public static final Set<Head> ENCODER_HEADS = Collections.unmodifiableSet(EnumSet.of(Head.BASE, Head.MASKED_LM,
            Head.SEQUENCE_CLASSIFICATION, Head.MULTIPLE_CHOICE, Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING));

    private TextEncoderHeads() {}

    /**
     * What a family computes for its heads from its last hidden state {@code rows}
     * ({@code [batch × sequence, hidden]}). {@link #add} calls a method only for the
     * head being built and only when the interface asks for the output it feeds; a head the family lacks is never
     * asked for (its variants do not list it), and the defaults say so if it is.
     */
    public interface Pieces {
        /** Whether the base model offers {@code pooler_output} (the checkpoint has the pooler's weights). */
        default boolean hasPooler() {
            return false;
        }

        /** The base model's {@code pooler_output [batch, hidden]}. */
        default Value pooled(Value rows) {
            throw new IllegalStateException("this encoder has no pooler");
        }

        /** The vocabulary size of {@link #languageModelLogits}. */
        default long vocabSize() {
            throw new IllegalStateException("this encoder has no language-model head");
        }

        /** Vocabulary logits as rows {@code [batch × sequence, vocab_size]} (masked and causal language model). */
        default Value languageModelLogits(Value rows) {
            throw new IllegalStateException("this encoder has no language-model head");
        }

        /**
         * The number of labels the sequence classifier scores, usually its weight's first dimension checked against
         * config.json ({@link EncoderHeads#labels}).
         */
        default long sequenceLabels() {
            throw new IllegalStateException("this encoder has no sequence classifier");
        }

        /** {@code logits [batch, labels]} of the sequence classifier. */
        default Value sequenceLogits(Value rows, long labels) {
            throw new IllegalStateException("this encoder has no sequence classifier");
        }

        /** One score per flattened choice, {@code [batch × num_choices, 1]}. */
        default Value choiceScores(Value rows) {
            throw new IllegalStateException("this encoder has no multiple-choice scorer");
        }

        /**
         * Start and end logits as {@code [batch, sequence, 2]}; by default Transformers' standard {@code qa_outputs}
         * Linear on every token.
         */
        default Value spanLogits(GraphBuild build, TokenGrid grid, Value rows, long hidden) {
            return EncoderHeads.qaOutputs(build, grid, rows, hidden);
        }
    }

    /**
     * Adds the outputs of the head being built that the interface asks for.
     *
     * @param rows the last hidden state as rows {@code [batch × sequence, hidden]}
     * @param hidden the hidden size of {@code rows}
     */
    public static void add(GraphBuild build, ModelConfig config, TextInputs inputs, Value rows, long hidden,
                           Pieces pieces) {
        OnnxGraphBuilder graph = build.graph();
        TokenGrid grid = inputs.grid();
        Dim follows = Dim.unknown();
        switch (build.head()) {
            case BASE -> {
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", grid.unflatten(graph, rows, hidden), follows, follows,
                            Dim.of(hidden));
                }
                if (pieces.hasPooler() && build.wants("pooler_output")) {
                    build.output("pooler_output", pieces.pooled(rows), follows, Dim.of(hidden));
                }
            }
            case MASKED_LM, CAUSAL_LM -> {
                if (build.wants("logits")) {
                    long vocab = pieces.vocabSize();
                    build.output("logits", grid.unflatten(graph, pieces.languageModelLogits(rows), vocab), follows,
                            follows, Dim.of(vocab));
                }
            }
            case SEQUENCE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    long labels = pieces.sequenceLabels();
                    build.output("logits", pieces.sequenceLogits(rows, labels), follows, Dim.of(labels));
                }
            }
            case MULTIPLE_CHOICE -> {
                if (build.wants("logits")) {
                    EncoderHeads.multipleChoice(build, inputs, pieces.choiceScores(rows));
                }
            }
            case TOKEN_CLASSIFICATION -> EncoderHeads.tokenClassification(build, config, grid, rows, hidden);
            case QUESTION_ANSWERING -> {
                boolean start = build.wants("start_logits");
                if (build.wants("end_logits") || start) {
                    EncoderHeads.spans(build, pieces.spanLogits(build, grid, rows, hidden));
                }
            }
            default -> throw new IllegalStateException("a text encoder has no " + Variant.of(build.head()) + " head");
        }
    }
}
