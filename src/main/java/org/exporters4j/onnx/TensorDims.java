package org.exporters4j.onnx;

import java.util.List;
import java.util.Objects;

/** Checks and arithmetic on tensor dimension lists, shared by the tensor data implementations. */
final class TensorDims {
    /** The largest tensor viewed as one {@link java.nio.ByteBuffer} (Java arrays and buffers are int-indexed). */
    static final long MAX_BUFFER_BYTES = Integer.MAX_VALUE - 8;

    private TensorDims() {}

    /** An unmodifiable copy of {@code dims}, each 0 or more, with an element count that fits a long. */
    static List<Long> checked(List<Long> dims) {
        if (dims == null || dims.stream().anyMatch(Objects::isNull)) {
            throw new OnnxGraphException("tensor dimensions must be a list of sizes without nulls, got " + dims);
        }
        for (long dim : dims) {
            if (dim < 0) {
                throw new OnnxGraphException("tensor dimensions must be 0 or more, got " + dims);
            }
        }
        List<Long> copy = List.copyOf(dims);
        try {
            elementCount(copy);
        } catch (ArithmeticException e) {
            throw new OnnxGraphException("tensor dimensions " + dims + " have more elements than fit in a long", e);
        }
        return copy;
    }

    static long elementCount(List<Long> dims) {
        long count = 1;
        for (long dim : dims) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** The product of {@code dims[from, to)}. */
    static long product(List<Long> dims, int from, int to) {
        long count = 1;
        for (int i = from; i < to; i++) {
            count = Math.multiplyExact(count, dims.get(i));
        }
        return count;
    }
}
