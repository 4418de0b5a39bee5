package org.exporters4j.models.bert;

import java.util.List;
import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.HeadOutputs;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.SelfAttention;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds BERT-family graphs (bert, roberta, xlm-roberta, camembert, data2vec-text, ibert, electra) from the
 * checkpoint's weights, as Transformers 4.25.1 computes the model in eval mode: embeddings (word + token type +
 * position, LayerNorm; ELECTRA's projection), {@code num_hidden_layers} encoder layers (self-attention with the
 * additive mask, causal when {@code is_decoder}; feed-forward with {@code hidden_act}; post-LayerNorm residuals),
 * then the head. Dropout is the identity at inference and is not emitted.
 */
public final class BertArchitecture extends FamilyArchitecture {
    private static final List<String> INPUTS =
            List.of(TextInputs.INPUT_IDS, TextInputs.ATTENTION_MASK, TextInputs.TOKEN_TYPE_IDS);

    private final BertFlavor flavor;

    public BertArchitecture(BertFlavor flavor) {
        super(flavor.modelType(), "bert", withoutPast(flavor.heads()));
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    public BertFlavor flavor() {
        return flavor;
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        BertOptions options = BertOptions.read(config, flavor);
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        String base = parameters.basePrefix(flavor.basePrefix(), "embeddings.word_embeddings.weight");
        TextInputs inputs = TextInputs.declare(build, variant.head(), INPUTS);
        Encoder encoder = new Encoder(graph, parameters, options, base, inputs.grid());
        Value rows = encoder.encode(inputs);
        HeadOutputs outputs = build.outputs();
        encoder.addHeadOutputs(variant.head(), rows, inputs, config, outputs);
    }

    /** One graph under construction: the builder, the bound weights and the options. */
    private final class Encoder {
        private final OnnxGraphBuilder graph;
        private final Parameters parameters;
        private final BertOptions options;
        private final String base;
        private final TokenGrid grid;

        Encoder(OnnxGraphBuilder graph, Parameters parameters, BertOptions options, String base, TokenGrid grid) {
            this.graph = graph;
            this.parameters = parameters;
            this.options = options;
            this.base = base;
            this.grid = grid;
        }

        /** Embeddings and encoder layers: the last hidden state as rows {@code [batch × sequence, hidden]}. */
        Value encode(TextInputs inputs) {
            Value rows = graph.inScope("embeddings", () -> embeddings(inputs));
            Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null), options.direction(), grid);
            for (int layer = 0; layer < options.layers(); layer++) {
                String prefix = base + "encoder.layer." + layer + ".";
                Value input = rows;
                rows = graph.inScope("encoder.layer." + layer, () -> layer(prefix, input, mask));
            }
            return rows;
        }

        /** One BertLayer: attention, residual and LayerNorm; feed-forward, residual and LayerNorm. */
        private Value layer(String prefix, Value rows, Value mask) {
            long hidden = options.hiddenSize();
            SelfAttention attention = new SelfAttention(
                    Linear.load(parameters, prefix + "attention.self.query", hidden, hidden),
                    Linear.load(parameters, prefix + "attention.self.key", hidden, hidden),
                    Linear.load(parameters, prefix + "attention.self.value", hidden, hidden),
                    Linear.load(parameters, prefix + "attention.output.dense", hidden, hidden),
                    options.heads(), options.headSize());
            Value attended = LayerNorm.load(parameters, prefix + "attention.output.LayerNorm", hidden,
                    options.layerNormEps()).apply(graph, graph.add(attention.apply(graph, rows, mask, grid), rows));
            Value intermediate = options.hiddenActivation().apply(graph,
                    Linear.load(parameters, prefix + "intermediate.dense", hidden, options.intermediateSize())
                            .apply(graph, attended));
            Value output = Linear.load(parameters, prefix + "output.dense", options.intermediateSize(), hidden)
                    .apply(graph, intermediate);
            return LayerNorm.load(parameters, prefix + "output.LayerNorm", hidden, options.layerNormEps())
                    .apply(graph, graph.add(output, attended));
        }

