package org.exporters4j.models.blocks;

import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The additive attention mask of Transformers' {@code get_extended_attention_mask} (4.25.1): a 0/1 mask
 * {@code [batch, sequence]} becomes {@code (1 − mask) · finfo(float32).min}, shaped {@code [batch, 1, 1, sequence]}
 * to broadcast over heads and queries; a causal model multiplies the mask by the lower triangle first, giving
 * {@code [batch, 1, sequence, sequence]}. Added to the attention scores, it drives masked positions' softmax weights
 * to zero. (DistilBERT's {@code masked_fill} with the same minimum gives the same probabilities.)
 */
public final class AttentionMask {
    /** {@code torch.finfo(torch.float32).min}. */
    public static final double FLOAT32_MIN = -Float.MAX_VALUE;

    private AttentionMask() {}

    /**
     * The additive mask for int64 {@code mask} {@code [batch, sequence]} (1 = attend); no mask means every
     * position is attended (Transformers' default of ones).
     */
    public static Value additive(OnnxGraphBuilder graph, Value mask, AttentionDirection direction, TokenGrid grid) {
        ElementType type = ElementType.FLOAT;
        Value keep = mask == null
                ? graph.constantOfShape(grid.batchAndSequence(), type, 1.0)
                : graph.cast(mask, type);
        Value extended = graph.unsqueeze(keep, 1, 2);
        if (direction == AttentionDirection.CAUSAL) {
            // key <= query, written as not(key > query): LessOrEqual needs opset 12
            Value lower = graph.cast(graph.not(CausalMask.future(graph, graph.scalar(0), grid.sequenceLength(graph))),
                    type);
            extended = graph.mul(graph.unsqueeze(lower, 0, 1), extended);
        }
        return graph.mul(graph.sub(graph.scalar(type, 1.0), extended), graph.scalar(type, FLOAT32_MIN));
    }
}
