package org.exporters4j.models.modernbert;

import java.util.EnumSet;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.RotaryEmbedding;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * Builds ModernBERT graphs as Transformers 4.51 computes them with eager attention in eval mode: token embeddings and
 * their LayerNorm; {@code num_hidden_layers} pre-norm layers (layer 0 without the attention norm) whose attention
 * splits {@code Wqkv} into heads, rotates queries and keys (base {@code global_rope_theta} in global layers,
 * {@code local_rope_theta} in local ones), scales the scores by {@code head_dim^-0.5} and adds the padding mask; a
 * local layer ({@code layer_id % global_attn_every_n_layers != 0}) also masks keys more than
 * {@code local_attention // 2} positions away. The feed-forward splits {@code Wi} into input and gate,
 * {@code Wo(act(input) · gate)}. Then {@code final_norm} and the head: {@code head} (dense, {@code classifier_activation},
 * norm) and the decoder (the token embeddings when tied, as model.safetensors then omits {@code decoder.weight}), or
 * {@code head} and {@code classifier} on the pooled ({@code cls} or masked {@code mean}) or per-token states.
 */
public final class ModernBertArchitecture extends EncoderArchitecture<TextInputs, ModernBertOptions> {
    public ModernBertArchitecture() {
        super("modernbert", "modernbert", EnumSet.of(Head.BASE, Head.MASKED_LM, Head.SEQUENCE_CLASSIFICATION,
                Head.TOKEN_CLASSIFICATION), new BaseModel("model", "embeddings.tok_embeddings.weight"),
                TextInputs::declareWithoutTokenTypes,
                ModernBertOptions::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, ModernBertOptions options, String base,
                              TextInputs inputs) {
        Encoder encoder = new Encoder(build, config, inputs, options, base);
        encoder.add(encoder.encode(inputs));
    }

    /** One graph under construction. */
    private static final class Encoder extends TextEncoderHeads {
        private final ModernBertOptions options;

        Encoder(GraphBuild build, ModelConfig config, TextInputs inputs, ModernBertOptions options, String base) {
            super(build, config, inputs, base, options.hidden(), options.vocabSize());
            this.options = options;
        }

        /** The final-normalised hidden states as rows {@code [batch × sequence, hidden]}. */
        Value encode(TextInputs inputs) {
            Value rows = graph.inScope("embeddings", () -> norm(base + "embeddings.norm").apply(graph,
                    graph.reshape(graph.gather(parameters.tensor(base + "embeddings.tok_embeddings.weight",
                            vocabSize, hidden), inputs.inputIds(), 0), -1, hidden)));
            // _prepare_4d_attention_mask: finfo.min where the key is padding, [batch, 1, 1, keys]
            Value globalMask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null),
                    AttentionDirection.BIDIRECTIONAL, grid);
            Value positions = graph.unsqueeze(grid.positions(graph), 0);
            long headSize = options.attention().headSize();
            RotaryEmbedding globalRotary = RotaryEmbedding.unscaled(headSize, options.globalRopeTheta(),
                    RotaryEmbedding.Style.HALF_SPLIT);
            RotaryEmbedding localRotary = RotaryEmbedding.unscaled(headSize, options.localRopeTheta(),
                    RotaryEmbedding.Style.HALF_SPLIT);
            RotaryEmbedding.Angles globalAngles = globalRotary.angles(graph, positions);
            RotaryEmbedding.Angles localAngles = options.layers() > 1 ? localRotary.angles(graph, positions) : null;
            Value localMask = options.layers() > 1 ? slidingWindowMask(globalMask) : null;
            Value last = new LayerStack(base, "layers", options.layers()).apply(graph, rows,
                    (index, prefix, input) -> options.isLocal(index)
                            ? layer(index, prefix, input, localMask, localRotary, localAngles)
                            : layer(index, prefix, input, globalMask, globalRotary, globalAngles));
            return norm(base + "final_norm").apply(graph, last);
        }

        /**
         * {@code _update_attention_mask}'s sliding-window mask: the padding mask, and {@code finfo.min} wherever
         * {@code |query − key| > local_attention // 2}; {@code [batch, 1, sequence, sequence]}.
         */
        private Value slidingWindowMask(Value globalMask) {
            Value positions = grid.positions(graph);
            Value distance = graph.abs(graph.sub(graph.unsqueeze(positions, 0), graph.unsqueeze(positions, 1)));
            Value outside = graph.greater(distance, graph.scalar(options.localWindow() / 2));
            Value expanded = graph.expand(globalMask, graph.concat(0, graph.shape(globalMask, 0, 2),
                    graph.shape(distance)));
            return graph.where(outside, graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN), expanded);
        }

        /** One ModernBertEncoderLayer on rows. */
        private Value layer(int index, String prefix, Value rows, Value mask, RotaryEmbedding rotary,
                            RotaryEmbedding.Angles angles) {
            int heads = options.attention().heads();
            long headSize = options.attention().headSize();
            Value normalized = index == 0 ? rows : norm(prefix + "attn_norm").apply(graph, rows);
            Value qkv = Linear.load(parameters, prefix + "attn.Wqkv", hidden, 3 * hidden, options.attentionBias())
                    .apply(graph, normalized);
            ScaledDotProductAttention attention = new ScaledDotProductAttention(heads, headSize);
            // view(bs, -1, 3, heads, head_dim): query, key, value are the three thirds of each row
            Value q = rotary.apply(graph, attention.split(graph, graph.slice(qkv, 1, 0, hidden), grid), angles,
                    headSize);
            Value k = rotary.apply(graph, attention.split(graph, graph.slice(qkv, 1, hidden, 2 * hidden), grid),
                    angles, headSize);
            Value v = attention.split(graph, graph.slice(qkv, 1, 2 * hidden, 3 * hidden), grid);
            Value context = attention.merge(graph, ScaledDotProductAttention.attend(graph, q,
                    graph.transpose(k, 0, 1, 3, 2), v, ScoreScale.multipliedBy(Math.pow(headSize, -0.5)),
                    ScaledDotProductAttention.additive(graph, mask)));
            Value attended = graph.add(rows, Linear.load(parameters, prefix + "attn.Wo", hidden, hidden,
                    options.attentionBias()).apply(graph, context));
            long inner = options.intermediateSize();
            Value both = Linear.load(parameters, prefix + "mlp.Wi", hidden, 2 * inner, options.mlpBias())
                    .apply(graph, norm(prefix + "mlp_norm").apply(graph, attended));
            Value gated = graph.mul(options.hiddenActivation().apply(graph, graph.slice(both, 1, 0, inner)),
                    graph.slice(both, 1, inner, 2 * inner));
            return graph.add(attended, Linear.load(parameters, prefix + "mlp.Wo", inner, hidden, options.mlpBias())
                    .apply(graph, gated));
        }

        /** A LayerNorm of {@code hidden} under {@code prefix}, with zero bias when {@code norm_bias} is false. */
        private LayerNorm norm(String prefix) {
            Value weight = parameters.tensor(prefix + ".weight", hidden);
            Value bias = options.normBias() == Bias.WITH_BIAS
                    ? parameters.tensor(prefix + ".bias", hidden)
                    : graph.constant(TensorData.ofFloats(new float[Math.toIntExact(hidden)], hidden));
            return new LayerNorm(weight, bias, options.normEps());
        }

        /** {@code ModernBertPredictionHead}: {@code norm(act(dense(x)))}. */
        private Value predictionHead(Value rows) {
            return norm("head.norm").apply(graph, options.classifierActivation().apply(graph,
                    Linear.load(parameters, "head.dense", hidden, hidden, options.classifierBias())
                            .apply(graph, rows)));
        }

        /** The decoder on the prediction head: the token embeddings when tied, {@code decoder.weight} otherwise. */
        @Override
        protected Value languageModelLogits(Value rows) {
            String weight = options.tie().decoderWeight(base + "embeddings.tok_embeddings.weight", "decoder.weight");
            Value table = parameters.tensor(weight, vocabSize, hidden);
            Linear decoder = options.decoderBias() == Bias.WITH_BIAS
                    ? new Linear(table, parameters.tensor("decoder.bias", vocabSize), hidden, vocabSize)
                    : Linear.withoutBias(table, hidden, vocabSize);
            return decoder.apply(graph, predictionHead(rows));
        }

        /** {@code classifier(head(pooled))}, pooled by {@code classifier_pooling}. */
        @Override
        protected Value sequenceLogits(Value rows, long labels) {
            Value pooled = switch (options.pooling()) {
                case CLS -> EncoderHeads.firstToken(graph, grid, rows, hidden);
                case MEAN -> {
                    // (states · mask).sum(1) / mask.sum(1)
                    Value states = grid.unflatten(graph, rows, hidden);
                    Value mask = graph.cast(inputs.attentionMask().orElseGet(
                            () -> graph.constantOfShape(grid.batchAndSequence(), ElementType.INT64, 1.0)),
                            ElementType.FLOAT);
                    Value summed = graph.reduceSum(graph.mul(states, graph.unsqueeze(mask, 2)), KeepDims.NO, 1);
                    yield graph.div(summed, graph.reduceSum(mask, KeepDims.YES, 1));
                }
            };
            return Linear.load(parameters, "classifier", hidden, labels).apply(graph, predictionHead(pooled));
        }

        /** {@code classifier} on {@code head} of every token. */
        @Override
        protected Value tokenClassifierInput(Value rows) {
            return predictionHead(rows);
        }
    }
}
