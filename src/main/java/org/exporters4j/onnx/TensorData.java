package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.List;

/**
 * The contents of a tensor (an initializer or a constant), as raw little-endian bytes in row-major order.
 *
 * <p>Contract: {@link #writeTo} writes exactly {@link #byteSize()} bytes each time it is called, so a writer can
 * stream weights from memory-mapped files into the model without holding the model on the heap. Tensors are written
 * from several threads at once ({@link ModelWriter} streams them in parallel, each thread to its own channel), so
 * {@code writeTo} and {@link #bytes()} must be safe to call concurrently. Implementations
 * backed by a mapped file return a view of it; derived tensors ({@link #transposed()}, {@link #convertedTo},
 * {@link #concatenated}, {@link #reshaped}) are lazy and compute their bytes tensor by tensor when written.
 *
 * <p>{@link #identity()} decides which tensors are the same weight: a graph stores tensors with equal identities
 * once (tied weights). Derived tensors have equal identities when their sources and operations are equal.
 */
public interface TensorData {

    ElementType elementType();

    /** The dimensions, outermost first; empty for a scalar. */
    List<Long> dims();

    /** Writes all {@link #byteSize()} bytes, little-endian, row-major, to {@code channel}. */
    void writeTo(WritableByteChannel channel) throws IOException;

    default long elementCount() {
        return TensorDims.elementCount(dims());
    }

    default long byteSize() {
        return Math.multiplyExact(elementCount(), (long) elementType().byteWidth());
    }

    /**
     * A read-only little-endian view of all bytes. Tensors backed by a buffer return a view of it; others compute
     * their bytes into a heap buffer on each call. Tensors of 2 GiB or more cannot be viewed as one buffer and are
     * only written with {@link #writeTo}.
     */
    default ByteBuffer bytes() {
        long size = byteSize();
        if (size > TensorDims.MAX_BUFFER_BYTES) {
            throw new OnnxGraphException("a " + elementType().onnxName() + dims() + " tensor of " + size
                    + " bytes is too large to view as one buffer; stream it with writeTo instead");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        try {
            writeTo(new ByteBufferChannel(buffer));
        } catch (IOException e) {
            throw new OnnxGraphException("cannot compute the bytes of a " + elementType().onnxName() + dims()
                    + " tensor: " + e.getMessage(), e);
        }
        if (buffer.hasRemaining()) {
            throw new OnnxGraphException("a " + elementType().onnxName() + dims() + " tensor wrote "
                    + buffer.position() + " bytes but declares " + size);
        }
        buffer.flip();
        return buffer.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The key that identifies this weight; equal keys are stored once. By default the object itself. */
    default Object identity() {
        return this;
    }

    /** The transpose of this 2-D matrix ({@code [rows, columns]} becomes {@code [columns, rows]}), computed lazily. */
    default TensorData transposed() {
        return new TransposedTensorData(this);
    }

    /**
     * This tensor converted to {@code target}, computed lazily while written: between floating-point types
     * (float16 and bfloat16 widen exactly; narrowing rounds to nearest even) or between integer types (a value out
     * of range is an error). Returns this tensor when the type is already {@code target}.
     */
    default TensorData convertedTo(ElementType target) {
        return target == elementType() ? this : new ConvertedTensorData(this, target);
    }

    /**
     * This floating-point tensor in the 16-bit float type {@code half} ({@link ElementType#FLOAT16} or
     * {@link ElementType#BFLOAT16}) as ONNX Runtime's float16 converter stores a weight (finite values saturate
     * instead of overflowing, tiny ones stay nonzero: {@link NarrowedTensorData}), computed lazily while written.
     * Returns this tensor when it is already {@code half}. Derived tensors narrow their sources, so a checkpoint
     * weight stored in {@code half} (and widened to float32 for a float32 graph) is written as stored, with no round
     * trip through float32.
     */
    default TensorData narrowedTo(ElementType half) {
        return half == elementType() ? this : new NarrowedTensorData(this, half);
    }

    /** The same bytes under other dimensions with the same element count. */
    default TensorData reshaped(long... dims) {
        return new ReshapedTensorData(this, Arrays.stream(dims).boxed().toList());
    }

    /**
     * The concatenation of {@code parts} along {@code axis} (negative counts from the end), computed lazily: the
     * parts share element type and rank, and their dimensions differ at most along the axis. Typical use: fusing the
     * query, key and value projections of an attention layer into one weight.
     */
    static TensorData concatenated(int axis, List<? extends TensorData> parts) {
        return new ConcatenatedTensorData(axis, parts);
    }

    static TensorData concatenated(int axis, TensorData... parts) {
        return concatenated(axis, Arrays.asList(parts));
    }

    /**
     * A tensor whose bytes are {@code bytes}' remaining bytes (little-endian, row-major), such as a slice of a
     * memory-mapped checkpoint. The buffer is not copied; it must not change while the tensor is in use.
     */
    static TensorData wrap(ElementType elementType, List<Long> dims, ByteBuffer bytes) {
        return new BufferTensorData(elementType, dims, bytes, null);
    }

    /** As {@link #wrap(ElementType, List, ByteBuffer)}, with an identity (for example the file and tensor name). */
    static TensorData wrap(ElementType elementType, List<Long> dims, ByteBuffer bytes, Object identity) {
        if (identity == null) {
            throw new OnnxGraphException("a wrapped tensor's identity must not be null; use wrap without one instead");
        }
        return new BufferTensorData(elementType, dims, bytes, identity);
    }

    /** A float32 tensor of {@code values} (row-major) with dimensions {@code dims}; no dims is a scalar. */
    static TensorData ofFloats(float[] values, long... dims) {
        return BufferTensorData.ofHeap(ElementType.FLOAT, values.length, dims,
                (buffer, i) -> buffer.putFloat(values[i]));
    }

    /** A float64 tensor of {@code values} (row-major) with dimensions {@code dims}. */
    static TensorData ofDoubles(double[] values, long... dims) {
        return BufferTensorData.ofHeap(ElementType.DOUBLE, values.length, dims,
                (buffer, i) -> buffer.putDouble(values[i]));
    }

    /** An int64 tensor of {@code values} (row-major) with dimensions {@code dims}. */
    static TensorData ofLongs(long[] values, long... dims) {
        return BufferTensorData.ofHeap(ElementType.INT64, values.length, dims,
                (buffer, i) -> buffer.putLong(values[i]));
    }

    /** An int32 tensor of {@code values} (row-major) with dimensions {@code dims}. */
    static TensorData ofInts(int[] values, long... dims) {
        return BufferTensorData.ofHeap(ElementType.INT32, values.length, dims,
                (buffer, i) -> buffer.putInt(values[i]));
    }

    /** A bool tensor of {@code values} (row-major, one byte each) with dimensions {@code dims}. */
    static TensorData ofBooleans(boolean[] values, long... dims) {
        return BufferTensorData.ofHeap(ElementType.BOOL, values.length, dims,
                (buffer, i) -> buffer.put((byte) (values[i] ? 1 : 0)));
    }
}
