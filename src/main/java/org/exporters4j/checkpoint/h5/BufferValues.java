package org.exporters4j.checkpoint.h5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.exporters4j.checkpoint.TensorInfo;

/**
 * The values of a buffer PyTorch registers itself, computed rather than read. Each kind writes any run of the
 * tensor's little-endian bytes, so a large buffer can be streamed without holding it whole.
 */
sealed interface BufferValues {

    /**
     * Writes the tensor's bytes from {@code firstByte} (a multiple of the element size) into {@code out} until it is
     * full or the tensor ends.
     */
    void write(TensorInfo info, long firstByte, ByteBuffer out);

    /** {@code 0, 1, 2, ...} over all elements, int64 (PyTorch's {@code arange}). */
    record Range() implements BufferValues {
        @Override
        public void write(TensorInfo info, long firstByte, ByteBuffer out) {
            ByteBuffer target = out.order(ByteOrder.LITTLE_ENDIAN);
            for (long element = firstByte / Long.BYTES; element < info.elementCount() && target.remaining() >= Long.BYTES;
                    element++) {
                target.putLong(element);
            }
        }
    }

    /**
     * uint8 ones on and below the diagonal of the last two (equal) dimensions, zeros above (PyTorch's
     * {@code tril(ones(n, n))}).
     */
    record LowerTriangle() implements BufferValues {
        @Override
        public void write(TensorInfo info, long firstByte, ByteBuffer out) {
            long columns = info.shape().get(info.rank() - 1);
            long rows = info.shape().get(info.rank() - 2);
            for (long element = firstByte; element < info.elementCount() && out.hasRemaining(); element++) {
                long column = element % columns;
                long row = (element / columns) % rows;
                out.put(column <= row ? (byte) 1 : (byte) 0);
            }
        }
    }

    /** Every element the same float32 value. */
    record Filled(float value) implements BufferValues {
        @Override
        public void write(TensorInfo info, long firstByte, ByteBuffer out) {
            ByteBuffer target = out.order(ByteOrder.LITTLE_ENDIAN);
            for (long element = firstByte / Float.BYTES;
                    element < info.elementCount() && target.remaining() >= Float.BYTES; element++) {
                target.putFloat(value);
            }
        }
    }
}
