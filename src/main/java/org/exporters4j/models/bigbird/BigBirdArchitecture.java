package org.exporters4j.models.bigbird;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BertEmbeddings;
import org.exporters4j.models.blocks.BertHeads;
import org.exporters4j.models.blocks.BertPredictionHead;
import org.exporters4j.models.blocks.BertStyleLayer;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds BigBird graphs as Transformers 4.25.1's {@code modeling_big_bird.py} computes them in eval mode with
 * {@code attention_type: original_full}: embeddings (word, optionally scaled by √hidden_size when
 * {@code rescale_embeddings}, + token type + position, LayerNorm), BERT's layers under {@code bert.encoder.layer.N}
 * (query/key/value biases per {@code use_bias}; causal when {@code is_decoder}), then the head.
 *
 * <p>{@code block_sparse} attention is refused: Transformers computes it only for sequences longer than
 * {@code (5 + 2 · num_random_blocks) · block_size} tokens — shorter ones fall back to full attention — and its
 * random blocks are drawn with NumPy at every forward, so no fixed graph over a dynamic sequence length computes it.
 * Optimum v1.5.2 traces with a short dummy sequence, so its ONNX graph is the full-attention graph anyway; setting
 * {@code "attention_type": "original_full"} exports exactly that.
 */
public final class BigBirdArchitecture extends EncoderArchitecture<TextInputs, BigBirdArchitecture.Options> {
    private static final Set<Head> HEADS = EnumSet.of(Head.BASE, Head.MASKED_LM, Head.CAUSAL_LM,
            Head.SEQUENCE_CLASSIFICATION, Head.MULTIPLE_CHOICE, Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING);
    /** BigBirdForQuestionAnswering subtracts this from the logits of question tokens. */
    private static final double QUESTION_PENALTY = 1e6;

    public BigBirdArchitecture() {
        super("big-bird", "bigbird", HEADS, new BaseModel("bert", "embeddings.word_embeddings.weight"),
                TextInputs::declareBert, Options::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Options options, String base, TextInputs inputs) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        Optional<Value> questionMask = build.head() == Head.QUESTION_ANSWERING
                ? Optional.of(questionMask(graph, inputs, options))
                : Optional.empty();
        // BigBirdForQuestionAnswering derives the token types from the question length when none are given
        Optional<Value> tokenTypes = inputs.tokenTypeIds()
                .or(() -> questionMask.map(mask -> graph.sub(graph.scalar(1), mask)));
        Value encoded = encode(graph, parameters, options, base, inputs, tokenTypes);
        new BertHeads(build, config, inputs, base, base + "pooler",
                BertPredictionHead.CLS_PREDICTIONS, options) {
            /** BigBirdClassificationHead: dense, hidden_act, out_proj on the first token. */
            @Override
            protected Optional<Activation> denseClassifierActivation() {
                return Optional.of(options.activation());
            }

            @Override
            protected Value spanLogits(Value rows) {
                return questionAnsweringLogits(graph, parameters, options, grid, rows,
                        questionMask.orElseThrow());
            }
        }.add(encoded);
    }

