package org.exporters4j.models.albert;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.SelfAttention;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds ALBERT graphs as Transformers 4.25.1 computes them in eval mode: embeddings of {@code embedding_size}
 * (word + token type + position, LayerNorm), the projection to {@code hidden_size}, then for each of
 * {@code num_hidden_layers} layers the group {@code int(i / (num_hidden_layers / num_hidden_groups))}, whose
 * {@code inner_group_num} layers run in turn (the same weights serve every layer of a group: one initializer each),
 * then the head. The attention is never causal ({@code AlbertModel} ignores {@code is_decoder}).
 */
public final class AlbertArchitecture extends FamilyArchitecture {
    private static final List<String> INPUTS =
            List.of(TextInputs.INPUT_IDS, TextInputs.ATTENTION_MASK, TextInputs.TOKEN_TYPE_IDS);
    private static final Set<Head> HEADS = TextEncoderHeads.ENCODER_HEADS;

    public AlbertArchitecture() {
        super("albert", "albert", withoutPast(HEADS));
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        Options options = Options.read(config);
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        String base = parameters.basePrefix("albert", "embeddings.word_embeddings.weight");
        TextInputs inputs = TextInputs.declare(build, variant.head(), INPUTS);
        TokenGrid grid = inputs.grid();
        Value rows = encode(graph, parameters, options, base, inputs);
        long hidden = options.hiddenSize();
        // AlbertModel.pooler: tanh(pooler(first token)).
        Supplier<Value> pooled = () -> EncoderHeads.tanhPooler(graph, parameters, base + "pooler", grid, rows,
                hidden);
        TextEncoderHeads heads = new TextEncoderHeads(graph, parameters, config, inputs, rows, hidden)
                .languageModel(options.vocabSize(), () -> maskedLmLogits(graph, parameters, options, base, rows))
                .sequenceClassification("classifier.weight",
                        labels -> Linear.load(parameters, "classifier", hidden, labels).apply(graph, pooled.get()))
                .multipleChoice(() -> Linear.load(parameters, "classifier", hidden, 1).apply(graph, pooled.get()));
        if (parameters.contains(base + "pooler.weight")) {
            heads.pooler(pooled);
        }
        heads.add(variant.head(), build.outputs(), "albert");
    }

