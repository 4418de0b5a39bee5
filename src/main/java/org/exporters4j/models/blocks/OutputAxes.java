package org.exporters4j.models.blocks;

import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Keeps the interface's name of axis 1 on a graph output whose size the graph fixes (a channel or label count).
 * ONNX Runtime merges its own shape inference into the declared output shapes, and an inferred size replaces a
 * declared axis name; Optimum's interface names such axes anyway (ViTOnnxConfig: {@code logits} axis 1
 * {@code sequence_length}), as PyTorch's exporter declares them. Reshaping the output to its own runtime shape with
 * axis 1 as −1 computes nothing new but leaves that size to run time, so the declared name stands.
 */
public final class OutputAxes {
    private OutputAxes() {}

    /** {@code x} (rank 2 to 4, batch first) reshaped to {@code [batch, −1, rest…]} of its own runtime shape. */
    public static Value unpinned(OnnxGraphBuilder graph, Value x, int rank) {
        if (rank < 2 || rank > 4) {
            throw new IllegalArgumentException("unpinned needs a rank of 2 to 4, got " + rank);
        }
        Value batch = graph.shape(x, 0, 1);
        Value shape = rank == 2
                ? graph.concat(0, batch, graph.constant(-1))
                : graph.concat(0, batch, graph.constant(-1), graph.shape(x, 2, rank));
        return graph.reshape(x, shape);
    }
}