    private static Value encode(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                TextInputs inputs, Optional<Value> tokenTypes) {
        TokenGrid grid = inputs.grid();
        long hidden = options.hiddenSize();
        Value embedded = graph.inScope("embeddings", () -> {
            BertEmbeddings tables = new BertEmbeddings(graph, parameters, base + "embeddings.", hidden);
            Value words = tables.words(inputs, options.vocabSize());
            if (options.rescaleEmbeddings()) {
                words = graph.mul(words, graph.scalar(ElementType.FLOAT, Math.sqrt(hidden)));
            }
            return tables.normalizedRows(graph.add(graph.add(words, tables.tokenTypes(tokenTypes,
                    options.typeVocabSize())), tables.positions(grid.positions(graph), options.maxPositions())),
                    options.layerNormEps());
        });
        Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null), options.direction(), grid);
        return new LayerStack(base, "encoder.layer", options.layers()).apply(graph, embedded,
                (index, prefix, input) -> BertStyleLayer.load(graph, parameters, prefix, options.layerSettings())
                        .apply(graph, input, mask, grid));
    }

    /**
     * BigBirdForQuestionAnswering's question mask, int64 {@code [batch, sequence]}: 1 up to and including the first
     * {@code sep_token_id} of each row ({@code argmax(input_ids == sep) + 1} tokens; a row without one has a
     * question of one token), 0 after.
     */
    private static Value questionMask(OnnxGraphBuilder graph, TextInputs inputs, Options options) {
        Value isSeparator = graph.cast(graph.equal(inputs.inputIds(), graph.scalar(options.separatorId())),
                ElementType.INT32);
        Value questionLength = graph.add(graph.argMax(isSeparator, 1, KeepDims.YES), graph.scalar(1));
        Value positions = graph.unsqueeze(inputs.grid().positions(graph), 0);
        return graph.cast(graph.less(positions, questionLength), ElementType.INT64);
    }

    /**
     * {@code qa_classifier} (intermediate with hidden_act, output dense + LayerNorm residual, qa_outputs), then
     * {@code logits − question_mask · 1e6} with the first token's mask cleared, split into start and end logits.
     */
    /** BigBirdForQuestionAnsweringHead: the span logits {@code [batch, sequence, 2]}, question tokens penalized. */
    private static Value questionAnsweringLogits(OnnxGraphBuilder graph, Parameters parameters, Options options,
                                                 TokenGrid grid, Value rows, Value questionMask) {
        long hidden = options.hiddenSize();
        Value inner = options.activation().apply(graph, Linear.load(parameters,
                "qa_classifier.intermediate.dense", hidden, options.intermediateSize()).apply(graph, rows));
        Value output = LayerNorm.load(parameters, "qa_classifier.output.LayerNorm", hidden, options.layerNormEps())
                .apply(graph, graph.add(Linear.load(parameters, "qa_classifier.output.dense",
                        options.intermediateSize(), hidden).apply(graph, inner), rows));
        Value logits = grid.unflatten(graph,
                Linear.load(parameters, "qa_classifier.qa_outputs", hidden, 2).apply(graph, output), 2);
        // logits_mask[:, 0] = False: the first token ([CLS], "no answer") stays in the competition
        Value notFirst = graph.cast(graph.greater(grid.positions(graph), graph.scalar(0)),
                ElementType.FLOAT);
        Value penalized = graph.mul(graph.cast(questionMask, ElementType.FLOAT), graph.unsqueeze(notFirst, 0));
        Value penalty = graph.mul(graph.unsqueeze(penalized, 2), graph.scalar(ElementType.FLOAT, QUESTION_PENALTY));
        return graph.sub(logits, penalty);
    }

    /** The BigBirdConfig options the graph is built from. */
    record Options(long vocabSize, long hiddenSize, int layers, long intermediateSize, long typeVocabSize,
                   long maxPositions, double layerNormEps, Activation activation, boolean rescaleEmbeddings,
                   long separatorId, AttentionDirection direction, BertStyleLayer.Settings layerSettings,
                   EmbeddingTie tie) implements BertHeads.Options {

        static Options read(ModelConfig config) {
            String source = config.source();
            String attentionType = config.stringValue("attention_type");
            if (!attentionType.equals("original_full")) {
                throw new UnsupportedConfigException(source + " sets attention_type \"" + attentionType + "\": "
                        + "block-sparse attention (random blocks drawn at every forward, and full attention below "
                        + "(5 + 2 * num_random_blocks) * block_size tokens) has no fixed ONNX graph; set "
                        + "\"attention_type\": \"original_full\" in config.json to export full attention, which is "
                        + "what Transformers computes for short sequences and what Optimum v1.5.2's traced graph holds");
            }
            BertStyleLayer.Settings layer = BertStyleLayer.Settings.read(config, config.booleanValue("use_bias")
                    ? BertStyleLayer.QueryKeyValueBias.PRESENT : BertStyleLayer.QueryKeyValueBias.ABSENT);
            long typeVocabSize = BertEmbeddings.typeVocabSize(config);
            int layers = LayerStack.count(config, "num_hidden_layers");
            boolean decoder = config.optionalBoolean("is_decoder").orElse(false);
            return new Options(config.intValue("vocab_size"), layer.hiddenSize(), layers, layer.intermediateSize(),
                    typeVocabSize, config.intValue("max_position_embeddings"), layer.layerNormEps(),
                    layer.activation(), config.booleanValue("rescale_embeddings"), config.intValue("sep_token_id"),
                    decoder ? AttentionDirection.CAUSAL : AttentionDirection.BIDIRECTIONAL, layer,
                    EmbeddingTie.of(config));
        }
    }
}
