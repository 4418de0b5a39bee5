package org.exporters4j.models.roformer;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
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
import org.exporters4j.models.blocks.SequenceSummary;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds RoFormer graphs as Transformers 4.25.1's {@code modeling_roformer.py} computes them in eval mode:
 * embeddings of {@code embedding_size} (word + token type, LayerNorm; no absolute positions), the projection to
 * {@code hidden_size} when the sizes differ ({@code embeddings_project}), then BERT's layers with rotary positions
 * on the queries and keys ({@link RotaryPositions}; on the values too when {@code rotary_value}), causal when
 * {@code is_decoder}, then the head.
 */
public final class RoFormerArchitecture extends EncoderArchitecture<TextInputs, RoFormerArchitecture.Options> {
    private static final Set<Head> HEADS = EnumSet.of(Head.BASE, Head.MASKED_LM, Head.CAUSAL_LM,
            Head.SEQUENCE_CLASSIFICATION, Head.MULTIPLE_CHOICE, Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING);

    public RoFormerArchitecture() {
        super("roformer", "roformer", HEADS, new BaseModel("roformer", "embeddings.word_embeddings.weight"),
                TextInputs::declareBert, Options::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Options options, String base, TextInputs inputs) {
        Value encoded = encode(build.graph(), build.parameters(), options, base, inputs);
        // RoFormer has no pooler
        new BertHeads(build, config, inputs, base, null, BertPredictionHead.CLS_PREDICTIONS, options) {
            /** RoFormerClassificationHead: dense, hidden_act, out_proj on the first token. */
            @Override
            protected Optional<Activation> denseClassifierActivation() {
                return Optional.of(options.activation());
            }

            @Override
            protected Value choiceScores(Value rows) {
                SequenceSummary summary = SequenceSummary.load(config, parameters, "sequence_summary", hidden);
                return Linear.load(parameters, "classifier", summary.outputSize(hidden), 1)
                        .apply(graph, summary.apply(graph, grid, rows, hidden));
            }
        }.add(encoded);
    }

    private static Value encode(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                TextInputs inputs) {
        TokenGrid grid = inputs.grid();
        long size = options.embeddingSize();
        Value embedded = graph.inScope("embeddings", () -> {
            // RoFormerEmbeddings has no position table: positions enter as rotations
            BertEmbeddings tables = new BertEmbeddings(graph, parameters, base + "embeddings.", size);
            Value rows = tables.normalizedRows(graph.add(tables.words(inputs, options.vocabSize()),
                    tables.tokenTypes(inputs, options.typeVocabSize())), options.layerNormEps());
            if (size != options.hiddenSize()) {
                // RoFormerModel.embeddings_project exists when embedding_size != hidden_size
                rows = Linear.load(parameters, base + "embeddings_project", size, options.hiddenSize())
                        .apply(graph, rows);
            }
            return rows;
        });
        long headSize = options.layerSettings().headSize();
        RotaryPositions rotary = graph.inScope("encoder.embed_positions", () -> RotaryPositions.of(graph,
                parameters.tensor(base + "encoder.embed_positions.weight", options.maxPositions(), headSize),
                grid.positions(graph), headSize));
        UnaryOperator<Value> rotate = x -> rotary.rotate(graph, x);
        BertStyleLayer.HeadsTransform transform = new BertStyleLayer.HeadsTransform(rotate, rotate,
                options.rotaryValue() ? rotate : UnaryOperator.identity());
        Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null), options.direction(), grid);
        return new LayerStack(base, "encoder.layer", options.layers()).apply(graph, embedded,
                (index, prefix, input) -> BertStyleLayer.load(graph, parameters, prefix, options.layerSettings())
                        .apply(graph, input, mask, grid, transform));
    }

    /** The RoFormerConfig options the graph is built from. */
    record Options(long vocabSize, long embeddingSize, long hiddenSize, int layers, long typeVocabSize,
                   long maxPositions, double layerNormEps, Activation activation, boolean rotaryValue,
                   AttentionDirection direction, BertStyleLayer.Settings layerSettings, EmbeddingTie tie)
        implements BertHeads.Options {

        static Options read(ModelConfig config) {
            String source = config.source();
            BertStyleLayer.Settings layer = BertStyleLayer.Settings.read(config,
                    BertStyleLayer.QueryKeyValueBias.PRESENT);
            if (layer.headSize() % 2 != 0) {
                throw new UnsupportedConfigException(source + ": hidden_size / num_attention_heads = "
                        + layer.headSize() + " is odd; RoFormer rotates channel pairs, so the head size must be even "
                        + "(Transformers fails on this config too)");
            }
            long typeVocabSize = BertEmbeddings.typeVocabSize(config);
            int layers = LayerStack.count(config, "num_hidden_layers");
            boolean decoder = config.optionalBoolean("is_decoder").orElse(false);
            return new Options(config.intValue("vocab_size"), config.intValue("embedding_size"), layer.hiddenSize(),
                    layers, typeVocabSize, config.intValue("max_position_embeddings"), layer.layerNormEps(),
                    layer.activation(), config.booleanValue("rotary_value"),
                    decoder ? AttentionDirection.CAUSAL : AttentionDirection.BIDIRECTIONAL, layer,
                    EmbeddingTie.of(config));
        }
    }
}
