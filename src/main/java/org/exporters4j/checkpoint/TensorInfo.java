package org.exporters4j.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * A tensor's name, element type and shape, as a checkpoint declares them. A scalar has the empty shape and one
 * element; a dimension of size 0 gives an empty tensor.
 */
public record TensorInfo(String name, DType dtype, List<Long> shape) {
    /**
     * The most dimensions a tensor may have: NumPy 2's {@code NPY_MAXDIMS}. No model weight comes near it; the cap
     * keeps a header that declares a shape of a million unit axes from costing work per axis everywhere.
     */
    public static final int MAX_RANK = 64;

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        if (shape.size() > MAX_RANK) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.size() + " dimensions, more than"
                    + " the " + MAX_RANK + " any tensor library allows (NumPy's limit)");
        }
        shape = List.copyOf(shape);
        long elements = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension in shape " + shape);
            }
            try {
                elements = Math.multiplyExact(elements, dimension);
                Math.multiplyExact(elements, (long) dtype.byteSize());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '" + name + "' with shape " + shape + " and type "
                        + dtype + " is larger than 2^63 bytes", e);
            }
        }
    }

    /** The product of the shape (1 for a scalar). */
    public long elementCount() {
        long elements = 1;
        for (long dimension : shape) {
            elements *= dimension;
        }
        return elements;
    }

    /** Bytes of the tensor's contiguous data: elements times the element size. */
    public long byteSize() {
        return elementCount() * dtype.byteSize();
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.size();
    }
}
