package org.exporters4j.models.squeezebert;

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
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds SqueezeBERT graphs as Transformers 4.25.1's {@code modeling_squeezebert.py} computes them in eval mode:
 * BERT's embeddings, then layers that work on {@code [batch, channels, sequence]} with grouped 1-D convolutions of
 * kernel 1 in place of linear layers — query, key and value ({@code q_groups}, {@code k_groups}, {@code v_groups}),
 * {@code post_attention} ({@code post_attention_groups}) with a residual LayerNorm over the channels,
 * {@code intermediate} ({@code intermediate_groups}, {@code hidden_act}) and {@code output} ({@code output_groups})
 * with another — then BERT's pooler and heads on {@code [batch, sequence, hidden]}.
 */
public final class SqueezeBertArchitecture extends EncoderArchitecture<TextInputs, SqueezeBertArchitecture.Options> {
    /** Every SqueezeBERT convolution has kernel size 1: a grouped linear map of the channels at each position. */
    private static final Window POINTWISE = Window.of(1);

    public SqueezeBertArchitecture() {
        super("squeezebert", "squeezebert", TextEncoderHeads.ENCODER_HEADS,
                new BaseModel("transformer", "embeddings.word_embeddings.weight"), TextInputs::declareBert,
                Options::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Options options, String base, TextInputs inputs) {
        Value encoded = new Encoder(build.graph(), build.parameters(), options, inputs.grid()).encode(base, inputs);
        new BertHeads(build, config, inputs, base, base + "pooler.dense",
                BertPredictionHead.CLS_PREDICTIONS, options).add(encoded);
    }

    /** One graph under construction. */
    private record Encoder(OnnxGraphBuilder graph, Parameters parameters, Options options, TokenGrid grid) {

        /** Embeddings and layers: the last hidden state as rows {@code [batch × sequence, hidden]}. */
        Value encode(String base, TextInputs inputs) {
            long hidden = options.hiddenSize();
            Value embedded = graph.inScope("embeddings", () -> {
                BertEmbeddings tables = new BertEmbeddings(graph, parameters, base + "embeddings.", hidden);
                return LayerNorm.load(parameters, base + "embeddings.LayerNorm", hidden, options.layerNormEps())
                        .apply(graph, graph.add(graph.add(tables.words(inputs, options.vocabSize()),
                                tables.positions(grid.positions(graph), options.maxPositions())),
                                tables.tokenTypes(inputs, options.typeVocabSize())));
            });
            Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null), options.direction(), grid);
            // [batch, sequence, hidden] → [batch, hidden, sequence], as SqueezeBertEncoder permutes
            Value channels = graph.transpose(embedded, 0, 2, 1);
            Value encoded = new LayerStack(base, "encoder.layers", options.layers())
                    .apply(graph, channels, (index, prefix, input) -> layer(prefix, input, mask));
            return graph.reshape(graph.transpose(encoded, 0, 2, 1), -1, hidden);
        }

        /** SqueezeBertModule on {@code [batch, hidden, sequence]}. */
        private Value layer(String prefix, Value states, Value mask) {
            long hidden = options.hiddenSize();
            int heads = options.heads();
            long headSize = hidden / heads;
            Value query = convolution(prefix + "attention.query", states, hidden, hidden, options.queryGroups());
            Value key = convolution(prefix + "attention.key", states, hidden, hidden, options.keyGroups());
            Value value = convolution(prefix + "attention.value", states, hidden, hidden, options.valueGroups());
            // [batch, heads, head_size, sequence]: keys stay so; queries and values become [batch, heads, sequence, head_size]
            Value q = graph.transpose(graph.reshape(query, 0, heads, headSize, -1), 0, 1, 3, 2);
            Value k = graph.reshape(key, 0, heads, headSize, -1);
            Value v = graph.transpose(graph.reshape(value, 0, heads, headSize, -1), 0, 1, 3, 2);
            Value attended = ScaledDotProductAttention.attend(graph, q, k, v, ScoreScale.bySquareRootOf(headSize),
                    ScaledDotProductAttention.additive(graph, mask));
            Value context = graph.reshape(graph.transpose(attended, 0, 1, 3, 2), 0, hidden, -1);
            Value normalized = channelNorm(prefix + "post_attention.layernorm", graph.add(convolution(
                    prefix + "post_attention.conv1d", context, hidden, hidden, options.postAttentionGroups()), states));
            Value intermediate = options.activation().apply(graph, convolution(prefix + "intermediate.conv1d",
                    normalized, hidden, options.intermediateSize(), options.intermediateGroups()));
            return channelNorm(prefix + "output.layernorm", graph.add(convolution(prefix + "output.conv1d",
                    intermediate, options.intermediateSize(), hidden, options.outputGroups()), normalized));
        }

