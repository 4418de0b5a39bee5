package org.exporters4j.models.deberta;

import java.util.Objects;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BertPredictionHead;
import org.exporters4j.models.blocks.BertStyleLayer;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds DeBERTa graphs (deberta, deberta-v2) from the checkpoint's weights, as Transformers 4.25.1 computes the
 * model in eval mode: embeddings (word, absolute positions when {@code position_biased_input}, token types when
 * {@code type_vocab_size > 0}, the bias-free {@code embed_proj} when {@code embedding_size ≠ hidden_size},
 * LayerNorm, then zeroed at masked tokens), {@code num_hidden_layers} layers of disentangled attention
 * ({@link DisentangledAttention}; post-LayerNorm residuals, feed-forward with {@code hidden_act}), v2's
 * convolution after the first layer, then the head. Dropout ({@code StableDropout}) is the identity at inference.
 */
public final class DebertaArchitecture extends EncoderArchitecture<TextInputs, DebertaOptions> {
    private final DebertaVersion version;

    public DebertaArchitecture(DebertaVersion version) {
        super(version.modelType(), "deberta", version.heads(),
                new BaseModel("deberta", "embeddings.word_embeddings.weight"), TextInputs::declareBert,
                config -> DebertaOptions.read(config, version));
        this.version = Objects.requireNonNull(version, "version");
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, DebertaOptions options, String base,
                              TextInputs inputs) {
        Encoder encoder = new Encoder(build, config, inputs, options, base);
        encoder.add(encoder.encode(inputs));
    }

    /** One graph under construction. */
    private static final class Encoder extends TextEncoderHeads {
        private final DebertaOptions options;

        Encoder(GraphBuild build, ModelConfig config, TextInputs inputs, DebertaOptions options, String base) {
            super(build, config, inputs, base, options.hiddenSize(), options.vocabSize());
            this.options = options;
        }

        /** Embeddings and layers: the last hidden state as rows {@code [batch × sequence, hidden]}. */
        Value encode(TextInputs inputs) {
            // DebertaModel: a missing attention mask is all ones
            Value mask = inputs.attentionMask()
                    .orElseGet(() -> graph.constantOfShape(grid.batchAndSequence(), ElementType.INT64, 1.0));
            // the mask as a float column over hidden: embeddings and ConvLayer outputs are multiplied by it
            Value maskColumn = graph.reshape(graph.cast(mask, ElementType.FLOAT), -1, 1);
            Value rows = graph.inScope("embeddings", () -> embeddings(inputs, maskColumn));
            // get_attention_mask: mask[:, None, None, :] * mask[:, None, :, None], as bytes, non-zero = attend
            Value attends = graph.not(graph.equal(mask, graph.scalar(0)));
            Value pairMask = graph.and(graph.unsqueeze(attends, 1, 2), graph.unsqueeze(attends, 1, 3));
            Optional<RelativePositions> relative = options.relative().map(settings -> graph.inScope("encoder",
                    () -> RelativePositions.build(graph, parameters, options, settings, base, grid)));
            LayerStack stack = new LayerStack(base, "encoder.layer", options.layers());
            return stack.apply(graph, rows, (index, prefix, input) -> {
                Value output = layer(prefix, input, pairMask, relative);
                // DebertaV2Encoder: the ConvLayer joins after the first layer, over the embeddings
                return index == 0 && options.convolution().isPresent()
                        ? convolution(options.convolution().get(), rows, output, mask, maskColumn)
                        : output;
            });
        }