        /** (word + token type) + position embeddings, LayerNorm, then ELECTRA's projection; as rows. */
        private Value embeddings(TextInputs inputs) {
            String prefix = base + "embeddings.";
            long size = options.embeddingSize();
            Value words = graph.gather(parameters.tensor(prefix + "word_embeddings.weight", options.vocabSize(), size),
                    inputs.inputIds(), 0);
            Value typeTable = parameters.tensor(prefix + "token_type_embeddings.weight", options.typeVocabSize(), size);
            // without token_type_ids, Transformers uses its buffer of zeros: every token adds row 0
            Value types = inputs.tokenTypeIds()
                    .map(ids -> graph.gather(typeTable, ids, 0))
                    .orElseGet(() -> graph.gather(typeTable, graph.scalar(0), 0));
            Value positionIds = switch (flavor.positions()) {
                case ABSOLUTE -> grid.positions(graph);
                case FROM_PADDING -> {
                    // RoBERTa's create_position_ids_from_input_ids: cumsum(mask) * mask + padding_idx
                    Value padding = graph.scalar(options.paddingIndex());
                    Value notPadding = graph.cast(graph.not(graph.equal(inputs.inputIds(), padding)), ElementType.INT64);
                    yield graph.add(graph.mul(graph.cumSum(notPadding, 1), notPadding), padding);
                }
            };
            Value positions = graph.gather(
                    parameters.tensor(prefix + "position_embeddings.weight", options.maxPositions(), size),
                    positionIds, 0);
            Value sum = graph.add(graph.add(words, types), positions);
            Value normalized = LayerNorm.load(parameters, prefix + "LayerNorm", size, options.layerNormEps())
                    .apply(graph, sum);
            Value rows = graph.reshape(normalized, -1, size);
            if (size != options.hiddenSize()) {
                // ElectraModel.embeddings_project exists when embedding_size != hidden_size
                rows = Linear.load(parameters, base + "embeddings_project", size, options.hiddenSize()).apply(graph, rows);
            }
            return rows;
        }

        void addHeadOutputs(Head head, Value rows, TextInputs inputs, ModelConfig config, HeadOutputs outputs) {
            long hidden = options.hiddenSize();
            TextEncoderHeads heads = new TextEncoderHeads(graph, parameters, config, inputs, rows, hidden)
                    .languageModel(options.vocabSize(), () -> languageModelLogits(rows))
                    .sequenceClassification(flavor.sequenceClassifier() == BertFlavor.SequenceClassifier.POOLER
                            ? "classifier.weight" : "classifier.out_proj.weight", labels -> sequenceLogits(rows))
                    .multipleChoice(() -> choiceScores(rows, config));
            if (parameters.contains(base + "pooler.dense.weight")) {
                heads.pooler(() -> pooled(rows));
            }
            heads.add(head, outputs, flavor.modelType());
        }

        /** BertPooler: tanh(dense(first token)). */
        private Value pooled(Value rows) {
            return EncoderHeads.tanhPooler(graph, parameters, base + "pooler.dense", grid, rows, options.hiddenSize());
        }

        private Value sequenceLogits(Value rows) {
            long hidden = options.hiddenSize();
            return switch (flavor.sequenceClassifier()) {
                case POOLER -> Linear.loadWithOutputsFromWeights(parameters, "classifier", hidden)
                        .apply(graph, pooled(rows));
                case DENSE_TANH, DENSE_GELU -> {
                    Value dense = Linear.load(parameters, "classifier.dense", hidden, hidden)
                            .apply(graph, EncoderHeads.firstToken(graph, grid, rows, options.hiddenSize()));
                    Value activated = flavor.sequenceClassifier() == BertFlavor.SequenceClassifier.DENSE_TANH
                            ? graph.tanh(dense)
                            : Activation.GELU.apply(graph, dense);
                    yield Linear.loadWithOutputsFromWeights(parameters, "classifier.out_proj", hidden)
                            .apply(graph, activated);
                }
            };
        }

        /** One score per flattened choice, {@code [batch × num_choices, 1]}. */
        private Value choiceScores(Value rows, ModelConfig config) {
            long hidden = options.hiddenSize();
            Value summary = switch (flavor.multipleChoiceScorer()) {
                case POOLER -> pooled(rows);
                case SEQUENCE_SUMMARY -> sequenceSummary(rows, config);
            };
            return Linear.load(parameters, "classifier", parameters.dimension("classifier.weight", 1), 1)
                    .apply(graph, summary);
        }

