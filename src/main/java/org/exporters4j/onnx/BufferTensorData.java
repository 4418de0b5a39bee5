package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.List;

/** Tensor data held in one buffer: a memory-mapped slice of a checkpoint, or a small heap tensor. */
final class BufferTensorData implements TensorData {
    private final ElementType elementType;
    private final List<Long> dims;
    private final ByteBuffer bytes;
    private final Object identity;

    BufferTensorData(ElementType elementType, List<Long> dims, ByteBuffer bytes, Object identity) {
        if (elementType == null || bytes == null) {
            throw new OnnxGraphException("wrapped tensor data needs an element type and a buffer");
        }
        this.elementType = elementType;
        this.dims = TensorDims.checked(dims);
        long expected = Math.multiplyExact(TensorDims.elementCount(this.dims), (long) elementType.byteWidth());
        if (bytes.remaining() != expected) {
            throw new OnnxGraphException("a " + elementType.onnxName() + this.dims + " tensor needs " + expected
                    + " bytes, but the buffer has " + bytes.remaining() + "; check the tensor's dtype, shape and offsets");
        }
        this.bytes = bytes.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        this.identity = identity == null ? this : identity;
    }

    /** Writes element {@code index} of a Java array at the buffer's position, little-endian. */
    interface ElementWriter {
        void put(ByteBuffer buffer, int index);
    }

    /**
     * A heap tensor of {@code valueCount} elements written one by one in row-major order; the count must equal the
     * element count of {@code dims}.
     */
    static TensorData ofHeap(ElementType type, int valueCount, long[] dims, ElementWriter element) {
        long expected = TensorDims.elementCount(TensorDims.checked(Arrays.stream(dims).boxed().toList()));
        if (expected != valueCount) {
            throw new OnnxGraphException("a " + type.onnxName() + Arrays.toString(dims) + " tensor needs " + expected
                    + " values, got " + valueCount);
        }
        ByteBuffer buffer = ByteBuffer.allocate(Math.multiplyExact(valueCount, type.byteWidth()))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int index = 0; index < valueCount; index++) {
            element.put(buffer, index);
        }
        buffer.flip();
        return new BufferTensorData(type, Arrays.stream(dims).boxed().toList(), buffer, null);
    }

    @Override
    public ElementType elementType() {
        return elementType;
    }

    @Override
    public List<Long> dims() {
        return dims;
    }

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        ByteBuffer view = bytes.duplicate();
        while (view.hasRemaining()) {
            channel.write(view);
        }
    }

    @Override
    public ByteBuffer bytes() {
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public Object identity() {
        return identity;
    }

    @Override
    public String toString() {
        return elementType.onnxName() + dims;
    }
}
