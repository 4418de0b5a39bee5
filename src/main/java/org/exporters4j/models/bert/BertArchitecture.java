package org.exporters4j.models.bert;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BertEmbeddings;
import org.exporters4j.models.blocks.BertPredictionHead;
import org.exporters4j.models.blocks.BertStyleEncoder;
import org.exporters4j.models.blocks.BertStyleLayer;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.Value;

/**
 * Builds BERT-family graphs (bert, roberta, xlm-roberta, camembert, data2vec-text, ibert, electra) from the
 * checkpoint's weights, as Transformers 4.25.1 computes the model in eval mode: embeddings (word + token type +
 * position, LayerNorm; ELECTRA's projection), {@code num_hidden_layers} encoder layers (self-attention with the
 * additive mask, causal when {@code is_decoder}; feed-forward with {@code hidden_act}; post-LayerNorm residuals),
 * then the head. Dropout is the identity at inference and is not emitted.
 */
public final class BertArchitecture extends EncoderArchitecture<TextInputs, BertOptions> {
    private final BertFlavor flavor;

    /** @param heads the heads Transformers has a class for with this model type */
    public BertArchitecture(String modelType, BertFlavor flavor, Set<Head> heads) {
        super(modelType, "bert", heads,
                new BaseModel(flavor.basePrefix(), "embeddings.word_embeddings.weight"), TextInputs::declareBert,
                config -> BertOptions.read(config, modelType, flavor));
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, BertOptions options, String base,
                              TextInputs inputs) {
        new Encoder(build, config, inputs, options, base, flavor).addOutputs();
    }

    /** One graph under construction: the builder, the bound weights and the options. */
    private static final class Encoder extends BertStyleEncoder<BertOptions> {
        private final BertFlavor flavor;

        Encoder(GraphBuild build, ModelConfig config, TextInputs inputs, BertOptions options, String base,
                BertFlavor flavor) {
            super(build, config, inputs, base, options, base + "pooler.dense");
            this.flavor = flavor;
        }

        /** Every flavour's layer is BertLayer (ELECTRA's and RoBERTa's copies included), so all of them fuse. */
        @Override
        protected Optional<BertStyleLayer.Settings> fusedLayerSettings() {
            return Optional.of(new BertStyleLayer.Settings(options.hiddenSize(), options.intermediateSize(),
                    options.heads(), options.hiddenActivation(), options.layerNormEps(),
                    BertStyleLayer.QueryKeyValueBias.PRESENT));
        }

        /** One BertLayer: attention, residual and LayerNorm; feed-forward, residual and LayerNorm. */
        @Override
        protected Value layer(String prefix, Value rows, Value mask) {
            long hidden = options.hiddenSize();
            Value context = new ScaledDotProductAttention(options.heads(), options.headSize()).context(graph,
                    Linear.load(parameters, prefix + "attention.self.query", hidden, hidden).apply(graph, rows),
                    Linear.load(parameters, prefix + "attention.self.key", hidden, hidden).apply(graph, rows),
                    Linear.load(parameters, prefix + "attention.self.value", hidden, hidden).apply(graph, rows),
                    mask, grid);
            return BertStyleLayer.afterAttention(graph, parameters, prefix, context, rows, hidden,
                    options.intermediateSize(), options.hiddenActivation(), options.layerNormEps());
        }

        /** (word + token type) + position embeddings, LayerNorm, then ELECTRA's projection; as rows. */
        @Override
        protected Value embeddings() {
            long size = options.embeddingSize();
            BertEmbeddings tables = new BertEmbeddings(graph, parameters, base + "embeddings.", size);
            Value positionIds = switch (flavor.positions()) {
                case ABSOLUTE -> grid.positions(graph);
                case FROM_PADDING -> {
                    // RoBERTa's create_position_ids_from_input_ids: cumsum(mask) * mask + padding_idx
                    Value padding = graph.scalar(options.paddingIndex());
                    Value notPadding = graph.cast(graph.not(graph.equal(inputs.inputIds(), padding)), ElementType.INT64);
                    yield graph.add(graph.mul(graph.cumSum(notPadding, 1), notPadding), padding);
                }
            };
            Value sum = graph.add(graph.add(tables.words(inputs, options.vocabSize()),
                    tables.tokenTypes(inputs, options.typeVocabSize())),
                    tables.positions(positionIds, options.maxPositions()));
            Value rows = tables.normalizedRows(sum, options.layerNormEps());
            if (size != options.hiddenSize()) {
                // ElectraModel.embeddings_project exists when embedding_size != hidden_size
                rows = Linear.load(parameters, base + "embeddings_project", size, options.hiddenSize()).apply(graph, rows);
            }
            return rows;
        }

        @Override
        protected Optional<Activation> denseClassifierActivation() {
            return switch (flavor.sequenceClassifier()) {
                case POOLER -> Optional.empty();
                case DENSE_TANH -> Optional.of(Activation.TANH);
                case DENSE_GELU -> Optional.of(Activation.GELU);
            };
        }

        /** One score per flattened choice, {@code [batch × num_choices, 1]}. */
        @Override
        protected Value choiceScores(Value rows) {
            long hidden = options.hiddenSize();
            Value summary = switch (flavor.multipleChoiceScorer()) {
                case POOLER -> pooled(rows);
                case SEQUENCE_SUMMARY -> sequenceSummary(rows);
            };
            return Linear.load(parameters, "classifier", parameters.dimension("classifier.weight", 1), 1)
                    .apply(graph, summary);
        }

        /** Transformers' SequenceSummary (modeling_utils.py) as ELECTRA configures it. */
        private Value sequenceSummary(Value rows) {
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
        @Override
        protected Value languageModelLogits(Value rows) {
            long hidden = options.hiddenSize();
            long size = options.embeddingSize();
            String wordEmbeddings = base + "embeddings.word_embeddings.weight";
            double eps = options.layerNormEps();
            // BERT's transform applies hidden_act; RobertaLMHead and ElectraGeneratorPredictions GELU
            return switch (flavor.languageModelHead()) {
                case BERT -> BertPredictionHead.CLS_PREDICTIONS.logits(graph, parameters, wordEmbeddings, options.tie(),
                        hidden, hidden, options.vocabSize(), options.hiddenActivation(), eps, rows);
                case ROBERTA -> BertPredictionHead.ROBERTA_LM_HEAD.logits(graph, parameters, wordEmbeddings,
                        options.tie(), hidden, hidden, options.vocabSize(), Activation.GELU, eps, rows);
                case ELECTRA_GENERATOR -> BertPredictionHead.GENERATOR.logits(graph, parameters, wordEmbeddings,
                        options.tie(), hidden, size, options.vocabSize(), Activation.GELU, eps, rows);
            };
        }
    }
}
