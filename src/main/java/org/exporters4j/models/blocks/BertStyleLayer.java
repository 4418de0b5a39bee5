package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * One layer of BERT's module tree ({@code BertLayer}: {@code attention.self.query/key/value},
 * {@code attention.output.dense} and {@code .LayerNorm}, {@code intermediate.dense}, {@code output.dense} and
 * {@code .LayerNorm}) for the families whose own modeling files copy it under another prefix — LayoutLM, BigBird
 * with {@code original_full} attention, RoFormer (which rotates the per-head queries and keys first). Post-LayerNorm
 * residuals; dropout is the identity at inference. Rows in, rows out: {@code [batch × sequence, hidden]}.
 *
 * @param heads the number of attention heads; the head size is {@code hidden / heads}
 */
public record BertStyleLayer(Linear query, Linear key, Linear value, Linear attentionOutput, LayerNorm attentionNorm,
                             Linear intermediate, Activation activation, Linear output, LayerNorm outputNorm,
                             int heads) {

    /** The sizes and options every layer of one model shares. */
    public record Settings(long hiddenSize, long intermediateSize, int heads, Activation activation,
                           double layerNormEps, QueryKeyValueBias bias) {
        public Settings {
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(bias, "bias");
            if (heads <= 0 || hiddenSize % heads != 0) {
                throw new IllegalArgumentException("hidden size " + hiddenSize + " must be a multiple of the "
                        + heads + " heads");
            }
        }

        public long headSize() {
            return hiddenSize / heads;
        }

        /**
         * The settings as BertConfig and its copies (LayoutLM, BigBird, RoFormer) name them: {@code hidden_size}
         * split over {@code num_attention_heads}, {@code intermediate_size}, {@code hidden_act},
         * {@code layer_norm_eps}.
         */
        public static Settings read(ModelConfig config, QueryKeyValueBias bias) {
            AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
            return new Settings(split.width(), config.intValue("intermediate_size"), split.heads(),
                    Activation.fromConfig(config, "hidden_act"), config.doubleValue("layer_norm_eps"), bias);
        }
    }

    /** Whether the query, key and value projections have biases (BigBird's {@code use_bias}). */
    public enum QueryKeyValueBias {
        PRESENT,
        /** {@code nn.Linear(..., bias=False)}: the checkpoint has no {@code .bias}; the graph adds zeros. */
        ABSENT
    }

    /**
     * Rewrites the per-head queries, keys and values {@code [batch, heads, sequence, head_size]} before the scores
     * are taken (RoFormer's rotary positions); {@link #NONE} leaves them as projected.
     */
    public record HeadsTransform(UnaryOperator<Value> query, UnaryOperator<Value> key, UnaryOperator<Value> value) {
        public static final HeadsTransform NONE =
                new HeadsTransform(UnaryOperator.identity(), UnaryOperator.identity(), UnaryOperator.identity());

        public HeadsTransform {
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    public BertStyleLayer {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(attentionOutput, "attentionOutput");
        Objects.requireNonNull(attentionNorm, "attentionNorm");
        Objects.requireNonNull(intermediate, "intermediate");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(outputNorm, "outputNorm");
        if (heads <= 0 || query.outFeatures() % heads != 0) {
            throw new IllegalArgumentException("the query size " + query.outFeatures() + " must be a multiple of the "
                    + heads + " heads");
        }
    }

    /** The layer under {@code prefix} (e.g. {@code "layoutlm.encoder.layer.0."}), every shape checked. */
    public static BertStyleLayer load(OnnxGraphBuilder graph, Parameters parameters, String prefix, Settings settings) {
        long hidden = settings.hiddenSize();
        long inner = settings.intermediateSize();
        double eps = settings.layerNormEps();
        return new BertStyleLayer(
                projection(graph, parameters, prefix + "attention.self.query", hidden, settings.bias()),
                projection(graph, parameters, prefix + "attention.self.key", hidden, settings.bias()),
                projection(graph, parameters, prefix + "attention.self.value", hidden, settings.bias()),
                Linear.load(parameters, prefix + "attention.output.dense", hidden, hidden),
                LayerNorm.load(parameters, prefix + "attention.output.LayerNorm", hidden, eps),
                Linear.load(parameters, prefix + "intermediate.dense", hidden, inner),
                settings.activation(),
                Linear.load(parameters, prefix + "output.dense", inner, hidden),
                LayerNorm.load(parameters, prefix + "output.LayerNorm", hidden, eps),
                settings.heads());
    }

    /**
     * The rest of a BERT layer once attention has produced its merged {@code context} rows, under {@code prefix}
     * ({@code BertSelfOutput}, {@code BertIntermediate}, {@code BertOutput}):
     * {@code attended = attention.output.LayerNorm(attention.output.dense(context) + rows)}, then
     * {@code output.LayerNorm(output.dense(activation(intermediate.dense(attended))) + attended)}. The families whose
     * attention differs (DeBERTa's disentangled, LayoutLMv3's spatial bias) share it.
     */
    public static Value afterAttention(OnnxGraphBuilder graph, Parameters parameters, String prefix, Value context,
                                       Value rows, long hidden, long intermediateSize, Activation activation,
                                       double layerNormEps) {
        Value attended = LayerNorm.load(parameters, prefix + "attention.output.LayerNorm", hidden, layerNormEps)
                .apply(graph, graph.add(Linear.load(parameters, prefix + "attention.output.dense", hidden, hidden)
                        .apply(graph, context), rows));
        Value inner = activation.apply(graph, Linear.load(parameters, prefix + "intermediate.dense", hidden,
                intermediateSize).apply(graph, attended));
        Value output = Linear.load(parameters, prefix + "output.dense", intermediateSize, hidden).apply(graph, inner);
        return LayerNorm.load(parameters, prefix + "output.LayerNorm", hidden, layerNormEps)
                .apply(graph, graph.add(output, attended));
    }

    /** The layer on {@code rows}, with {@code additiveMask} ({@link AttentionMask#additive}) on the scores. */
    public Value apply(OnnxGraphBuilder graph, Value rows, Value additiveMask, TokenGrid grid) {
        return apply(graph, rows, additiveMask, grid, HeadsTransform.NONE);
    }

    /** As {@link #apply(OnnxGraphBuilder, Value, Value, TokenGrid)}, the heads rewritten by {@code transform}. */
    public Value apply(OnnxGraphBuilder graph, Value rows, Value additiveMask, TokenGrid grid,
                       HeadsTransform transform) {
        long headSize = query.outFeatures() / heads;
        ScaledDotProductAttention attention = new ScaledDotProductAttention(heads, headSize);
        // [batch, heads, sequence, head_size]
        Value q = transform.query().apply(attention.split(graph, query.apply(graph, rows), grid));
        Value k = transform.key().apply(attention.split(graph, key.apply(graph, rows), grid));
        Value v = transform.value().apply(attention.split(graph, value.apply(graph, rows), grid));
        Value perHead = ScaledDotProductAttention.attend(graph, q, graph.transpose(k, 0, 1, 3, 2), v,
                ScoreScale.bySquareRootOf(headSize), ScaledDotProductAttention.additive(graph, additiveMask));
        Value context = attention.merge(graph, perHead);
        Value attended = attentionNorm.apply(graph, graph.add(attentionOutput.apply(graph, context), rows));
        Value inner = activation.apply(graph, intermediate.apply(graph, attended));
        return outputNorm.apply(graph, graph.add(output.apply(graph, inner), attended));
    }

    private static Linear projection(OnnxGraphBuilder graph, Parameters parameters, String prefix, long hidden,
                                     QueryKeyValueBias bias) {
        if (bias == QueryKeyValueBias.PRESENT) {
            return Linear.load(parameters, prefix, hidden, hidden);
        }
        Value zeros = graph.constant(TensorData.ofFloats(new float[Math.toIntExact(hidden)], hidden));
        return new Linear(parameters.tensor(prefix + ".weight", hidden, hidden), zeros, hidden, hidden);
    }
}
