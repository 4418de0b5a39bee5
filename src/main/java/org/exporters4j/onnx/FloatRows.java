package org.exporters4j.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/**
 * Read access to a 2-D floating-point tensor as float32 rows, for quantizers: the source's bytes (a view of a
 * memory-mapped checkpoint, no copy) decoded a run of elements at a time. An instance is used by one thread. A
 * float16 or bfloat16 weight converted to float32 for the float graph is read from its own bytes, as the conversion
 * widens exactly: the values are the same and nothing of the size of the float32 matrix is allocated.
 */
final class FloatRows {
    private static final Set<ElementType> WIDENED = EnumSet.of(ElementType.FLOAT16, ElementType.BFLOAT16);

    private final ByteBuffer bytes;
    private final ElementType type;
    private final int rows;
    private final int columns;
    /** The 16-bit elements of the last read (one reader per thread: it is not shared). */
    private short[] halves = new short[0];

    private FloatRows(TensorData data) {
        TensorData source = data;
        if (data instanceof ConvertedTensorData converted && converted.elementType() == ElementType.FLOAT
                && WIDENED.contains(converted.source.elementType())) {
            source = converted.source;
        }
        this.type = source.elementType();
        this.bytes = source.bytes().order(ByteOrder.LITTLE_ENDIAN);
        this.rows = Math.toIntExact(data.dims().get(0));
        this.columns = Math.toIntExact(data.dims().get(1));
    }

    /** Refuses anything but a 2-D float32, float16, bfloat16 or float64 matrix, reading none of its bytes. */
    static void requireMatrix(TensorData data, String purpose) {
        if (data.dims().size() != 2 || !data.elementType().isFloatingPoint()) {
            throw new OnnxGraphException(purpose + " needs a 2-D floating-point weight matrix, got a "
                    + data.elementType().onnxName() + data.dims() + " tensor");
        }
    }

    /** The rows of {@code data}, a 2-D float32, float16, bfloat16 or float64 matrix; anything else is refused. */
    static FloatRows of(TensorData data, String purpose) {
        requireMatrix(data, purpose);
        if (data.elementType() == ElementType.DOUBLE) {
            return new FloatRows(data.convertedTo(ElementType.FLOAT));
        }
        return new FloatRows(data);
    }

    int rows() {
        return rows;
    }

    int columns() {
        return columns;
    }

    /**
     * Row {@code row}'s elements {@code [from, from + count)} into {@code into}, as float32: read in bulk from the
     * source's bytes, then widened in a loop over arrays.
     */
    void read(int row, int from, float[] into, int count) {
        int width = type.byteWidth();
        int base = Math.toIntExact(((long) row * columns + from) * width);
        ByteBuffer elements = bytes.slice(base, count * width).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT -> elements.asFloatBuffer().get(into, 0, count);
            case FLOAT16, BFLOAT16 -> {
                if (halves.length < count) {
                    halves = new short[count];
                }
                elements.asShortBuffer().get(halves, 0, count);
                if (type == ElementType.BFLOAT16) {
                    for (int i = 0; i < count; i++) {
                        into[i] = Float.intBitsToFloat(halves[i] << 16); // HalfPrecision.bfloat16ToFloat
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        into[i] = HalfPrecision.float16ToFloat(halves[i]);
                    }
                }
            }
            default -> throw new IllegalStateException("not a float row type: " + type);
        }
    }

    /** The whole row {@code row} into {@code into} (of {@link #columns()} elements). */
    void read(int row, float[] into) {
        read(row, 0, into, columns);
    }
}
