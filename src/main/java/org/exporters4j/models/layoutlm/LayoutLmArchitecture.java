package org.exporters4j.models.layoutlm;

import java.util.EnumSet;
import java.util.List;
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
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.GraphInputs.Accepted;
import org.exporters4j.models.blocks.GraphInputs.Kind;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds LayoutLM graphs as Transformers 4.25.1's {@code modeling_layoutlm.py} computes them in eval mode: BERT with
 * 2-D position embeddings from {@code bbox} {@code [batch, sequence, 4]} (x0, y0, x1, y1): the sum
 * word + position + x(x0) + y(y0) + x(x1) + y(y1) + h(y1 − y0) + w(x1 − x0) + token type, LayerNorm, then BERT's
 * layers (never causal: {@code LayoutLMModel} builds a padding-only mask) and the head.
 *
 * <p>Boxes are indices into tables of {@code max_2d_position_embeddings} rows: Transformers raises IndexError for
 * a coordinate outside them, ONNX Runtime fails the Gather for one past the end; a box with x1 &lt; x0 (a negative
 * width) is as invalid here as there.
 */
public final class LayoutLmArchitecture
        extends EncoderArchitecture<LayoutLmArchitecture.Inputs, LayoutLmArchitecture.Options> {
    static final String BBOX = "bbox";
    private static final Set<Head> HEADS = EnumSet.of(Head.BASE, Head.MASKED_LM, Head.SEQUENCE_CLASSIFICATION,
            Head.TOKEN_CLASSIFICATION);

    public LayoutLmArchitecture() {
        super("layoutlm", "layoutlm", HEADS, new BaseModel("layoutlm", "embeddings.word_embeddings.weight"),
                Inputs::declare, Options::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Options options, String base, Inputs inputs) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        TokenGrid grid = inputs.text().grid();
        Value embedded = graph.inScope("embeddings", () -> embeddings(graph, parameters, options, base, inputs));
        Value mask = AttentionMask.additive(graph, inputs.text().attentionMask().orElse(null),
                AttentionDirection.BIDIRECTIONAL, grid);
        Value sequence = new LayerStack(base, "encoder.layer", options.layers()).apply(graph, embedded,
                (index, prefix, input) -> BertStyleLayer.load(graph, parameters, prefix, options.layerSettings())
                        .apply(graph, input, mask, grid));
        new BertHeads(build, config, inputs.text(), base, base + "pooler.dense",
                BertPredictionHead.CLS_PREDICTIONS, options).add(sequence);
    }

    /** LayoutLMEmbeddings, summed in its order, then LayerNorm; as rows {@code [batch × sequence, hidden]}. */
    private static Value embeddings(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                    Inputs inputs) {
        String prefix = base + "embeddings.";
        long hidden = options.hiddenSize();
        TextInputs text = inputs.text();
        Value xTable = parameters.tensor(prefix + "x_position_embeddings.weight", options.max2dPositions(), hidden);
        Value yTable = parameters.tensor(prefix + "y_position_embeddings.weight", options.max2dPositions(), hidden);
        Value hTable = parameters.tensor(prefix + "h_position_embeddings.weight", options.max2dPositions(), hidden);
        Value wTable = parameters.tensor(prefix + "w_position_embeddings.weight", options.max2dPositions(), hidden);
        Value typeTable = parameters.tensor(prefix + "token_type_embeddings.weight", options.typeVocabSize(), hidden);
        Value sum = graph.add(
                graph.gather(parameters.tensor(prefix + "word_embeddings.weight", options.vocabSize(), hidden),
                        text.inputIds(), 0),
                graph.gather(parameters.tensor(prefix + "position_embeddings.weight", options.maxPositions(), hidden),
                        text.grid().positions(graph), 0));
        if (inputs.bbox().isPresent()) {
            Value box = inputs.bbox().get();
            Value x0 = graph.gather(box, graph.scalar(0), 2);
            Value y0 = graph.gather(box, graph.scalar(1), 2);
            Value x1 = graph.gather(box, graph.scalar(2), 2);
            Value y1 = graph.gather(box, graph.scalar(3), 2);
            sum = graph.add(sum, graph.gather(xTable, x0, 0));
            sum = graph.add(sum, graph.gather(yTable, y0, 0));
            sum = graph.add(sum, graph.gather(xTable, x1, 0));
            sum = graph.add(sum, graph.gather(yTable, y1, 0));
            sum = graph.add(sum, graph.gather(hTable, graph.sub(y1, y0), 0));
            sum = graph.add(sum, graph.gather(wTable, graph.sub(x1, x0), 0));
        } else {
            // without bbox, LayoutLMModel uses zeros: every token adds row 0 of x, y (twice each), h and w
            Value zero = graph.scalar(0);
            Value boxRows = graph.add(graph.add(graph.add(graph.gather(xTable, zero, 0), graph.gather(yTable, zero, 0)),
                    graph.add(graph.gather(xTable, zero, 0), graph.gather(yTable, zero, 0))),
                    graph.add(graph.gather(hTable, zero, 0), graph.gather(wTable, zero, 0)));
            sum = graph.add(sum, boxRows);
        }
        // without token_type_ids, Transformers uses zeros: every token adds row 0
        Value types = text.tokenTypeIds()
                .map(ids -> graph.gather(typeTable, ids, 0))
                .orElseGet(() -> graph.gather(typeTable, graph.scalar(0), 0));
        sum = graph.add(sum, types);
        Value normalized = LayerNorm.load(parameters, prefix + "LayerNorm", hidden, options.layerNormEps())
                .apply(graph, sum);
        return graph.reshape(normalized, -1, hidden);
    }

    /**
     * The graph inputs in the interface's order: the token inputs of {@link TextInputs} and {@code bbox}
     * {@code [batch, sequence, 4]}, all integer tensors, seen by the graph as int64.
     */
    record Inputs(TextInputs text, Optional<Value> bbox) {
        /** input_ids, bbox ({@code [batch, sequence, 4]}), attention_mask and token_type_ids, through the binder. */
        static Inputs declare(GraphBuild build) {
            Dim batch = Dim.symbolic("batch_size");
            Dim sequence = Dim.symbolic("sequence_length");
            Kind integer = Kind.INTEGER;
            GraphInputs inputs = GraphInputs.declare(build, List.of(
                    Accepted.of(TextInputs.INPUT_IDS, integer, batch, sequence),
                    Accepted.of(BBOX, integer, batch, sequence, Dim.of(4)),
                    Accepted.of(TextInputs.ATTENTION_MASK, integer, batch, sequence),
                    Accepted.of(TextInputs.TOKEN_TYPE_IDS, integer, batch, sequence)));
            return new Inputs(TextInputs.of(build.graph(), inputs, TextInputs.Layout.SEQUENCES),
                    inputs.optional(BBOX));
        }
    }

    /** The LayoutLMConfig options the graph is built from. */
    record Options(long vocabSize, long hiddenSize, int layers, long typeVocabSize, long maxPositions,
                   long max2dPositions, double layerNormEps, Activation activation,
                   BertStyleLayer.Settings layerSettings, EmbeddingTie tie) implements BertHeads.Options {

        static Options read(ModelConfig config) {
            String source = config.source();
            String positionType = config.optionalString("position_embedding_type").orElse("absolute");
            if (!positionType.equals("absolute")) {
                throw new UnsupportedConfigException(source + " sets position_embedding_type \"" + positionType
                        + "\", which this exporter does not build for layoutlm (relative_key and relative_key_query "
                        + "add learned distance embeddings to the attention scores); only \"absolute\" is supported");
            }
            BertStyleLayer.Settings layer = BertStyleLayer.Settings.read(config,
                    BertStyleLayer.QueryKeyValueBias.PRESENT);
            long typeVocabSize = BertEmbeddings.typeVocabSize(config);
            int layers = LayerStack.count(config, "num_hidden_layers");
            return new Options(config.intValue("vocab_size"), layer.hiddenSize(), layers, typeVocabSize,
                    config.intValue("max_position_embeddings"), config.intValue("max_2d_position_embeddings"),
                    layer.layerNormEps(), layer.activation(), layer, EmbeddingTie.of(config));
        }
    }
}
