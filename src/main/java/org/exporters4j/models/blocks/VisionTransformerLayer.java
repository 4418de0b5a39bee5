package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.Optional;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The pre-norm encoder layer of ViT ({@code ViTLayer}, Transformers 4.25.1) and the families that copy it (DeiT,
 * YOLOS, BEiT, Data2Vec-vision, MobileViT's transformer): {@code h = x + s₁ · attention(layernorm_before(x))}, then
 * {@code h + s₂ · output(act(intermediate(layernorm_after(h))))}, where {@code s₁, s₂} are BEiT's layer-scale
 * vectors {@code lambda_1, lambda_2} (absent elsewhere). Rows in, rows out: {@code [batch × tokens, hidden]}.
 * Weight names under the layer's prefix are those of {@code ViTLayer}: {@code layernorm_before},
 * {@code attention.attention.{query,key,value}}, {@code attention.output.dense}, {@code layernorm_after},
 * {@code intermediate.dense}, {@code output.dense}.
 */
public record VisionTransformerLayer(LayerNorm before, SelfAttention attention, Optional<Value> attentionScale,
                                     LayerNorm after, Linear intermediate, Activation activation, Linear output,
                                     Optional<Value> outputScale) {

    /** Which of the query, key and value projections have a bias. */
    public enum QueryKeyValueBias {
        /** {@code qkv_bias: true} (ViT's default). */
        ALL,
        /** BEiT: the key projection is built with {@code bias=False}. */
        QUERY_AND_VALUE,
        /** {@code qkv_bias: false}. */
        NONE
    }

    /** Whether the layer scales its two branches by learned vectors. */
    public enum LayerScale {
        NONE,
        /** BEiT's {@code lambda_1} / {@code lambda_2} ({@code layer_scale_init_value > 0}). */
        LAMBDAS
    }

    /** The sizes and options every layer of a model shares. */
    public record Dimensions(long hidden, int heads, long intermediate, Activation activation, double layerNormEps,
                             QueryKeyValueBias queryKeyValueBias, LayerScale layerScale) {
        public Dimensions {
            if (hidden <= 0 || heads <= 0 || hidden % heads != 0) {
                throw new IllegalArgumentException("hidden size " + hidden + " must be a positive multiple of the "
                        + "head count " + heads);
            }
            if (intermediate <= 0) {
                throw new IllegalArgumentException("intermediate size must be positive, got " + intermediate);
            }
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(queryKeyValueBias, "queryKeyValueBias");
            Objects.requireNonNull(layerScale, "layerScale");
        }

        public long headSize() {
            return hidden / heads;
        }
    }

    public VisionTransformerLayer {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(attentionScale, "attentionScale");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(intermediate, "intermediate");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(outputScale, "outputScale");
    }

    /** The layer stored under {@code prefix} (ending in a dot, e.g. {@code "vit.encoder.layer.0."}). */
    public static VisionTransformerLayer load(Parameters parameters, OnnxGraphBuilder graph, String prefix,
                                              Dimensions dimensions) {
        long hidden = dimensions.hidden();
        String attention = prefix + "attention.attention.";
        QueryKeyValueBias biases = dimensions.queryKeyValueBias();
        Linear query = biases == QueryKeyValueBias.NONE
                ? Linear.load(parameters, attention + "query", hidden, hidden, Bias.WITHOUT_BIAS)
                : Linear.load(parameters, attention + "query", hidden, hidden);
        Linear key = biases == QueryKeyValueBias.ALL
                ? Linear.load(parameters, attention + "key", hidden, hidden)
                : Linear.load(parameters, attention + "key", hidden, hidden, Bias.WITHOUT_BIAS);
        Linear value = biases == QueryKeyValueBias.NONE
                ? Linear.load(parameters, attention + "value", hidden, hidden, Bias.WITHOUT_BIAS)
                : Linear.load(parameters, attention + "value", hidden, hidden);
        SelfAttention selfAttention = new SelfAttention(query, key, value,
                Linear.load(parameters, prefix + "attention.output.dense", hidden, hidden),
                dimensions.heads(), dimensions.headSize());
        Optional<Value> lambda1 = Optional.empty();
        Optional<Value> lambda2 = Optional.empty();
        if (dimensions.layerScale() == LayerScale.LAMBDAS) {
            lambda1 = Optional.of(parameters.tensor(prefix + "lambda_1", hidden));
            lambda2 = Optional.of(parameters.tensor(prefix + "lambda_2", hidden));
        }
        return new VisionTransformerLayer(
                LayerNorm.load(parameters, prefix + "layernorm_before", hidden, dimensions.layerNormEps()),
                selfAttention, lambda1,
                LayerNorm.load(parameters, prefix + "layernorm_after", hidden, dimensions.layerNormEps()),
                Linear.load(parameters, prefix + "intermediate.dense", hidden, dimensions.intermediate()),
                dimensions.activation(),
                Linear.load(parameters, prefix + "output.dense", dimensions.intermediate(), hidden),
                lambda2);
    }

    /**
     * The layer applied to {@code rows}; {@code attentionBias}, when present, is added to the attention scores
     * (BEiT's relative position bias, broadcast as {@code [1, heads, tokens, tokens]}).
     */
    public Value apply(OnnxGraphBuilder graph, Value rows, TokenGrid grid, Optional<Value> attentionBias) {
        Value normalized = before.apply(graph, rows);
        Value attended = attentionBias.isPresent()
                ? attention.apply(graph, normalized, attentionBias.get(), grid)
                : attention.apply(graph, normalized, grid);
        Value scaled = attentionScale.map(scale -> graph.mul(scale, attended)).orElse(attended);
        Value hidden = graph.add(scaled, rows);
        Value expanded = activation.apply(graph, intermediate.apply(graph, after.apply(graph, hidden)));
        Value projected = output.apply(graph, expanded);
        Value scaledOutput = outputScale.map(scale -> graph.mul(scale, projected)).orElse(projected);
        return graph.add(scaledOutput, hidden);
    }
}
