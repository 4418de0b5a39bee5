package org.exporters4j.models.mobilebert;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BertStyleEncoder;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.onnx.PadMode;
import org.exporters4j.onnx.Transposition;
import org.exporters4j.onnx.Value;

/**
 * Builds MobileBERT graphs as Transformers 4.25.1 computes them in eval mode: embeddings of {@code embedding_size}
 * (as trigrams when {@code trigram_input}: each token's embedding beside its neighbours'), {@code
 * embedding_transformation} to {@code hidden_size}, position and token type embeddings, the norm; then per layer the
 * bottlenecks down to {@code true_hidden_size}, self-attention, {@code num_feedforward_networks − 1} extra
 * feed-forward networks, the last feed-forward network and the output bottleneck back to {@code hidden_size}; then
 * the head. Norms are {@code NoNorm} or LayerNorm ({@code normalization_type}).
 */
public final class MobileBertArchitecture extends EncoderArchitecture<TextInputs, MobileBertOptions> {
    public MobileBertArchitecture() {
        super("mobilebert", "mobilebert", TextEncoderHeads.ENCODER_HEADS,
                new BaseModel("mobilebert", "embeddings.word_embeddings.weight"), TextInputs::declareBert,
                MobileBertOptions::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, MobileBertOptions options, String base,
                              TextInputs inputs) {
        new Encoder(build, config, inputs, options, base).addOutputs();
    }

    /** One graph under construction. */
    private static final class Encoder extends BertStyleEncoder<MobileBertOptions> {
        Encoder(GraphBuild build, ModelConfig config, TextInputs inputs, MobileBertOptions options, String base) {
            super(build, config, inputs, base, options);
        }

        /** MobileBertEmbeddings, as rows {@code [batch × sequence, hidden]}. */
        @Override
        protected Value embeddings() {
            String prefix = base + "embeddings.";
            long size = options.embeddingSize();
            long hidden = options.hiddenSize();
            Value words = graph.gather(parameters.tensor(prefix + "word_embeddings.weight", options.vocabSize(), size),
                    inputs.inputIds(), 0);
            long width = size;
            if (options.tokenInput() == MobileBertOptions.TokenInput.TRIGRAM) {
                // [next token (zero after the last), the token, previous token (zero before the first)]
                Value next = graph.pad(graph.slice(words, 1, 1, Long.MAX_VALUE), PadMode.CONSTANT, 0, 0, 0, 0, 1, 0);
                Value previous = graph.pad(graph.slice(words, 1, 0, -1), PadMode.CONSTANT, 0, 1, 0, 0, 0, 0);
                words = graph.concat(2, next, words, previous);
                width = 3 * size;
            }
            Value rows = graph.reshape(words, -1, width);
            if (options.tokenInput() == MobileBertOptions.TokenInput.TRIGRAM || size != hidden) {
                rows = Linear.load(parameters, prefix + "embedding_transformation", width, hidden).apply(graph, rows);
            }
            Value positions = graph.gather(parameters.tensor(prefix + "position_embeddings.weight",
                    options.maxPositions(), hidden), grid.positions(graph), 0);
            Value typeTable = parameters.tensor(prefix + "token_type_embeddings.weight", options.typeVocabSize(),
                    hidden);
            // without token_type_ids, MobileBertEmbeddings uses zeros: every token adds row 0
            Value types = inputs.tokenTypeIds()
                    .map(ids -> graph.gather(typeTable, ids, 0))
                    .orElseGet(() -> graph.gather(typeTable, graph.scalar(0), 0));
            Value sum = graph.add(graph.add(grid.unflatten(graph, rows, hidden), positions), types);
            // NORM2FN[normalization_type](hidden_size): built without eps
            Value normalized = norm(prefix + "LayerNorm", hidden, Normalization.TORCH_DEFAULT_EPSILON)
                    .apply(graph, sum);
            return graph.reshape(normalized, -1, hidden);
        }

        /** One MobileBertLayer on rows {@code [batch × sequence, hidden]}. */
        @Override
        protected Value layer(String prefix, Value rows, Value mask) {
            long hidden = options.hiddenSize();
            long inner = options.trueHiddenSize();
            double eps = options.layerNormEps();
            Value query = rows;
            Value key = rows;
            Value value = rows;
            Value residual = rows;
            if (options.attentionInputs() != MobileBertOptions.AttentionInputs.NO_BOTTLENECK) {
                residual = bottleneck(prefix + "bottleneck.input", rows);
                switch (options.attentionInputs()) {
                    case BOTTLENECKED -> {
                        query = residual;
                        key = residual;
                        value = residual;
                    }
                    case SHARED_QUERY_KEY_BOTTLENECK -> {
                        query = bottleneck(prefix + "bottleneck.attention", rows);
                        key = query;
                    }
                    default -> { }
                }
            }
            long valueWidth = options.attentionInputs() == MobileBertOptions.AttentionInputs.BOTTLENECKED ? inner
                    : hidden;
            Value context = attention(prefix + "attention.self.", query, key, value, valueWidth, mask);
            Value attended = norm(prefix + "attention.output.LayerNorm", inner, eps).apply(graph, graph.add(
                    Linear.load(parameters, prefix + "attention.output.dense", inner, inner).apply(graph, context),
                    residual));
            for (int network = 0; network < options.feedForwardNetworks() - 1; network++) {
                String ffn = prefix + "ffn." + network + ".";
                Value input = attended;
                Value intermediate = options.hiddenActivation().apply(graph, Linear.load(parameters,
                        ffn + "intermediate.dense", inner, options.intermediateSize()).apply(graph, input));
                attended = norm(ffn + "output.LayerNorm", inner, eps).apply(graph, graph.add(Linear.load(parameters,
                        ffn + "output.dense", options.intermediateSize(), inner).apply(graph, intermediate), input));
            }
            Value intermediate = options.hiddenActivation().apply(graph, Linear.load(parameters,
                    prefix + "intermediate.dense", inner, options.intermediateSize()).apply(graph, attended));
            Value output = Linear.load(parameters, prefix + "output.dense", options.intermediateSize(), inner)
                    .apply(graph, intermediate);
            // MobileBertOutput's norm is built without eps
            output = norm(prefix + "output.LayerNorm", inner, Normalization.TORCH_DEFAULT_EPSILON)
                    .apply(graph, graph.add(output, attended));
            if (options.attentionInputs() == MobileBertOptions.AttentionInputs.NO_BOTTLENECK) {
                return output;
            }
            // OutputBottleneck: back to hidden_size, residual of the layer input
            return norm(prefix + "output.bottleneck.LayerNorm", hidden, eps).apply(graph, graph.add(
                    Linear.load(parameters, prefix + "output.bottleneck.dense", inner, hidden).apply(graph, output),
                    rows));
        }

        /** MobileBertSelfAttention's context rows {@code [batch × sequence, true_hidden_size]}. */
        private Value attention(String prefix, Value query, Value key, Value value, long valueWidth, Value mask) {
            long inner = options.trueHiddenSize();
            return new ScaledDotProductAttention(options.heads(), options.headSize()).context(graph,
                    Linear.load(parameters, prefix + "query", inner, inner).apply(graph, query),
                    Linear.load(parameters, prefix + "key", inner, inner).apply(graph, key),
                    Linear.load(parameters, prefix + "value", valueWidth, inner).apply(graph, value), mask, grid);
        }

        /** BottleneckLayer: dense to {@code intra_bottleneck_size}, then the norm. */
        private Value bottleneck(String prefix, Value rows) {
            long size = options.intraBottleneckSize();
            return norm(prefix + ".LayerNorm", size, options.layerNormEps()).apply(graph,
                    Linear.load(parameters, prefix + ".dense", options.hiddenSize(), size).apply(graph, rows));
        }

        private Normalization norm(String prefix, long size, double epsilon) {
            return Normalization.load(parameters, options.normalization(), prefix, size, epsilon);
        }

        @Override
        protected boolean hasPooler() {
            return options.pooling() == MobileBertOptions.Pooling.FIRST_TOKEN
                    || parameters.contains(base + "pooler.dense.weight");
        }

        /** MobileBertPooler: the first token, through {@code pooler.dense} and tanh when {@code classifier_activation}. */
        @Override
        protected Value pooled(Value rows) {
            long hidden = options.hiddenSize();
            Value first = EncoderHeads.firstToken(graph, grid, rows, hidden);
            return options.pooling() == MobileBertOptions.Pooling.FIRST_TOKEN ? first
                    : graph.tanh(Linear.load(parameters, base + "pooler.dense", hidden, hidden).apply(graph, first));
        }

        /**
         * MobileBertLMPredictionHead: the transform (dense, {@code hidden_act}, LayerNorm), then
         * {@code h · cat([decoder.weightᵀ, dense.weight]) + bias}: the first {@code embedding_size} features meet the
         * decoder (the word embeddings when tied), the other {@code hidden − embedding_size} meet {@code dense}.
         */
        @Override
        protected Value languageModelLogits(Value rows) {
            long hidden = options.hiddenSize();
            long size = options.embeddingSize();
            long vocab = options.vocabSize();
            Value transformed = options.hiddenActivation().apply(graph,
                    Linear.load(parameters, "cls.predictions.transform.dense", hidden, hidden).apply(graph, rows));
            Value normalized = LayerNorm.load(parameters, "cls.predictions.transform.LayerNorm", hidden,
                    options.layerNormEps()).apply(graph, transformed);
            String decoderWeight = options.tie().decoderWeight(base + "embeddings.word_embeddings.weight",
                    "cls.predictions.decoder.weight");
            Value bias = parameters.tensor(parameters.firstPresent("cls.predictions.bias",
                    "cls.predictions.decoder.bias"), vocab);
            Value embedded = size == hidden ? normalized : graph.slice(normalized, 1, 0, size);
            Value logits = graph.gemm(embedded, parameters.tensor(decoderWeight, vocab, size), bias, 1.0f, 1.0f,
                    Transposition.AS_IS, Transposition.TRANSPOSED);
            if (size < hidden) {
                Value rest = graph.slice(normalized, 1, size, hidden);
                logits = graph.add(logits, graph.matMul(rest,
                        parameters.tensor("cls.predictions.dense.weight", hidden - size, vocab)));
            }
            return logits;
        }
    }
}
