package org.exporters4j.models.convbert;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BertEmbeddings;
import org.exporters4j.models.blocks.BertPredictionHead;
import org.exporters4j.models.blocks.BertStyleEncoder;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.SequenceSummary;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.onnx.PadMode;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds ConvBERT graphs as Transformers 4.25.1 computes them in eval mode: ELECTRA-style embeddings of
 * {@code embedding_size} (projected to {@code hidden_size} when they differ), then layers whose attention mixes
 * {@code num_attention_heads / head_ratio} self-attention heads with as many span-based dynamic convolution heads
 * (a separable convolution of the keys times the query predicts a softmaxed {@code conv_kernel_size} kernel per
 * token and head, applied to a window of {@code conv_out_layer}), feed-forward layers that are grouped linear maps
 * when {@code num_groups > 1}, then the head.
 */
public final class ConvBertArchitecture extends EncoderArchitecture<TextInputs, ConvBertOptions> {
    public ConvBertArchitecture() {
        super("convbert", "convbert", TextEncoderHeads.ENCODER_HEADS,
                new BaseModel("convbert", "embeddings.word_embeddings.weight"), TextInputs::declareBert,
                ConvBertOptions::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, ConvBertOptions options, String base,
                              TextInputs inputs) {
        new Encoder(build, config, inputs, options, base).addOutputs();
    }

    /** One graph under construction. */
    private static final class Encoder extends BertStyleEncoder<ConvBertOptions> {
        Encoder(GraphBuild build, ModelConfig config, TextInputs inputs, ConvBertOptions options, String base) {
            super(build, config, inputs, base, options);
        }

        /** Word + position + token type embeddings, LayerNorm, then {@code embeddings_project}; as rows. */
        @Override
        protected Value embeddings() {
            long size = options.embeddingSize();
            BertEmbeddings tables = new BertEmbeddings(graph, parameters, base + "embeddings.", size);
            Value sum = graph.add(graph.add(tables.words(inputs, options.vocabSize()),
                    tables.positions(grid.positions(graph), options.maxPositions())),
                    tables.tokenTypes(inputs, options.typeVocabSize()));
            Value rows = tables.normalizedRows(sum, options.layerNormEps());
            if (size != options.hiddenSize()) {
                rows = Linear.load(parameters, base + "embeddings_project", size, options.hiddenSize())
                        .apply(graph, rows);
            }
            return rows;
        }

        /** One ConvBertLayer: mixed attention, output dense + LayerNorm; feed-forward + LayerNorm. */
        @Override
        protected Value layer(String prefix, Value rows, Value mask) {
            long hidden = options.hiddenSize();
            Value context = graph.inScope("attention.self", () -> mixedAttention(prefix + "attention.self.", rows,
                    mask));
            Value attended = LayerNorm.load(parameters, prefix + "attention.output.LayerNorm", hidden,
                    options.layerNormEps()).apply(graph, graph.add(Linear.load(parameters,
                    prefix + "attention.output.dense", hidden, hidden).apply(graph, context), rows));
            Value intermediate = options.hiddenActivation().apply(graph,
                    dense(prefix + "intermediate.dense", attended, hidden, options.intermediateSize()));
            Value output = dense(prefix + "output.dense", intermediate, options.intermediateSize(), hidden);
            return LayerNorm.load(parameters, prefix + "output.LayerNorm", hidden, options.layerNormEps())
                    .apply(graph, graph.add(output, attended));
        }

        /**
         * ConvBertSelfAttention: the self-attention heads' context beside the dynamic convolution heads' output,
         * rows {@code [batch × sequence, 2 × all_head_size]} (= hidden_size).
         */
        private Value mixedAttention(String prefix, Value rows, Value mask) {
            long hidden = options.hiddenSize();
            long allHeads = options.allHeadSize();
            long headSize = options.headSize();
            int kernel = options.convKernelSize();
            Value query = Linear.load(parameters, prefix + "query", hidden, allHeads).apply(graph, rows);
            Value key = Linear.load(parameters, prefix + "key", hidden, allHeads).apply(graph, rows);
            Value value = Linear.load(parameters, prefix + "value", hidden, allHeads).apply(graph, rows);
            // key_conv_attn_layer, a SeparableConv1D over the sequence: depthwise (padding kernel // 2), pointwise,
            // then its [all_head_size, 1] bias
            Value channels = graph.transpose(grid.unflatten(graph, rows, hidden), 0, 2, 1);
            long padding = kernel / 2;
            Value depthwise = graph.conv(channels,
                    parameters.tensor(prefix + "key_conv_attn_layer.depthwise.weight", hidden, 1, kernel),
                    Window.of(kernel).withPads(padding, padding), hidden);
            Value pointwise = graph.conv(depthwise,
                    parameters.tensor(prefix + "key_conv_attn_layer.pointwise.weight", allHeads, hidden, 1),
                    Window.of(1), 1);
            Value keyConvolution = graph.add(pointwise,
                    parameters.tensor(prefix + "key_conv_attn_layer.bias", allHeads, 1));
            Value keyConvolutionRows = graph.reshape(graph.transpose(keyConvolution, 0, 2, 1), -1, allHeads);
            // one softmaxed kernel per token and head, predicted from the convolved keys times the query
            Value kernels = Linear.load(parameters, prefix + "conv_kernel_layer", allHeads,
                    (long) options.attentionHeads() * kernel).apply(graph, graph.mul(keyConvolutionRows, query));
            kernels = graph.softmax(graph.reshape(kernels, -1, kernel, 1), 1);
            // conv_out_layer unfolded: each token sees the kernel-wide window around it (zero beyond the ends)
            Value convolutionInput = grid.unflatten(graph,
                    Linear.load(parameters, prefix + "conv_out_layer", hidden, allHeads).apply(graph, rows), allHeads);
            long windowPadding = (kernel - 1) / 2;
            Value padded = graph.pad(convolutionInput, PadMode.CONSTANT, 0, windowPadding, 0, 0, windowPadding, 0);
            Value length = graph.unsqueeze(grid.sequenceLength(graph), 0);
            List<Value> window = new ArrayList<>();
            for (int offset = 0; offset < kernel; offset++) {
                Value start = graph.constant(offset);
                Value shifted = graph.slice(padded, start, graph.add(start, length), graph.constant(1));
                window.add(graph.unsqueeze(shifted, 3));
            }
            Value unfolded = graph.reshape(graph.concat(3, window), -1, headSize, kernel);
            Value convolutionHeads = graph.reshape(graph.matMul(unfolded, kernels), -1, allHeads);
            Value attentionHeads = new ScaledDotProductAttention(options.attentionHeads(), headSize)
                    .context(graph, query, key, value, mask, grid);
            // torch.cat([context_layer, conv_out], 2) over [batch, sequence, heads, head_size], flattened
            return graph.concat(1, attentionHeads, convolutionHeads);
        }

        /** {@code nn.Linear}, or ConvBERT's GroupedLinearLayer when {@code num_groups > 1}. */
        private Value dense(String prefix, Value rows, long in, long out) {
            int groups = options.groups();
            if (groups == 1) {
                return Linear.load(parameters, prefix, in, out).apply(graph, rows);
            }
            // weight [groups, in / groups, out / groups]: each group of input features maps to its group of outputs
            Value weight = parameters.tensor(prefix + ".weight", groups, in / groups, out / groups);
            Value grouped = graph.transpose(graph.reshape(rows, -1, groups, in / groups), 1, 0, 2);
            Value mapped = graph.transpose(graph.matMul(grouped, weight), 1, 0, 2);
            return graph.add(graph.reshape(mapped, -1, out), parameters.tensor(prefix + ".bias", out));
        }

        @Override
        protected Value choiceScores(Value rows) {
            long hidden = options.hiddenSize();
            return Linear.load(parameters, "classifier", parameters.dimension("classifier.weight", 1), 1)
                    .apply(graph, SequenceSummary.load(config, parameters, "sequence_summary", hidden)
                            .apply(graph, grid, rows, hidden));
        }

        /** ConvBertClassificationHead: dense, {@code hidden_act}, out_proj on the first token. */
        @Override
        protected Optional<Activation> denseClassifierActivation() {
            return Optional.of(options.hiddenActivation());
        }

        /**
         * ConvBertGeneratorPredictions (dense to {@code embedding_size}, GELU, LayerNorm) and
         * {@code generator_lm_head}, whose weight is the word-embedding table when {@code tie_word_embeddings}.
         */
        @Override
        protected Value languageModelLogits(Value rows) {
            return BertPredictionHead.GENERATOR.logits(graph, parameters, base + "embeddings.word_embeddings.weight",
                    options.tie(), options.hiddenSize(), options.embeddingSize(), options.vocabSize(), Activation.GELU,
                    options.layerNormEps(), rows);
        }
    }
}
