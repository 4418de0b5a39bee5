package org.exporters4j.models.mpnet;

import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BertEmbeddings;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.Value;

/**
 * Builds MPNet graphs as Transformers 4.51 computes them in eval mode: word + position embeddings (positions
 * numbered from the ids as RoBERTa does, with {@code padding_idx} 1), LayerNorm; {@code num_hidden_layers} layers
 * whose self-attention adds, per head, the learned bias of the relative position bucket of every (query, key) pair
 * ({@code encoder.relative_attention_bias}, computed once and shared by the layers) to the scaled scores before the
 * padding mask; post-LayerNorm residuals and a feed-forward of {@code hidden_act}; then the head: {@code lm_head}
 * (dense, exact GELU, LayerNorm, decoder tied to the word embeddings), the RoBERTa-style classification head, the
 * pooler + {@code classifier} for multiple choice, {@code classifier} per token, {@code qa_outputs}.
 */
public final class MpnetArchitecture extends EncoderArchitecture<TextInputs, MpnetOptions> {
    public MpnetArchitecture() {
        // MPNet's forward takes input_ids, attention_mask (and position_ids, inputs_embeds): no token types
        super("mpnet", "mpnet", TextEncoderHeads.ENCODER_HEADS,
                new BaseModel("mpnet", "embeddings.word_embeddings.weight"), TextInputs::declareWithoutTokenTypes,
                MpnetOptions::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, MpnetOptions options, String base,
                              TextInputs inputs) {
        Encoder encoder = new Encoder(build, config, inputs, options, base);
        encoder.add(encoder.encode(inputs));
    }

    /** One graph under construction. */
    private static final class Encoder extends TextEncoderHeads {
        private final MpnetOptions options;

        Encoder(GraphBuild build, ModelConfig config, TextInputs inputs, MpnetOptions options, String base) {
            super(build, config, inputs, base, options.hiddenSize(), options.vocabSize(), base + "pooler.dense");
            this.options = options;
        }

        /** Embeddings and layers: the last hidden state as rows {@code [batch × sequence, hidden]}. */
        Value encode(TextInputs inputs) {
            Value rows = graph.inScope("embeddings", () -> embeddings(inputs));
            // every layer adds the same relative position bias and padding mask: summed once,
            // [batch, heads, sequence, sequence]
            Value scoreBias = graph.add(graph.inScope("encoder", this::positionBias), AttentionMask.additive(graph,
                    inputs.attentionMask().orElse(null), AttentionDirection.BIDIRECTIONAL, grid));
            return new LayerStack(base, "encoder.layer", options.layers())
                    .apply(graph, rows, (index, prefix, input) -> layer(prefix, input, scoreBias));
        }

        /**
         * {@code MPNetEncoder.compute_position_bias}: {@code relative_attention_bias(bucket(key − query))} per head,
         * {@code [heads, sequence, sequence]}, broadcast over the batch.
         */
        private Value positionBias() {
            Value table = parameters.tensor(base + "encoder.relative_attention_bias.weight",
                    options.relativeAttentionBuckets(), options.attention().heads());
            Value positions = grid.positions(graph);
            return MpnetOptions.BUCKETS.bias(graph, table, positions, positions, AttentionDirection.BIDIRECTIONAL);
        }

        /** Word + position embeddings, LayerNorm; as rows. */
        private Value embeddings(TextInputs inputs) {
            BertEmbeddings tables = new BertEmbeddings(graph, parameters, base + "embeddings.", hidden);
            // create_position_ids_from_input_ids: cumsum(not padding) · not padding + padding_idx
            Value padding = graph.scalar(MpnetOptions.PADDING_INDEX);
            Value notPadding = graph.cast(graph.not(graph.equal(inputs.inputIds(), padding)), ElementType.INT64);
            Value positionIds = graph.add(graph.mul(graph.cumSum(notPadding, 1), notPadding), padding);
            Value sum = graph.add(tables.words(inputs, options.vocabSize()),
                    tables.positions(positionIds, options.maxPositions()));
            return tables.normalizedRows(sum, options.layerNormEps());
        }

        /**
         * One MPNetLayer: {@code attention.attn} (q, k, v, o) with {@code bias} (relative positions + padding mask)
         * added to the scores, {@code attention.LayerNorm} of the residual; {@code intermediate.dense},
         * {@code output.dense} and {@code output.LayerNorm} of the residual.
         */
        private Value layer(String prefix, Value rows, Value bias) {
            String attention = prefix + "attention.attn.";
            Value context = new ScaledDotProductAttention(options.attention().heads(), options.attention().headSize())
                    .context(graph,
                            Linear.load(parameters, attention + "q", hidden, hidden).apply(graph, rows),
                            Linear.load(parameters, attention + "k", hidden, hidden).apply(graph, rows),
                            Linear.load(parameters, attention + "v", hidden, hidden).apply(graph, rows),
                            bias, grid);
            Value attended = LayerNorm.load(parameters, prefix + "attention.LayerNorm", hidden, options.layerNormEps())
                    .apply(graph, graph.add(Linear.load(parameters, attention + "o", hidden, hidden)
                            .apply(graph, context), rows));
            long inner = options.intermediateSize();
            Value intermediate = options.hiddenActivation().apply(graph,
                    Linear.load(parameters, prefix + "intermediate.dense", hidden, inner).apply(graph, attended));
            Value output = Linear.load(parameters, prefix + "output.dense", inner, hidden).apply(graph, intermediate);
            return LayerNorm.load(parameters, prefix + "output.LayerNorm", hidden, options.layerNormEps())
                    .apply(graph, graph.add(output, attended));
        }

        /** {@code MPNetClassificationHead}: dense, tanh, {@code out_proj} on the first token. */
        @Override
        protected Optional<Activation> denseClassifierActivation() {
            return Optional.of(Activation.TANH);
        }

        /**
         * {@code MPNetLMHead}: dense, exact GELU, {@code layer_norm}, then the decoder, whose weight is the word
         * embedding table when {@code tie_word_embeddings} (model.safetensors then omits it) and whose bias is
         * {@code lm_head.bias} (Transformers ties {@code lm_head.decoder.bias} to it).
         */
        @Override
        protected Value languageModelLogits(Value rows) {
            Value dense = Activation.GELU.apply(graph,
                    Linear.load(parameters, "lm_head.dense", hidden, hidden).apply(graph, rows));
            Value normalized = LayerNorm.load(parameters, "lm_head.layer_norm", hidden, options.layerNormEps())
                    .apply(graph, dense);
            String weight = options.tie().decoderWeight(base + "embeddings.word_embeddings.weight",
                    "lm_head.decoder.weight");
            String bias = parameters.firstPresent("lm_head.bias", "lm_head.decoder.bias");
            return new Linear(parameters.tensor(weight, vocabSize, hidden), parameters.tensor(bias, vocabSize),
                    hidden, vocabSize).apply(graph, normalized);
        }
    }
}
