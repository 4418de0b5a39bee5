package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.BlockInt4;
import org.exporters4j.onnx.ChannelInt8;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.QuantizedMatrix;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Transposition;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.WeightQuantizer;

/**
 * The one dense layer of every family: {@code torch.nn.Linear} ({@code y = x · Wᵀ + b}, weight {@code [out, in]}) or
 * GPT-2's {@code Conv1D} ({@code y = x · W + b}, weight {@code [in, out]}), with or without a bias. The weight is used
 * as stored (the graph transposes it where needed), so it streams into the model untouched and a weight tied to an
 * embedding table stays one initializer.
 *
 * <p>{@link #apply} takes rows {@code [n, in]} (one Gemm); {@link #applyToLastAxis} takes any rank
 * {@code [..., in]} (MatMul, then the bias).
 */
public record Linear(Value weight, Optional<Value> bias, WeightLayout layout, long inFeatures, long outFeatures) {

    /** How the checkpoint stores the weight matrix. */
    public enum WeightLayout {
        /** {@code torch.nn.Linear}: {@code [out, in]}, {@code y = x · Wᵀ + b}. */
        OUT_IN,
        /** GPT-2's {@code Conv1D}: {@code [in, out]}, {@code y = x · W + b}. */
        IN_OUT
    }

    /** Whether the layer adds a bias ({@code nn.Linear(..., bias=False)} has none). */
    public enum Bias {
        WITH_BIAS,
        WITHOUT_BIAS;

        /** {@link #WITH_BIAS} when {@code added}: a config flag such as {@code attention_bias} read as a bias. */
        public static Bias when(boolean added) {
            return added ? WITH_BIAS : WITHOUT_BIAS;
        }
    }

