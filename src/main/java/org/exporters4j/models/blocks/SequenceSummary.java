package org.exporters4j.models.blocks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Transformers' {@code SequenceSummary} (modeling_utils.py, 4.25.1): one vector per sequence from the last hidden
 * states, then an optional projection ({@code summary_use_proj}, to {@code num_labels} outputs when
 * {@code summary_proj_to_labels}, else to {@code hidden_size}) and an optional activation
 * ({@code summary_activation}). Dropout is the identity at inference.
 *
 * <p>Options the config does not have take {@code SequenceSummary}'s own fallbacks ({@code getattr(config,
 * "summary_type", "last")}, no projection, no activation): a config class that defines none of them (BigBird,
 * RoFormer) summarises a sequence by its last token. The graphs here never take a {@code cls_index} input, so
 * {@code cls_index} summarises by the last token too, as {@code SequenceSummary} does without one.
 *
 * @param type how the tokens are reduced
 * @param projection {@code <prefix>.summary}, when {@code summary_use_proj}
 * @param activation {@code summary_activation}, when set to a non-empty name
 */
public record SequenceSummary(Type type, Optional<Linear> projection, Optional<Activation> activation) {

    /** {@code summary_type}. */
    public enum Type {
        /** The last token ({@code hidden_states[:, -1]}). */
        LAST,
        /** The first token ({@code hidden_states[:, 0]}). */
        FIRST,
        /** The mean over the sequence, padding included ({@code hidden_states.mean(dim=1)}). */
        MEAN,
        /** The token at {@code cls_index}; without that input, the last token. */
        CLS_INDEX;

        String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SequenceSummary {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(projection, "projection");
        Objects.requireNonNull(activation, "activation");
    }

    /**
     * The summary as {@code config} configures it, its projection read from {@code <prefix>.summary.weight} /
     * {@code .bias} (e.g. prefix {@code sequence_summary}).
     */
    public static SequenceSummary load(ModelConfig config, Parameters parameters, String prefix, long hidden) {
        String typeName = config.optionalString("summary_type").orElse("last");
        Type type = Arrays.stream(Type.values()).filter(t -> t.configName().equals(typeName)).findFirst()
                .orElseThrow(() -> new UnsupportedConfigException(config.source() + " sets summary_type \"" + typeName
                        + "\", which Transformers' SequenceSummary does not compute (\"attn\" raises "
                        + "NotImplementedError there too); use one of " + Arrays.stream(Type.values())
                        .map(Type::configName).collect(Collectors.joining(", "))));
        Optional<Linear> projection = Optional.empty();
        if (config.optionalBoolean("summary_use_proj").orElse(false)) {
            boolean toLabels = config.optionalBoolean("summary_proj_to_labels").orElse(false)
                    && config.numLabels() > 0;
            long outputs = toLabels ? config.numLabels() : hidden;
            projection = Optional.of(Linear.load(parameters, prefix + ".summary", hidden, outputs));
        }
        Optional<Activation> activation = config.optionalString("summary_activation")
                .filter(name -> !name.isEmpty())
                .map(name -> Activation.named(name, "summary_activation", config.source()));
        return new SequenceSummary(type, projection, activation);
    }

    /** The size of one summary vector. */
    public long outputSize(long hidden) {
        return projection.map(Linear::outFeatures).orElse(hidden);
    }

    /** The summary of each sequence, {@code [batch, outputSize]}, from rows {@code [batch × sequence, hidden]}. */
    public Value apply(OnnxGraphBuilder graph, TokenGrid grid, Value rows, long hidden) {
        Value states = grid.unflatten(graph, rows, hidden);
        Value summary = switch (type) {
            case FIRST -> graph.gather(states, graph.scalar(0), 1);
            case LAST, CLS_INDEX -> graph.gather(states, graph.scalar(-1), 1);
            case MEAN -> graph.reduceMean(states, KeepDims.NO, 1);
        };
        if (projection.isPresent()) {
            summary = projection.get().apply(graph, summary);
        }
        if (activation.isPresent()) {
            summary = activation.get().apply(graph, summary);
        }
        return summary;
    }
}