        /** {@code nn.Conv1d(in, out, kernel_size=1, groups)}: weight {@code [out, in / groups, 1]}, bias {@code [out]}. */
        private Value convolution(String prefix, Value x, long in, long out, int groups) {
            Value weight = parameters.tensor(prefix + ".weight", out, in / groups, 1);
            Value bias = parameters.tensor(prefix + ".bias", out);
            return graph.conv(x, weight, bias, POINTWISE, groups);
        }

        /** SqueezeBertLayerNorm: LayerNorm over the channels of {@code [batch, channels, sequence]}. */
        private Value channelNorm(String prefix, Value x) {
            Value normalized = LayerNorm.load(parameters, prefix, options.hiddenSize(), options.layerNormEps())
                    .apply(graph, graph.transpose(x, 0, 2, 1));
            return graph.transpose(normalized, 0, 2, 1);
        }
    }

    /** The SqueezeBertConfig options the graph is built from. */
    record Options(long vocabSize, long hiddenSize, int layers, int heads, long intermediateSize,
                   long typeVocabSize, long maxPositions, double layerNormEps, Activation activation,
                   int queryGroups, int keyGroups, int valueGroups, int postAttentionGroups,
                   int intermediateGroups, int outputGroups, AttentionDirection direction, EmbeddingTie tie)
        implements BertHeads.Options {

        static Options read(ModelConfig config) {
            String source = config.source();
            long hidden = config.intValue("hidden_size");
            long embeddingSize = config.intValue("embedding_size");
            if (embeddingSize != hidden) {
                throw new UnsupportedConfigException(source + " sets embedding_size " + embeddingSize + " and "
                        + "hidden_size " + hidden + ": SqueezeBertEncoder requires them equal (Transformers asserts "
                        + "it); set embedding_size to " + hidden);
            }
            int heads = AttentionHeads.of(config, "hidden_size", hidden, "num_attention_heads").heads();
            long intermediate = config.intValue("intermediate_size");
            int queryGroups = groups(config, "q_groups", hidden, hidden);
            int keyGroups = groups(config, "k_groups", hidden, hidden);
            int valueGroups = groups(config, "v_groups", hidden, hidden);
            int postAttentionGroups = groups(config, "post_attention_groups", hidden, hidden);
            int intermediateGroups = groups(config, "intermediate_groups", hidden, intermediate);
            int outputGroups = groups(config, "output_groups", intermediate, hidden);
            long typeVocabSize = BertEmbeddings.typeVocabSize(config);
            int layers = LayerStack.count(config, "num_hidden_layers");
            // get_extended_attention_mask makes the mask causal when is_decoder, whatever the model
            boolean decoder = config.optionalBoolean("is_decoder").orElse(false);
            return new Options(config.intValue("vocab_size"), hidden, layers, heads, intermediate, typeVocabSize,
                    config.intValue("max_position_embeddings"), config.doubleValue("layer_norm_eps"),
                    Activation.fromConfig(config, "hidden_act"), queryGroups, keyGroups, valueGroups,
                    postAttentionGroups, intermediateGroups, outputGroups,
                    decoder ? AttentionDirection.CAUSAL : AttentionDirection.BIDIRECTIONAL, EmbeddingTie.of(config));
        }

        /** A convolution's group count, which must divide its input and output channels (as nn.Conv1d requires). */
        private static int groups(ModelConfig config, String option, long in, long out) {
            int groups = config.intValue(option);
            if (groups < 1 || in % groups != 0 || out % groups != 0) {
                throw new UnsupportedConfigException(config.source() + " sets " + option + " " + groups + ", which "
                        + "does not divide the convolution's " + in + " input and " + out + " output channels "
                        + "(nn.Conv1d refuses it too); choose a common divisor");
            }
            return groups;
        }
    }
}
