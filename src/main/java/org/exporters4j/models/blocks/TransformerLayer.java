package org.exporters4j.models.blocks;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The encoder layer of multi-head self-attention ({@link SelfAttention}) and a two-Linear feed-forward network, each
 * with a LayerNorm and a residual, as ALBERT ({@code AlbertLayer}), DistilBERT ({@code TransformerBlock}), XLM and
 * FlauBERT (their {@code attentions}, {@code layer_norm1}, {@code ffns}, {@code layer_norm2} lists) and CLIP
 * ({@code CLIPEncoderLayer}, and OWL-ViT's and GroupViT's copies) compute it; dropout is the identity at inference.
 * The families differ in their module names ({@link Names}) and in where the norms sit ({@link Norms}). Rows in, rows
 * out: {@code [batch × sequence, hidden]}.
 */
public record TransformerLayer(SelfAttention attention, LayerNorm attentionNorm, Linear intermediate,
                               Activation activation, Linear output, LayerNorm outputNorm, Norms norms) {

    /** Where the two LayerNorms sit. */
    public enum Norms {
        /** After each residual sum: {@code h = norm1(x + attention(x))}, then {@code norm2(h + ffn(h))}. */
        POST,
        /** Before each sub-layer: {@code h = x + attention(norm1(x))}, then {@code h + ffn(norm2(h))}. */
        PRE
    }

    /**
     * The modules of one layer, literal Hugging Face names relative to the layer's prefix (without {@code .weight}).
     *
     * @param attentionOutput the attention's output projection
     * @param attentionNorm the LayerNorm of the attention's residual
     * @param intermediate the feed-forward network's first Linear, to the intermediate size
     * @param output the feed-forward network's second Linear, back to the hidden size
     * @param outputNorm the LayerNorm of the feed-forward network's residual
     */
    public record Names(String query, String key, String value, String attentionOutput, String attentionNorm,
                        String intermediate, String output, String outputNorm) {
        public Names {
            List<String> names = Arrays.asList(query, key, value, attentionOutput, attentionNorm, intermediate, output,
                    outputNorm);
            if (names.stream().anyMatch(name -> name == null || name.isEmpty())) {
                throw new IllegalArgumentException("a transformer layer names each of its eight modules, got " + names);
            }
        }
    }

    /**
     * The sizes and options every layer of one model shares.
     *
     * @param heads the number of attention heads; the head size is {@code hidden / heads}
     * @param intermediate the feed-forward network's inner width
     */
    public record Settings(long hidden, int heads, long intermediate, Activation activation, double layerNormEps,
                           Norms norms) {
        public Settings {
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(norms, "norms");
            if (heads <= 0 || hidden % heads != 0) {
                throw new IllegalArgumentException("hidden size " + hidden + " must be a multiple of the " + heads
                        + " heads");
            }
        }
    }

    public TransformerLayer {
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(attentionNorm, "attentionNorm");
        Objects.requireNonNull(intermediate, "intermediate");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(outputNorm, "outputNorm");
        Objects.requireNonNull(norms, "norms");
    }

    /** The layer whose modules are {@code names} under {@code prefix} (e.g. {@code "albert.encoder. … .0."}). */
    public static TransformerLayer load(Parameters parameters, String prefix, Names names, Settings settings) {
        long hidden = settings.hidden();
        double eps = settings.layerNormEps();
        return new TransformerLayer(
                SelfAttention.load(parameters, hidden, settings.heads(), prefix + names.query(),
                        prefix + names.key(), prefix + names.value(), prefix + names.attentionOutput()),
                LayerNorm.load(parameters, prefix + names.attentionNorm(), hidden, eps),
                Linear.load(parameters, prefix + names.intermediate(), hidden, settings.intermediate()),
                settings.activation(),
                Linear.load(parameters, prefix + names.output(), settings.intermediate(), hidden),
                LayerNorm.load(parameters, prefix + names.outputNorm(), hidden, eps),
                settings.norms());
    }

    /** The layer on {@code rows}, with {@code additiveMask} ({@link AttentionMask#additive}) on the scores. */
    public Value apply(OnnxGraphBuilder graph, Value rows, Value additiveMask, TokenGrid grid) {
        if (norms == Norms.PRE) {
            Value attended = graph.add(rows, attention.apply(graph, attentionNorm.apply(graph, rows), additiveMask,
                    grid));
            return graph.add(attended, feedForward(graph, outputNorm.apply(graph, attended)));
        }
        Value attended = attentionNorm.apply(graph, graph.add(rows, attention.apply(graph, rows, additiveMask, grid)));
        return outputNorm.apply(graph, graph.add(attended, feedForward(graph, attended)));
    }

    /** {@code output(activation(intermediate(x)))}. */
    private Value feedForward(OnnxGraphBuilder graph, Value x) {
        return output.apply(graph, activation.apply(graph, intermediate.apply(graph, x)));
    }
}
