package org.exporters4j.models.albert;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BertEmbeddings;
import org.exporters4j.models.blocks.BertHeads;
import org.exporters4j.models.blocks.BertPredictionHead;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.blocks.TransformerLayer;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds ALBERT graphs as Transformers 4.25.1 computes them in eval mode: embeddings of {@code embedding_size}
 * (word + token type + position, LayerNorm), the projection to {@code hidden_size}, then for each of
 * {@code num_hidden_layers} layers the group {@code int(i / (num_hidden_layers / num_hidden_groups))}, whose
 * {@code inner_group_num} layers run in turn (the same weights serve every layer of a group: one initializer each),
 * then the head. The attention is never causal ({@code AlbertModel} ignores {@code is_decoder}).
 */
public final class AlbertArchitecture extends EncoderArchitecture<TextInputs, AlbertArchitecture.Options> {
    /** One AlbertLayer: attention (its dense and LayerNorm included), then ffn, ffn_output and the full-layer norm. */
    private static final TransformerLayer.Names LAYER = new TransformerLayer.Names("attention.query",
            "attention.key", "attention.value", "attention.dense", "attention.LayerNorm", "ffn", "ffn_output",
            "full_layer_layer_norm");

    public AlbertArchitecture() {
        super("albert", "albert", TextEncoderHeads.ENCODER_HEADS,
                new BaseModel("albert", "embeddings.word_embeddings.weight"), TextInputs::declareBert, Options::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Options options, String base, TextInputs inputs) {
        Value encoded = encode(build.graph(), build.parameters(), options, base, inputs);
        new BertHeads(build, config, inputs, base, base + "pooler", BertPredictionHead.ALBERT_PREDICTIONS, options)
                .add(encoded);
    }

    private static Value encode(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                TextInputs inputs) {
        TokenGrid grid = inputs.grid();
        String embeddings = base + "embeddings.";
        long size = options.embeddingSize();
        long hidden = options.hiddenSize();
        Value embedded = graph.inScope("embeddings", () -> {
            BertEmbeddings tables = new BertEmbeddings(graph, parameters, embeddings, size);
            return tables.normalizedRows(graph.add(graph.add(tables.words(inputs, options.vocabSize()),
                    tables.tokenTypes(inputs, options.typeVocabSize())),
                    tables.positions(grid.positions(graph), options.maxPositions())), options.layerNormEps());
        });
        Value rows = graph.inScope("encoder", () -> Linear.load(parameters,
                base + "encoder.embedding_hidden_mapping_in", size, hidden).apply(graph, embedded));
        Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null),
                AttentionDirection.BIDIRECTIONAL, grid);
        TransformerLayer.Settings settings = new TransformerLayer.Settings(hidden, options.heads(),
                options.intermediateSize(), options.activation(), options.layerNormEps(), TransformerLayer.Norms.POST);
        for (int layer = 0; layer < options.layers(); layer++) {
            // AlbertTransformer.forward: group_idx = int(i / (num_hidden_layers / num_hidden_groups))
            int group = (int) (layer / ((double) options.layers() / options.groups()));
            for (int inner = 0; inner < options.innerGroupLayers(); inner++) {
                String prefix = base + "encoder.albert_layer_groups." + group + ".albert_layers." + inner + ".";
                Value input = rows;
                rows = graph.inScope("layer." + layer + "." + inner,
                        () -> TransformerLayer.load(parameters, prefix, LAYER, settings).apply(graph, input, mask,
                                grid));
            }
        }
        return rows;
    }

    /** The AlbertConfig options the graph is built from. */
    record Options(long vocabSize, long embeddingSize, long hiddenSize, int layers, int groups,
                   int innerGroupLayers, int heads, long intermediateSize, Activation activation,
                   long typeVocabSize, long maxPositions, double layerNormEps, EmbeddingTie tie)
        implements BertHeads.Options {

        static Options read(ModelConfig config) {
            String source = config.source();
            String positionType = config.optionalString("position_embedding_type").orElse("absolute");
            if (!positionType.equals("absolute")) {
                throw new UnsupportedConfigException(source + " sets position_embedding_type \"" + positionType
                        + "\", which this exporter does not build for albert; only \"absolute\" is supported");
            }
            AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
            long hidden = split.width();
            int heads = split.heads();
            int layers = config.intValue("num_hidden_layers");
            int groups = config.intValue("num_hidden_groups");
            if (groups < 1 || groups > Math.max(layers, 1)) {
                throw new UnsupportedConfigException(source + " sets num_hidden_groups " + groups + " for "
                        + layers + " layers; it must be between 1 and num_hidden_layers");
            }
            long typeVocabSize = BertEmbeddings.typeVocabSize(config);
            return new Options(config.intValue("vocab_size"), config.intValue("embedding_size"), hidden, layers,
                    groups, config.intValue("inner_group_num"), heads, config.intValue("intermediate_size"),
                    Activation.fromConfig(config, "hidden_act"), typeVocabSize,
                    config.intValue("max_position_embeddings"), config.doubleValue("layer_norm_eps"),
                    EmbeddingTie.of(config));
        }
    }
}
