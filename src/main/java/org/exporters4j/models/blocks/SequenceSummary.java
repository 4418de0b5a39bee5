package org.exporters4j.models.blocks;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Transformers' {@code SequenceSummary} (modeling_utils.py, 4.25.1), one vector per sequence, configured as it
 * reads the config with {@code getattr} and these fallbacks: {@code summary_type} "last", a projection only when
 * {@code summary_use_proj} is true (to {@code num_labels} when {@code summary_proj_to_labels}, else to
 * {@code hidden_size}), an activation only when {@code summary_activation} names one. A model type's own config
 * defaults (ELECTRA's "first" …) come from {@link ModelConfig}. Dropout is the identity at inference.
 */
public final class SequenceSummary {
    private SequenceSummary() {}

    /**
     * The summary {@code [batch, width]} of rows {@code [batch × sequence, hidden]}.
     *
     * @param prefix the module's weights, e.g. {@code "sequence_summary"} ({@code <prefix>.summary.weight})
     */
    public static Value apply(OnnxGraphBuilder graph, Parameters parameters, ModelConfig config, TokenGrid grid,
                              Value rows, long hidden, String prefix) {
        String type = config.optionalString("summary_type").orElse("last");
        Value states = grid.unflatten(graph, rows, hidden);
        Value summary = switch (type) {
            case "first" -> graph.gather(states, graph.scalar(0), 1);
            // cls_index without a cls_index input takes the last token, as SequenceSummary does
            case "last", "cls_index" -> graph.gather(states, graph.scalar(-1), 1);
            case "mean" -> graph.reduceMean(states, KeepDims.NO, 1);
            default -> throw new UnsupportedConfigException(config.source() + " sets summary_type \"" + type
                    + "\", which SequenceSummary does not compute (\"attn\" is not implemented in Transformers"
                    + " either); use first, last, mean or cls_index");
        };
        if (config.optionalBoolean("summary_use_proj").orElse(false)) {
            boolean toLabels = config.optionalBoolean("summary_proj_to_labels").orElse(false)
                    && config.numLabels() > 0;
            long width = toLabels ? config.numLabels() : hidden;
            summary = Linear.load(parameters, prefix + ".summary", hidden, width).apply(graph, summary);
        }
        String activation = config.optionalString("summary_activation").orElse("");
        return activation.isEmpty() ? summary
                : Activation.named(activation, "summary_activation", config.source()).apply(graph, summary);
    }
}