        /** Transformers' SequenceSummary (modeling_utils.py) as ELECTRA configures it. */
        private Value sequenceSummary(Value rows, ModelConfig config) {
            long hidden = options.hiddenSize();
            // ElectraConfig's defaults: summary_type "first", summary_use_proj true, summary_activation "gelu"
            String type = config.optionalString("summary_type").orElse("first");
            Value states = grid.unflatten(graph, rows, hidden);
            Value summary = switch (type) {
                case "first" -> graph.gather(states, graph.scalar(0), 1);
                // cls_index without a cls_index input takes the last token, as SequenceSummary does
                case "last", "cls_index" -> graph.gather(states, graph.scalar(-1), 1);
                case "mean" -> graph.reduceMean(states, KeepDims.NO, 1);
                default -> throw new UnsupportedConfigException(config.source() + " sets summary_type \"" + type
                        + "\", which SequenceSummary does not compute (\"attn\" is not implemented in Transformers"
                        + " either); use first, last, mean or cls_index");
            };
            if (config.optionalBoolean("summary_use_proj").orElse(true)) {
                summary = Linear.loadWithOutputsFromWeights(parameters, "sequence_summary.summary", hidden)
                        .apply(graph, summary);
            }
            String activation = config.optionalString("summary_activation").orElse("gelu");
            return Activation.named(activation, "summary_activation", config.source()).apply(graph, summary);
        }

        /** Vocabulary logits as rows {@code [batch × sequence, vocab_size]}. */
        private Value languageModelLogits(Value rows) {
            long hidden = options.hiddenSize();
            long size = options.embeddingSize();
            String wordEmbeddings = base + "embeddings.word_embeddings.weight";
            return switch (flavor.languageModelHead()) {
                case BERT -> {
                    Value transformed = options.hiddenActivation().apply(graph,
                            Linear.load(parameters, "cls.predictions.transform.dense", hidden, hidden).apply(graph, rows));
                    Value normalized = LayerNorm.load(parameters, "cls.predictions.transform.LayerNorm", hidden,
                            options.layerNormEps()).apply(graph, transformed);
                    yield decoder(wordEmbeddings, "cls.predictions.decoder.weight",
                            parameters.firstPresent("cls.predictions.bias", "cls.predictions.decoder.bias"), hidden)
                            .apply(graph, normalized);
                }
                case ROBERTA -> {
                    Value dense = Activation.GELU.apply(graph,
                            Linear.load(parameters, "lm_head.dense", hidden, hidden).apply(graph, rows));
                    Value normalized = LayerNorm.load(parameters, "lm_head.layer_norm", hidden, options.layerNormEps())
                            .apply(graph, dense);
                    yield decoder(wordEmbeddings, "lm_head.decoder.weight",
                            parameters.firstPresent("lm_head.bias", "lm_head.decoder.bias"), hidden)
                            .apply(graph, normalized);
                }
                case ELECTRA_GENERATOR -> {
                    Value dense = Activation.GELU.apply(graph,
                            Linear.load(parameters, "generator_predictions.dense", hidden, size).apply(graph, rows));
                    Value normalized = LayerNorm.load(parameters, "generator_predictions.LayerNorm", size,
                            options.layerNormEps()).apply(graph, dense);
                    yield decoder(wordEmbeddings, "generator_lm_head.weight", "generator_lm_head.bias", size)
                            .apply(graph, normalized);
                }
            };
        }

        /**
         * The output embedding: the input embedding table itself when {@code tie_word_embeddings} (Transformers'
         * {@code tie_weights}, so a checkpoint that stores the decoder weight under one name only, or a stale
         * copy, gives Transformers' numbers), else the decoder's own weight.
         */
        private Linear decoder(String wordEmbeddings, String decoderWeight, String bias, long width) {
            String weight = options.tie().decoderWeight(wordEmbeddings, decoderWeight);
            return new Linear(parameters.tensor(weight, options.vocabSize(), width),
                    parameters.tensor(bias, options.vocabSize()), width, options.vocabSize());
        }
    }
}
