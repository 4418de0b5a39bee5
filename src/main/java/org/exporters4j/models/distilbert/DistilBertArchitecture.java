package org.exporters4j.models.distilbert;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BertPredictionHead;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.blocks.TransformerLayer;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds DistilBERT graphs as Transformers 4.25.1 computes them in eval mode: word + position embeddings (the
 * checkpoint holds the table, learned or sinusoidal), LayerNorm (ε 1e-12, fixed in DistilBERT's code),
 * {@code n_layers} blocks of self-attention and feed-forward ({@code activation}) with post-LayerNorm residuals,
 * then the head. The attention is never causal.
 */
public final class DistilBertArchitecture extends EncoderArchitecture<TextInputs, DistilBertArchitecture.Options> {
    /** DistilBERT's LayerNorms use {@code eps=1e-12} in code, not from the config. */
    private static final double LAYER_NORM_EPS = 1e-12;
    /** One TransformerBlock: attention, sa_layer_norm residual; ffn, output_layer_norm residual. */
    private static final TransformerLayer.Names LAYER = new TransformerLayer.Names("attention.q_lin",
            "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm", "ffn.lin1", "ffn.lin2",
            "output_layer_norm");

    public DistilBertArchitecture() {
        super("distilbert", "distilbert", TextEncoderHeads.ENCODER_HEADS,
                new BaseModel("distilbert", "embeddings.word_embeddings.weight"), TextInputs::declareWithoutTokenTypes,
                Options::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Options options, String base, TextInputs inputs) {
        long dim = options.dim();
        Value encoded = encode(build.graph(), build.parameters(), options, base, inputs);
        new TextEncoderHeads(build, config, inputs, base, dim, options.vocabSize()) {
            @Override
            protected Value languageModelLogits(Value rows) {
                return maskedLmLogits(graph, parameters, options, base, rows);
            }

            @Override
            protected Value sequenceLogits(Value rows, long labels) {
                return Linear.load(parameters, "classifier", dim, labels)
                        .apply(graph, preClassified(graph, parameters, grid, rows, dim));
            }

            @Override
            protected Value choiceScores(Value rows) {
                return Linear.load(parameters, "classifier", dim, 1)
                        .apply(graph, preClassified(graph, parameters, grid, rows, dim));
            }
        }.add(encoded);
    }

    private static Value encode(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                TextInputs inputs) {
        TokenGrid grid = inputs.grid();
        long dim = options.dim();
        Value embedded = graph.inScope("embeddings", () -> {
            String embeddings = base + "embeddings.";
            Value words = graph.gather(parameters.tensor(embeddings + "word_embeddings.weight", options.vocabSize(),
                    dim), inputs.inputIds(), 0);
            Value positions = graph.gather(parameters.tensor(embeddings + "position_embeddings.weight",
                    options.maxPositions(), dim), grid.positions(graph), 0);
            Value normalized = LayerNorm.load(parameters, embeddings + "LayerNorm", dim, LAYER_NORM_EPS)
                    .apply(graph, graph.add(words, positions));
            return graph.reshape(normalized, -1, dim);
        });
        Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null),
                AttentionDirection.BIDIRECTIONAL, grid);
        TransformerLayer.Settings settings = new TransformerLayer.Settings(dim, options.heads(), options.hiddenDim(),
                options.activation(), LAYER_NORM_EPS, TransformerLayer.Norms.POST);
        return new LayerStack(base, "transformer.layer", options.layers()).apply(graph, embedded,
                (index, prefix, input) -> TransformerLayer.load(parameters, prefix, LAYER, settings)
                        .apply(graph, input, mask, grid));
    }

    /** The first token through pre_classifier and ReLU, as the classification heads compute it. */
    private static Value preClassified(OnnxGraphBuilder graph, Parameters parameters, TokenGrid grid, Value rows,
                                       long dim) {
        return graph.relu(Linear.load(parameters, "pre_classifier", dim, dim)
                .apply(graph, EncoderHeads.firstToken(graph, grid, rows, dim)));
    }

    /** vocab_transform, activation, vocab_layer_norm, vocab_projector (tied to the word embeddings). */
    private static Value maskedLmLogits(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                        Value rows) {
        return BertPredictionHead.DISTILBERT_VOCAB.logits(graph, parameters,
                base + "embeddings.word_embeddings.weight", options.tie(), options.dim(), options.dim(),
                options.vocabSize(), options.activation(), LAYER_NORM_EPS, rows);
    }

    /** The DistilBertConfig options the graph is built from (the config's own names: dim, n_heads …). */
    record Options(long vocabSize, long dim, int layers, int heads, long hiddenDim, Activation activation,
                   long maxPositions, EmbeddingTie tie) {

        static Options read(ModelConfig config) {
            AttentionHeads split = AttentionHeads.read(config, "dim", "n_heads");
            long dim = split.width();
            int heads = split.heads();
            return new Options(config.intValue("vocab_size"), dim, config.intValue("n_layers"), heads,
                    config.intValue("hidden_dim"), Activation.fromConfig(config, "activation"),
                    config.intValue("max_position_embeddings"), EmbeddingTie.of(config));
        }
    }
}