        /** Word (+ position) (+ token type) embeddings, projection, LayerNorm, times the mask; as rows. */
        private Value embeddings(TextInputs inputs, Value maskColumn) {
            String prefix = base + "embeddings.";
            long size = options.embeddingSize();
            Value sum = graph.gather(parameters.tensor(prefix + "word_embeddings.weight", options.vocabSize(), size),
                    inputs.inputIds(), 0);
            if (options.positionInput() == DebertaOptions.PositionInput.ADDED) {
                sum = graph.add(sum, graph.gather(parameters.tensor(prefix + "position_embeddings.weight",
                        options.maxPositions(), size), grid.positions(graph), 0));
            }
            if (options.typeVocabSize() > 0) {
                Value table = parameters.tensor(prefix + "token_type_embeddings.weight", options.typeVocabSize(), size);
                // without token_type_ids, DebertaModel passes zeros: every token adds row 0
                sum = graph.add(sum, inputs.tokenTypeIds()
                        .map(ids -> graph.gather(table, ids, 0))
                        .orElseGet(() -> graph.gather(table, graph.scalar(0), 0)));
            }
            Value rows = graph.reshape(sum, -1, size);
            if (size != options.hiddenSize()) {
                rows = Linear.load(parameters, prefix + "embed_proj", size, options.hiddenSize(), Bias.WITHOUT_BIAS)
                        .applyToLastAxis(graph, rows);
            }
            Value normalized = LayerNorm.load(parameters, prefix + "LayerNorm", options.hiddenSize(),
                    options.layerNormEps()).apply(graph, rows);
            return graph.mul(normalized, maskColumn);
        }

        /** One DebertaLayer / DebertaV2Layer: attention, output dense + LayerNorm; feed-forward + LayerNorm. */
        private Value layer(String prefix, Value rows, Value pairMask, Optional<RelativePositions> relative) {
            long hidden = options.hiddenSize();
            Value context = graph.inScope("attention.self", () -> new DisentangledAttention(graph, parameters,
                    options, grid, prefix + "attention.self.").apply(rows, pairMask, relative));
            return BertStyleLayer.afterAttention(graph, parameters, prefix, context, rows, hidden,
                    options.intermediateSize(), options.hiddenActivation(), options.layerNormEps());
        }

        /**
         * DeBERTa-v2's ConvLayer: a 1-D convolution over the encoder's input (padding {@code (k − 1) / 2}, grouped),
         * zeroed at masked tokens, {@code conv_act}, added to the first layer's output, LayerNorm, times the mask.
         */
        private Value convolution(DebertaOptions.Convolution settings, Value embedded, Value residual, Value mask,
                                  Value maskColumn) {
            long hidden = options.hiddenSize();
            String prefix = base + "encoder.conv.";
            int kernel = settings.kernelSize();
            long padding = (kernel - 1) / 2;
            Value channels = graph.transpose(grid.unflatten(graph, embedded, hidden), 0, 2, 1);
            Value convolved = graph.conv(channels,
                    parameters.tensor(prefix + "conv.weight", hidden, hidden / settings.groups(), kernel),
                    parameters.tensor(prefix + "conv.bias", hidden),
                    Window.of(kernel).withPads(padding, padding), settings.groups());
            Value out = graph.reshape(graph.transpose(convolved, 0, 2, 1), -1, hidden);
            // rmask = (1 - input_mask).bool(): a token is kept where its mask is exactly 1
            Value keep = graph.reshape(graph.equal(mask, graph.scalar(1)), -1, 1);
            out = settings.activation().apply(graph, graph.where(keep, out, graph.scalar(ElementType.FLOAT, 0.0)));
            Value normalized = LayerNorm.load(parameters, prefix + "LayerNorm", hidden, options.layerNormEps())
                    .apply(graph, graph.add(residual, out));
            return graph.mul(normalized, maskColumn);
        }

        /** ContextPooler: {@code pooler_hidden_act(pooler.dense(first token))}. */
        @Override
        protected Value classifierInput(Value rows) {
            long hidden = options.hiddenSize();
            return options.poolerActivation().apply(graph, Linear.load(parameters, "pooler.dense", hidden, hidden)
                    .apply(graph, EncoderHeads.firstToken(graph, grid, rows, hidden)));
        }

        /**
         * {@code cls.predictions}: transform (dense to {@code embedding_size}, {@code hidden_act}, LayerNorm), then
         * the decoder, which is the word-embedding table when {@code tie_word_embeddings}, and the bias.
         */
        @Override
        protected Value languageModelLogits(Value rows) {
            return BertPredictionHead.CLS_PREDICTIONS.logits(graph, parameters,
                    base + "embeddings.word_embeddings.weight", options.tie(), options.hiddenSize(),
                    options.embeddingSize(), options.vocabSize(), options.hiddenActivation(), options.layerNormEps(),
                    rows);
        }
    }
}
