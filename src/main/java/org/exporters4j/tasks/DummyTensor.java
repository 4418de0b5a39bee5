package org.exporters4j.tasks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.exporters4j.onnx.ElementType;

/**
 * One dummy input: name, element type, shape and data, little-endian and row-major. The data is kept private and
 * handed out as a read-only view, so the value cannot change once built.
 */
public record DummyTensor(String name, ElementType elementType, List<Long> shape, ByteBuffer data) {
    public DummyTensor {
        if (name == null || name.isBlank() || elementType == null || shape == null || data == null) {
            throw new IllegalArgumentException("a dummy tensor needs a name, element type, shape and data");
        }
        shape = List.copyOf(shape);
        long elements = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw new IllegalArgumentException("dummy tensor " + name + " has a negative dimension: " + shape);
            }
            elements = Math.multiplyExact(elements, dimension);
        }
        if (data.remaining() != elements * elementType.byteWidth()) {
            throw new IllegalArgumentException("dummy tensor " + name + " of shape " + shape + " needs "
                    + elements * elementType.byteWidth() + " bytes, got " + data.remaining());
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(data.duplicate().order(data.order())).flip();
        data = copy.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A read-only little-endian view of the data, positioned at 0. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements (the product of the shape). */
    public long elementCount() {
        long count = 1;
        for (long dimension : shape) {
            count *= dimension;
        }
        return count;
    }

    /** Element {@code index} (row-major) of an INT64 tensor. */
    public long longAt(long index) {
        requireType(ElementType.INT64);
        return data.getLong(Math.toIntExact(index * Long.BYTES));
    }

    /** Element {@code index} (row-major) of a FLOAT32 tensor. */
    public float floatAt(long index) {
        requireType(ElementType.FLOAT);
        return data.getFloat(Math.toIntExact(index * Float.BYTES));
    }

    private void requireType(ElementType expected) {
        if (elementType != expected) {
            throw new IllegalStateException("dummy tensor " + name + " holds " + elementType.onnxName()
                    + ", not " + expected.onnxName());
        }
    }
}
