package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The runtime size of a batch of token sequences: the graph computes {@code [batch, sequence]} from the ids, so
 * every reshape follows the dynamic axes. Hidden states travel through the encoder as rows
 * {@code [batch × sequence, hidden]} (what Gemm takes) and are viewed as {@code [batch, sequence, …]} where a
 * block needs the sequence axis.
 *
 * @param batchAndSequence 1-D int64 {@code [batch, sequence]}
 */
public record TokenGrid(Value batchAndSequence) {
    public TokenGrid {
        Objects.requireNonNull(batchAndSequence, "batchAndSequence");
    }

    /** The grid of 2-D int64 ids {@code [batch, sequence]}. */
    public static TokenGrid of(OnnxGraphBuilder graph, Value ids) {
        return new TokenGrid(graph.shape(ids));
    }

    /** The sequence length as a rank-0 int64 tensor. */
    public Value sequenceLength(OnnxGraphBuilder graph) {
        return graph.gather(batchAndSequence, graph.scalar(1), 0);
    }

    /** The 1-D shape {@code [batch, sequence, trailing...]}. */
    public Value shapeWith(OnnxGraphBuilder graph, long... trailing) {
        return graph.concat(0, batchAndSequence, graph.constant(trailing));
    }

    /** {@code rows [batch × sequence, …]} viewed as {@code [batch, sequence, size]}. */
    public Value unflatten(OnnxGraphBuilder graph, Value rows, long size) {
        return graph.reshape(rows, shapeWith(graph, size));
    }

    /** The positions {@code 0 … sequence − 1} as a 1-D int64 tensor. */
    public Value positions(OnnxGraphBuilder graph) {
        return graph.range(graph.scalar(0), sequenceLength(graph), graph.scalar(1));
    }
}
