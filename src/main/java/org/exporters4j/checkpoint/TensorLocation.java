package org.exporters4j.checkpoint;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where a tensor's elements lie in a weight file: a storage (a byte range of the file) and, as in PyTorch, an
 * element offset into it and one stride per dimension (in elements). The format readers produce these from a
 * file's header; {@link MappedWeights} serves the bytes.
 *
 * <p>The compact constructor checks that every element the view addresses lies inside the storage, so a reader
 * that builds a location from untrusted numbers cannot address bytes outside it (it reports the
 * {@link IllegalArgumentException} as a corrupt file, with the file name).
 *
 * @param info the tensor's name, type and shape
 * @param storageStart the byte offset of the storage in the file
 * @param storageLength the storage's length in bytes
 * @param elementOffset the view's first element, counted in elements from the storage start
 * @param strides the view's stride per dimension, in elements, one per dimension of the shape, none negative
 * @param byteOrder the order of the bytes of each element in the file
 */
public record TensorLocation(TensorInfo info, long storageStart, long storageLength, long elementOffset,
                             List<Long> strides, ByteOrder byteOrder) {
    public TensorLocation {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(byteOrder, "byteOrder");
        strides = List.copyOf(strides);
        if (storageStart < 0 || storageLength < 0 || elementOffset < 0) {
            throw new IllegalArgumentException("tensor '" + info.name() + "' has a negative storage start, length or"
                    + " offset (" + storageStart + ", " + storageLength + ", " + elementOffset + ")");
        }
        if (strides.size() != info.rank()) {
            throw new IllegalArgumentException("tensor '" + info.name() + "' has shape " + info.shape() + " but "
                    + strides.size() + " strides " + strides);
        }
        for (long stride : strides) {
            if (stride < 0) {
                throw new IllegalArgumentException("tensor '" + info.name() + "' has a negative stride in " + strides);
            }
        }
        if (info.elementCount() > 0) {
            try {
                long last = elementOffset;
                for (int i = 0; i < strides.size(); i++) {
                    last = Math.addExact(last, Math.multiplyExact(info.shape().get(i) - 1, strides.get(i)));
                }
                long end = Math.multiplyExact(Math.addExact(last, 1), (long) info.dtype().byteSize());
                if (end > storageLength) {
                    throw new IllegalArgumentException("tensor '" + info.name() + "' (shape " + info.shape()
                            + ", strides " + strides + ", offset " + elementOffset + ", " + info.dtype()
                            + ") reaches byte " + end + " of a storage of " + storageLength + " bytes");
                }
                Math.addExact(storageStart, storageLength);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '" + info.name() + "' has offsets or strides that overflow"
                        + " 64 bits (shape " + info.shape() + ", strides " + strides + ")", e);
            }
        }
    }

    /** A tensor stored contiguously, little-endian, at {@code start}: safetensors' layout. */
    public static TensorLocation contiguous(TensorInfo info, long start) {
        return new TensorLocation(info, start, info.byteSize(), 0, rowMajorStrides(info.shape()),
                ByteOrder.LITTLE_ENDIAN);
    }

    /** The strides of a contiguous row-major tensor of this shape: {@code [6, 3, 1]} for {@code [4, 2, 3]}. */
    public static List<Long> rowMajorStrides(List<Long> shape) {
        // filled from the last axis backwards into an array: linear in the rank (inserting at the front of a list
        // was quadratic, minutes for a [1]*N + [0] shape of a large header)
        Long[] strides = new Long[shape.size()];
        long stride = 1;
        for (int i = shape.size() - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= Math.max(shape.get(i), 1);
        }
        return Arrays.asList(strides);
    }

    /**
     * Whether the file holds the tensor as its contiguous little-endian bytes (one slice of the file). As PyTorch's
     * {@code is_contiguous}, a dimension of size 1 may have any stride.
     */
    public boolean isContiguous() {
        if (byteOrder != ByteOrder.LITTLE_ENDIAN && info.dtype().byteSize() > 1) {
            return false;
        }
        if (info.elementCount() == 0) {
            return true;
        }
        long expected = 1;
        for (int i = info.rank() - 1; i >= 0; i--) {
            long size = info.shape().get(i);
            if (size != 1 && strides.get(i) != expected) {
                return false;
            }
            expected *= size;
        }
        return true;
    }

    /** The file offset of the view's first element. */
    public long firstByte() {
        return storageStart + elementOffset * info.dtype().byteSize();
    }
}
