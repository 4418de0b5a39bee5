package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * A stack of numbered layers as Transformers stores them ({@code nn.ModuleList}): layer {@code i} lives under
 * {@code <base><path>.<i>.} (e.g. {@code bert.encoder.layer.3.}), reads the previous layer's output and builds its
 * nodes in the graph scope {@code <path>.<i>}.
 *
 * @param base the checkpoint's base-model prefix, with its dot ({@code "bert."}) or empty
 * @param path the module list's path below it, e.g. {@code "encoder.layer"}
 * @param count how many layers there are
 */
public record LayerStack(String base, String path, int count) {

    /** One layer: its output for {@code input}, its weights under {@code prefix} (which ends with a dot). */
    @FunctionalInterface
    public interface Layer {
        Value apply(int index, String prefix, Value input);
    }

    public LayerStack {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(path, "path");
        if (count < 0) {
            throw new IllegalArgumentException("a layer stack needs a count of at least 0, got " + count);
        }
    }

    /**
     * The layer count config.json sets under {@code key} ({@code num_hidden_layers}, {@code n_layer} …); a negative
     * count is refused naming the key ({@link ModelConfig#nonNegativeInt}).
     */
    public static int count(ModelConfig config, String key) {
        return config.nonNegativeInt(key);
    }

    /** The last layer's output, layer 0 applied to {@code input}. */
    public Value apply(OnnxGraphBuilder graph, Value input, Layer layer) {
        Value current = input;
        for (int index = 0; index < count; index++) {
            String scope = path + "." + index;
            Value previous = current;
            int at = index;
            current = graph.inScope(scope, () -> layer.apply(at, base + scope + ".", previous));
        }
        return current;
    }
}
