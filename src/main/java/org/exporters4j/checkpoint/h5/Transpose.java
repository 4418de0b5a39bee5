package org.exporters4j.checkpoint.h5;

import java.util.ArrayList;
import java.util.List;

/**
 * How a TensorFlow weight's axes are reordered into PyTorch's layout; as Transformers' {@code TransposeType} in
 * {@code modeling_tf_pytorch_utils.py}, in the TF-to-PyTorch direction.
 */
public enum Transpose {
    /** Same layout (biases, layer norms, embeddings, GPT-2's Conv1D weights). */
    NONE,
    /** A dense kernel {@code [in, out]} to a Linear weight {@code [out, in]}: every axis reversed (numpy.transpose). */
    MATRIX,
    /** A Conv1D kernel {@code [kernel, in, out]} to {@code [out, in, kernel]}: axes (2, 1, 0). */
    CONV1D,
    /** A Conv2D kernel {@code [kh, kw, in, out]} to {@code [out, in, kh, kw]}: axes (3, 2, 0, 1). */
    CONV2D;

    /**
     * For each PyTorch axis, the TensorFlow axis it comes from, for a weight of {@code rank} dimensions.
     *
     * @throws IllegalArgumentException if this transpose does not apply to that rank (CONV1D needs 3, CONV2D 4)
     */
    public List<Integer> sourceAxes(int rank) {
        List<Integer> axes = new ArrayList<>(rank);
        switch (this) {
            case NONE -> {
                for (int axis = 0; axis < rank; axis++) {
                    axes.add(axis);
                }
            }
            case MATRIX -> {
                for (int axis = rank - 1; axis >= 0; axis--) {
                    axes.add(axis);
                }
            }
            case CONV1D -> {
                requireRank(rank, 3);
                axes.addAll(List.of(2, 1, 0));
            }
            case CONV2D -> {
                requireRank(rank, 4);
                axes.addAll(List.of(3, 2, 0, 1));
            }
        }
        return List.copyOf(axes);
    }

    /** The PyTorch shape of a TensorFlow weight of shape {@code tensorFlowShape}. */
    public List<Long> pyTorchShape(List<Long> tensorFlowShape) {
        List<Long> shape = new ArrayList<>(tensorFlowShape.size());
        for (int axis : sourceAxes(tensorFlowShape.size())) {
            shape.add(tensorFlowShape.get(axis));
        }
        return List.copyOf(shape);
    }

    private void requireRank(int rank, int expected) {
        if (rank != expected) {
            throw new IllegalArgumentException(this + " applies to weights of rank " + expected + ", not " + rank);
        }
    }
}
