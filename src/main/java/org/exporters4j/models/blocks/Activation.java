package org.exporters4j.models.blocks;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.GeluApproximation;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The activation functions of Transformers' {@code ACT2FN} table (transformers/activations.py, 4.25.1), by the
 * names config files use ({@code hidden_act}, {@code activation}, {@code summary_activation}), each as the ONNX
 * arithmetic that computes it in float32.
 */
public enum Activation {
    /** Exact GELU: {@code x · ½ · (1 + erf(x / √2))} ({@code nn.GELU()}). */
    GELU("gelu"),
    /** GELU with values clipped to [−10, 10] ({@code ClippedGELUActivation(-10, 10)}). */
    GELU_10("gelu_10"),
    /** The tanh approximation, as {@code FastGELUActivation}: {@code ½x(1 + tanh(x · 0.7978845608 · (1 + 0.044715x²)))}. */
    GELU_FAST("gelu_fast"),
    /** The tanh approximation of GPT-2 / BERT's original code ({@code NewGELUActivation}). */
    GELU_NEW("gelu_new"),
    /** Exact GELU written in Python ({@code GELUActivation(use_gelu_python=True)}); the same function. */
    GELU_PYTHON("gelu_python"),
    /** {@code nn.GELU(approximate="tanh")}; the same function as gelu_new. */
    GELU_PYTORCH_TANH("gelu_pytorch_tanh"),
    /** The identity ({@code LinearActivation}). */
    LINEAR("linear"),
    /** {@code x · tanh(softplus(x))}. */
    MISH("mish"),
    /** {@code x · sigmoid(1.702 x)} ({@code QuickGELUActivation}). */
    QUICK_GELU("quick_gelu"),
    RELU("relu"),
    /** {@code min(max(x, 0), 6)}. */
    RELU6("relu6"),
    SIGMOID("sigmoid"),
    /** {@code x · sigmoid(x)}. */
    SILU("silu"),
    /** Another name of silu in ACT2FN. */
    SWISH("swish"),
    TANH("tanh");

    private final String configName;

    Activation(String configName) {
        this.configName = configName;
    }

    /** The name config files use, e.g. {@code gelu_new}. */
    public String configName() {
        return configName;
    }

    /** The activation a config file names; an unknown name lists the known ones. */
    public static Activation named(String name, String option, String source) {
        for (Activation activation : values()) {
            if (activation.configName.equals(name)) {
                return activation;
            }
        }
        throw new UnsupportedConfigException(source + " sets " + option + " \"" + name + "\", which is not an "
                + "activation of Transformers' ACT2FN that this exporter builds; use one of "
                + Arrays.stream(values()).map(Activation::configName).collect(Collectors.joining(", ")));
    }

    /** The activation a config key names (e.g. {@code hidden_act}), with the config's default for it. */
    public static Activation fromConfig(ModelConfig config, String option) {
        return named(config.stringValue(option), option, config.source());
    }

    /** The activation applied to {@code x} (float32). */
    public Value apply(OnnxGraphBuilder graph, Value x) {
        ElementType type = x.elementType();
        return switch (this) {
            case GELU, GELU_PYTHON -> graph.gelu(x, GeluApproximation.NONE);
            case GELU_NEW, GELU_PYTORCH_TANH -> graph.gelu(x, GeluApproximation.TANH);
            case GELU_10 -> graph.clip(graph.gelu(x, GeluApproximation.NONE), -10.0, 10.0);
            case GELU_FAST -> {
                Value inner = graph.mul(graph.mul(x, graph.scalar(type, 0.7978845608)),
                        graph.add(graph.scalar(type, 1.0), graph.mul(graph.mul(x, x), graph.scalar(type, 0.044715))));
                yield graph.mul(graph.mul(x, graph.scalar(type, 0.5)), graph.add(graph.scalar(type, 1.0),
                        graph.tanh(inner)));
            }
            case LINEAR -> x;
            case MISH -> {
                // softplus(x) = log(1 + exp(x)); where exp overflows, tanh(inf) = 1 keeps x · 1 exact
                Value softplus = graph.log(graph.add(graph.exp(x), graph.scalar(type, 1.0)));
                yield graph.mul(x, graph.tanh(softplus));
            }
            case QUICK_GELU -> graph.mul(x, graph.sigmoid(graph.mul(x, graph.scalar(type, 1.702))));
            case RELU -> graph.relu(x);
            case RELU6 -> graph.clip(x, 0.0, 6.0);
            case SIGMOID -> graph.sigmoid(x);
            case SILU, SWISH -> graph.mul(x, graph.sigmoid(x));
            case TANH -> graph.tanh(x);
        };
    }
}