    private static Value encode(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                TextInputs inputs) {
        TokenGrid grid = inputs.grid();
        String embeddings = base + "embeddings.";
        long size = options.embeddingSize();
        long hidden = options.hiddenSize();
        Value embedded = graph.inScope("embeddings", () -> {
            Value words = graph.gather(parameters.tensor(embeddings + "word_embeddings.weight", options.vocabSize(),
                    size), inputs.inputIds(), 0);
            Value typeTable = parameters.tensor(embeddings + "token_type_embeddings.weight", options.typeVocabSize(),
                    size);
            Value types = inputs.tokenTypeIds()
                    .map(ids -> graph.gather(typeTable, ids, 0))
                    .orElseGet(() -> graph.gather(typeTable, graph.scalar(0), 0));
            Value positions = graph.gather(parameters.tensor(embeddings + "position_embeddings.weight",
                    options.maxPositions(), size), grid.positions(graph), 0);
            return LayerNorm.load(parameters, embeddings + "LayerNorm", size, options.layerNormEps())
                    .apply(graph, graph.add(graph.add(words, types), positions));
        });
        Value rows = graph.inScope("encoder", () -> Linear.load(parameters,
                base + "encoder.embedding_hidden_mapping_in", size, hidden)
                .apply(graph, graph.reshape(embedded, -1, size)));
        Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null),
                AttentionDirection.BIDIRECTIONAL, grid);
        for (int layer = 0; layer < options.layers(); layer++) {
            // AlbertTransformer.forward: group_idx = int(i / (num_hidden_layers / num_hidden_groups))
            int group = (int) (layer / ((double) options.layers() / options.groups()));
            for (int inner = 0; inner < options.innerGroupLayers(); inner++) {
                String prefix = base + "encoder.albert_layer_groups." + group + ".albert_layers." + inner + ".";
                Value input = rows;
                rows = graph.inScope("layer." + layer + "." + inner,
                        () -> layer(graph, parameters, options, prefix, input, mask, grid));
            }
        }
        return rows;
    }

    /** One AlbertLayer: attention (its dense and LayerNorm included), then ffn, ffn_output and the full-layer norm. */
    private static Value layer(OnnxGraphBuilder graph, Parameters parameters, Options options, String prefix,
                               Value rows, Value mask, TokenGrid grid) {
        long hidden = options.hiddenSize();
        SelfAttention attention = new SelfAttention(
                Linear.load(parameters, prefix + "attention.query", hidden, hidden),
                Linear.load(parameters, prefix + "attention.key", hidden, hidden),
                Linear.load(parameters, prefix + "attention.value", hidden, hidden),
                Linear.load(parameters, prefix + "attention.dense", hidden, hidden),
                options.heads(), hidden / options.heads());
        Value attended = LayerNorm.load(parameters, prefix + "attention.LayerNorm", hidden, options.layerNormEps())
                .apply(graph, graph.add(rows, attention.apply(graph, rows, mask, grid)));
        Value intermediate = options.activation().apply(graph,
                Linear.load(parameters, prefix + "ffn", hidden, options.intermediateSize()).apply(graph, attended));
        Value output = Linear.load(parameters, prefix + "ffn_output", options.intermediateSize(), hidden)
                .apply(graph, intermediate);
        return LayerNorm.load(parameters, prefix + "full_layer_layer_norm", hidden, options.layerNormEps())
                .apply(graph, graph.add(output, attended));
    }

    /** AlbertMLMHead: dense to embedding_size, hidden_act, LayerNorm, decoder (tied to the word embeddings). */
    private static Value maskedLmLogits(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                        Value rows) {
        long size = options.embeddingSize();
        Value dense = options.activation().apply(graph,
                Linear.load(parameters, "predictions.dense", options.hiddenSize(), size).apply(graph, rows));
        Value normalized = LayerNorm.load(parameters, "predictions.LayerNorm", size, options.layerNormEps())
                .apply(graph, dense);
        String weight = options.tie().decoderWeight(base + "embeddings.word_embeddings.weight",
                "predictions.decoder.weight");
        Linear decoder = new Linear(parameters.tensor(weight, options.vocabSize(), size),
                parameters.tensor(parameters.firstPresent("predictions.bias", "predictions.decoder.bias"),
                        options.vocabSize()), size, options.vocabSize());
        return decoder.apply(graph, normalized);
    }

    /** The AlbertConfig options the graph is built from. */
    private record Options(long vocabSize, long embeddingSize, long hiddenSize, int layers, int groups,
                           int innerGroupLayers, int heads, long intermediateSize, Activation activation,
                           long typeVocabSize, long maxPositions, double layerNormEps, EmbeddingTie tie) {

        static Options read(ModelConfig config) {
            String source = config.source();
            String positionType = config.optionalString("position_embedding_type").orElse("absolute");
            if (!positionType.equals("absolute")) {
                throw new UnsupportedConfigException(source + " sets position_embedding_type \"" + positionType
                        + "\", which this exporter does not build for albert; only \"absolute\" is supported");
            }
            long hidden = config.intValue("hidden_size");
            int heads = config.intValue("num_attention_heads");
            if (heads <= 0 || hidden % heads != 0) {
                throw new UnsupportedConfigException(source + ": hidden_size " + hidden + " is not a multiple of "
                        + "num_attention_heads " + heads + "; Transformers refuses this config too");
            }
            int layers = config.intValue("num_hidden_layers");
            int groups = config.intValue("num_hidden_groups");
            if (groups < 1 || groups > Math.max(layers, 1)) {
                throw new UnsupportedConfigException(source + " sets num_hidden_groups " + groups + " for "
                        + layers + " layers; it must be between 1 and num_hidden_layers");
            }
            long typeVocabSize = config.intValue("type_vocab_size");
            if (typeVocabSize < 1) {
                throw new UnsupportedConfigException(source + " sets type_vocab_size " + typeVocabSize + ": the albert "
                        + "embeddings always add token type 0's embedding; set type_vocab_size to 1 or more");
            }
            return new Options(config.intValue("vocab_size"), config.intValue("embedding_size"), hidden, layers,
                    groups, config.intValue("inner_group_num"), heads, config.intValue("intermediate_size"),
                    Activation.fromConfig(config, "hidden_act"), typeVocabSize,
                    config.intValue("max_position_embeddings"), config.doubleValue("layer_norm_eps"),
                    EmbeddingTie.of(config));
        }
    }
}
