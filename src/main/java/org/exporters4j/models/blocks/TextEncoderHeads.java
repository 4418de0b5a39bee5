package org.exporters4j.models.blocks;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The heads of a text encoder wired the way every encoder family's {@code *For...} classes shape their outputs,
 * from the family's own pieces: {@code last_hidden_state} (and {@code pooler_output} when the family has a pooler),
 * {@code logits} of the language model, the sequence classifier and the multiple-choice scorer, and the standard
 * token-classification and question-answering heads of {@link EncoderHeads}. A family gives the pieces its graph
 * has, replaces a head whose shape is its own with {@link #head}, then calls {@link #add} once; each output is
 * computed only if the interface asks for it (see {@link HeadOutputs}).
 */
public final class TextEncoderHeads {
    /**
     * The heads Optimum v1.5.2 registers for a text encoder (its BERT-like task list: default, masked-lm,
     * sequence-classification, multiple-choice, token-classification, question-answering).
     */
    public static final Set<Head> ENCODER_HEADS = Collections.unmodifiableSet(EnumSet.of(Head.BASE, Head.MASKED_LM,
            Head.SEQUENCE_CLASSIFICATION, Head.MULTIPLE_CHOICE, Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING));

    private final OnnxGraphBuilder graph;
    private final Parameters parameters;
    private final ModelConfig config;
    private final TextInputs inputs;
    private final TokenGrid grid;
    private final Map<Head, Consumer<HeadOutputs>> heads = new EnumMap<>(Head.class);
    private Supplier<Value> pooler;

    /**
     * @param rows the last hidden state as rows {@code [batch × sequence, hidden]}
     * @param hidden the hidden size of {@code rows}
     */
    public TextEncoderHeads(OnnxGraphBuilder graph, Parameters parameters, ModelConfig config, TextInputs inputs,
                            Value rows, long hidden) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.config = Objects.requireNonNull(config, "config");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.grid = inputs.grid();
        Objects.requireNonNull(rows, "rows");
        Dim follows = Dim.unknown();
        heads.put(Head.BASE, outputs -> {
            outputs.add("last_hidden_state", () -> grid.unflatten(graph, rows, hidden), follows, follows,
                    Dim.of(hidden));
            if (pooler != null) {
                outputs.add("pooler_output", pooler, follows, Dim.of(hidden));
            }
        });
        heads.put(Head.TOKEN_CLASSIFICATION, outputs -> EncoderHeads.addTokenClassification(outputs, graph,
                parameters, grid, rows, hidden, config));
        heads.put(Head.QUESTION_ANSWERING, outputs -> EncoderHeads.addQuestionAnswering(outputs, graph, parameters,
                grid, rows, hidden));
    }

    /** The base model's {@code pooler_output [batch, hidden]}, offered beside {@code last_hidden_state}. */
    public TextEncoderHeads pooler(Supplier<Value> pooled) {
        this.pooler = Objects.requireNonNull(pooled, "pooled");
        return this;
    }

    /**
     * {@code logits [batch, sequence, vocab_size]} of the masked (and, where the family builds it, causal) language
     * model, from vocabulary logits as rows {@code [batch × sequence, vocab_size]}.
     */
    public TextEncoderHeads languageModel(long vocabSize, Supplier<Value> logitRows) {
        Objects.requireNonNull(logitRows, "logitRows");
        Consumer<HeadOutputs> wiring = outputs -> outputs.add("logits",
                () -> grid.unflatten(graph, logitRows.get(), vocabSize), Dim.unknown(), Dim.unknown(),
                Dim.of(vocabSize));
        heads.put(Head.MASKED_LM, wiring);
        heads.put(Head.CAUSAL_LM, wiring);
        return this;
    }

    /**
     * {@code logits [batch, num_labels]}: the number of labels is {@code classifierWeight}'s first dimension,
     * checked against config.json (see {@link EncoderHeads#labels}); {@code logits} computes them for that count.
     */
    public TextEncoderHeads sequenceClassification(String classifierWeight, LongFunction<Value> logits) {
        Objects.requireNonNull(classifierWeight, "classifierWeight");
        Objects.requireNonNull(logits, "logits");
        heads.put(Head.SEQUENCE_CLASSIFICATION, outputs -> {
            long labels = EncoderHeads.labels(parameters, classifierWeight, config);
            outputs.add("logits", () -> logits.apply(labels), Dim.unknown(), Dim.of(labels));
        });
        return this;
    }

    /** {@code logits [batch, num_choices]} from one score per flattened choice {@code [batch × num_choices, 1]}. */
    public TextEncoderHeads multipleChoice(Supplier<Value> scores) {
        Objects.requireNonNull(scores, "scores");
        heads.put(Head.MULTIPLE_CHOICE, outputs -> EncoderHeads.addMultipleChoice(outputs, graph, inputs, scores));
        return this;
    }

    /** Replaces the wiring of {@code head} with the family's own. */
    public TextEncoderHeads head(Head head, Consumer<HeadOutputs> wiring) {
        heads.put(Objects.requireNonNull(head, "head"), Objects.requireNonNull(wiring, "wiring"));
        return this;
    }

    /** Adds {@code head}'s outputs; a head without pieces is refused, naming {@code modelType}. */
    public void add(Head head, HeadOutputs outputs, String modelType) {
        Consumer<HeadOutputs> wiring = heads.get(head);
        if (wiring == null) {
            throw new ArchitectureException(modelType + " has no " + Variant.of(head) + " head");
        }
        wiring.accept(outputs);
    }
}