    public Linear {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(bias, "bias");
        Objects.requireNonNull(layout, "layout");
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("a linear layer needs positive sizes, got " + inFeatures + " → "
                    + outFeatures);
        }
    }

    /** An {@code nn.Linear} of given tensors: {@code weight} {@code [out, in]} and {@code bias} {@code [out]}. */
    public Linear(Value weight, Value bias, long inFeatures, long outFeatures) {
        this(weight, Optional.of(bias), WeightLayout.OUT_IN, inFeatures, outFeatures);
    }

    /** An {@code nn.Linear(bias=False)} of a given {@code [out, in]} weight (a table tied to the embeddings). */
    public static Linear withoutBias(Value weight, long inFeatures, long outFeatures) {
        return new Linear(weight, Optional.empty(), WeightLayout.OUT_IN, inFeatures, outFeatures);
    }

    /**
     * {@code head(rows)}: the LM head (the projection onto the vocabulary, with the layers a head has before it),
     * its dense layers quantized as the form says of LM heads ({@code WeightQuantization.languageModelHead}): with
     * the graph's other dense layers, or kept float32. {@code rows} are computed before, in the graph's own form.
     */
    public static Value languageModelHead(GraphBuild build, Value rows, UnaryOperator<Value> head) {
        return build.graph().withDenseWeightQuantizer(build.form().quantization().languageModelHeadQuantizer(),
                () -> head.apply(rows));
    }

    /** {@code <prefix>.weight} ({@code [out, in]}) and {@code <prefix>.bias} ({@code [out]}), shapes checked. */
    public static Linear load(Parameters parameters, String prefix, long inFeatures, long outFeatures) {
        return load(parameters, prefix, inFeatures, outFeatures, Bias.WITH_BIAS);
    }

    /** An {@code nn.Linear} at {@code <prefix>.weight} ({@code [out, in]}) and, when asked, {@code <prefix>.bias}. */
    public static Linear load(Parameters parameters, String prefix, long inFeatures, long outFeatures, Bias bias) {
        Value weight = parameters.tensor(prefix + ".weight", outFeatures, inFeatures);
        return new Linear(weight, loadBias(parameters, prefix, outFeatures, bias), WeightLayout.OUT_IN, inFeatures,
                outFeatures);
    }

    /**
     * As {@link #load}, with the output size taken from the checkpoint (a classifier's label count); the input size
     * is checked.
     */
    public static Linear loadWithOutputsFromWeights(Parameters parameters, String prefix, long inFeatures) {
        return loadWithOutputsFromWeights(parameters, prefix, inFeatures, Bias.WITH_BIAS);
    }

    /** As {@link #load(Parameters, String, long, long, Bias)}, with the output size read from the checkpoint. */
    public static Linear loadWithOutputsFromWeights(Parameters parameters, String prefix, long inFeatures, Bias bias) {
        return load(parameters, prefix, inFeatures, parameters.dimension(prefix + ".weight", 0), bias);
    }

    /** An {@code nn.Linear} whose sizes both come from the checkpoint's {@code <prefix>.weight}. */
    public static Linear loadSizedByWeights(Parameters parameters, String prefix) {
        String weight = prefix + ".weight";
        return load(parameters, prefix, parameters.dimension(weight, 1), parameters.dimension(weight, 0));
    }

    /** A GPT-2 {@code Conv1D} at {@code <prefix>.weight} ({@code [in, out]}) and {@code <prefix>.bias}. */
    public static Linear conv1d(Parameters parameters, String prefix, long inFeatures, long outFeatures) {
        Value weight = parameters.tensor(prefix + ".weight", inFeatures, outFeatures);
        return new Linear(weight, loadBias(parameters, prefix, outFeatures, Bias.WITH_BIAS), WeightLayout.IN_OUT,
                inFeatures, outFeatures);
    }

    private static Optional<Value> loadBias(Parameters parameters, String prefix, long size, Bias bias) {
        return bias == Bias.WITH_BIAS ? Optional.of(parameters.tensor(prefix + ".bias", size)) : Optional.empty();
    }

    /**
     * The layer's product {@code x · W} alone, for a fused node that adds the bias itself (SkipLayerNormalization,
     * FastGelu, BiasGelu): the same weight, so the form's quantization applies to it exactly as to the whole layer
     * (a quantized weight is the same tensor with or without the bias folded into its node).
     */
    public Linear productOnly() {
        return new Linear(weight, Optional.empty(), layout, inFeatures, outFeatures);
    }

    /**
     * {@code rows · W (+ b)} for rows {@code [n, in]}, as one Gemm; with quantized dense weights
     * ({@link OnnxGraphBuilder#denseWeightQuantizer()}), as the quantized MatMul ({@link #quantized}).
     */
    public Value apply(OnnxGraphBuilder graph, Value rows) {
        Optional<Value> quantized = quantized(graph, rows);
        if (quantized.isPresent()) {
            return quantized.get();
        }
        Transposition transposeWeight = layout == WeightLayout.OUT_IN ? Transposition.TRANSPOSED : Transposition.AS_IS;
        if (bias.isPresent()) {
            return graph.gemm(rows, weight, bias.get(), 1.0f, 1.0f, Transposition.AS_IS, transposeWeight);
        }
        // Gemm's C is broadcast; beta 0 makes the zero a formality ONNX Runtime skips
        return graph.gemm(rows, weight, graph.scalar(ElementType.FLOAT, 0.0), 1.0f, 0.0f, Transposition.AS_IS,
                transposeWeight);
    }

    /**
     * {@code x · W (+ b)} on the last axis of {@code x} {@code [..., in]}, any rank (MatMul, then Add); with quantized
     * dense weights, as the quantized MatMul ({@link #quantized}).
     */
    public Value applyToLastAxis(OnnxGraphBuilder graph, Value x) {
        Optional<Value> quantized = quantized(graph, x);
        if (quantized.isPresent()) {
            return quantized.get();
        }
        Value matrix = layout == WeightLayout.OUT_IN ? graph.transpose(weight, 1, 0) : weight;
        Value product = graph.matMul(x, matrix);
        return bias.map(b -> graph.add(product, b)).orElse(product);
    }

    /**
     * The layer as ONNX Runtime's quantized MatMul when the graph quantizes dense weights and the weight is a
     * checkpoint tensor (an initializer; a computed weight stays float): the weight {@code [out, in]} (GPT-2's
     * {@code Conv1D} transposed first) quantized while written, named after it as ONNX Runtime's quantizers name
     * theirs, and the bias folded into the node.
     * <ul>
     *   <li>{@link ChannelInt8}: {@code DynamicQuantizeMatMul}, the node ONNX Runtime fuses its dynamic quantizer's
     *       {@code DynamicQuantizeLinear + MatMulInteger + Cast + Mul} into ({@code <weight>_quantized},
     *       {@code _scale}, {@code _zero_point});</li>
     *   <li>{@link BlockInt4}: {@code MatMulNBits} ({@code <weight>_Q4}, {@code _scales}, {@code _zero_points}).</li>
     * </ul>
     * A weight used elsewhere as well (an embedding table tied to the LM head) keeps its float initializer for
     * those uses; the quantized tensors are stored once however many layers share the weight.
     */
    private Optional<Value> quantized(OnnxGraphBuilder graph, Value x) {
        Optional<WeightQuantizer> quantizer = graph.denseWeightQuantizer();
        if (quantizer.isEmpty() || x.elementType() != ElementType.FLOAT || weight.elementType() != ElementType.FLOAT) {
            return Optional.empty();
        }
        Optional<TensorData> data = graph.replacedInitializer(weight);
        if (data.isEmpty()) {
            return Optional.empty();
        }
        String name = weight.name();
        TensorData matrix = layout == WeightLayout.OUT_IN ? data.get() : data.get().transposed();
        QuantizedMatrix quantized = quantizer.get().quantize(matrix);
        if (quantizer.get() instanceof BlockInt4 blocks) {
            return Optional.of(graph.matMulNBits(x, graph.initializer(name + "_Q4", quantized.values()),
                    graph.initializer(name + "_scales", quantized.scales()),
                    quantized.zeroPoints().map(zeroPoints -> graph.initializer(name + "_zero_points", zeroPoints)),
                    bias, inFeatures, outFeatures, blocks.blockSize(), blocks.accuracyLevel()));
        }
        return Optional.of(graph.dynamicQuantizeMatMul(x, graph.initializer(name + "_quantized", quantized.values()),
                graph.initializer(name + "_scale", quantized.scales()),
                quantized.zeroPoints().map(zeroPoint -> graph.initializer(name + "_zero_point", zeroPoint)), bias));
    }
}
