package org.exporters4j.models.blocks;

import java.util.OptionalLong;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Which token's logits a decoder's sequence classifier returns ({@code *ForSequenceClassification} pools at the
 * "last" token, found from {@code pad_token_id} in the ids; each Transformers version has its rule). Without a pad
 * token id every rule takes the last position, as Transformers does for a batch of one.
 */
public enum LastTokenPooling {
    /** Transformers 4.25.1 (GPT-2, GPT-Neo, GPT-J, BLOOM): {@code ne(input_ids, pad).sum(-1) − 1}. */
    COUNT_OF_NON_PADDING_MINUS_ONE,
    /** Transformers 4.31 (Llama then): {@code eq(input_ids, pad).argmax(-1) − 1}, where −1 (no pad) is the last token. */
    FIRST_PADDING_MINUS_ONE,
    /**
     * Transformers 4.51 (Llama, Mistral, Qwen2 and today's decoders): the rightmost token that is not padding (0 when
     * every token is).
     */
    RIGHTMOST_NON_PADDING;

    /**
     * The pooled position of each row, int64 {@code [batch]} in {@code [0, sequence)} (negative indices wrapped as
     * PyTorch indexing wraps them).
     */
    public Value positions(OnnxGraphBuilder graph, Value inputIds, TokenGrid grid, OptionalLong padTokenId) {
        Value length = grid.sequenceLength(graph);
        if (padTokenId.isEmpty()) {
            return graph.sub(graph.reshape(graph.expand(graph.unsqueeze(length, 0), graph.shape(inputIds, 0, 1)),
                    -1), graph.scalar(1));
        }
        Value pad = graph.scalar(padTokenId.getAsLong());
        Value isPad = graph.equal(inputIds, pad);
        Value index = switch (this) {
            case COUNT_OF_NON_PADDING_MINUS_ONE -> graph.sub(graph.reduceSum(
                    graph.cast(graph.not(isPad), ElementType.INT64), KeepDims.NO, 1), graph.scalar(1));
            // the first pad's column (the length when there is none), minus one
            case FIRST_PADDING_MINUS_ONE -> graph.sub(graph.reduceMin(
                    graph.where(isPad, columns(graph, grid), graph.unsqueeze(length, 0)), KeepDims.NO, 1), graph.scalar(1));
            case RIGHTMOST_NON_PADDING -> graph.reduceMax(
                    graph.where(isPad, graph.scalar(0), columns(graph, grid)), KeepDims.NO, 1);
        };
        Value wrapped = graph.add(index, length);
        return graph.where(graph.less(index, graph.scalar(0)), wrapped, index);
    }

    private static Value columns(OnnxGraphBuilder graph, TokenGrid grid) {
        return graph.unsqueeze(grid.positions(graph), 0);
    }

    /** Rows {@code [batch × sequence, width]} pooled at {@link #positions}: {@code [batch, width]}. */
    public Value pool(OnnxGraphBuilder graph, Value rows, Value inputIds, TokenGrid grid, OptionalLong padTokenId) {
        Value positions = positions(graph, inputIds, grid, padTokenId);
        Value batch = graph.gather(grid.batchAndSequence(), graph.scalar(0), 0);
        Value rowStarts = graph.mul(graph.range(graph.scalar(0), batch, graph.scalar(1)), grid.sequenceLength(graph));
        return graph.gather(rows, graph.add(rowStarts, positions), 0);
    }
}
