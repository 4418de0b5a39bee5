package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/**
 * A channel a 2-D floating-point tensor is written into, row by row: it decodes the source's elements (float32,
 * float16 or bfloat16, which may arrive split across writes) into one row of float32 and hands each full row to a
 * {@link RowSink} (bfloat16 rows to a {@link Bfloat16RowSink} as they are stored). A quantizer reads a weight this
 * way in one sequential pass, holding one row: the checkpoint streams through positional reads
 * ({@code Weights.transferTo}), so neither the weight nor a mapping of it is ever resident in the process whole.
 */
final class FloatRowStream extends WholeElementChannel {
    private static final Set<ElementType> WIDENED = EnumSet.of(ElementType.FLOAT16, ElementType.BFLOAT16);

    /** What receives each row. */
    interface RowSink {
        /** Row {@code index}, its {@code row.length} elements as float32 (the array is reused for the next row). */
        void accept(int index, float[] row) throws IOException;
    }

    /**
     * A sink that takes the rows of a bfloat16 source as they are stored, sparing their widening: each element's
     * float32 value is {@code Float.intBitsToFloat(bits << 16)}. Rows of other types still come as float32.
     */
    interface Bfloat16RowSink extends RowSink {
        /** Row {@code index}, its {@code row.length} bfloat16 elements' bits (the array is reused for the next row). */
        void acceptBfloat16(int index, short[] row) throws IOException;
    }

    private final ElementType type;
    private final int width;
    /** The row being filled: float32 values, or for a {@link Bfloat16RowSink} the bfloat16 bits in {@link #raw}. */
    private final float[] row;
    private final short[] raw;
    private final RowSink sink;
    private int filled;
    private int rowIndex;
    private short[] halves = new short[0];

    private FloatRowStream(ElementType type, int columns, RowSink sink) {
        super(type.byteWidth());
        this.type = type;
        this.width = type.byteWidth();
        boolean keepsBfloat16 = type == ElementType.BFLOAT16 && sink instanceof Bfloat16RowSink;
        this.row = keepsBfloat16 ? null : new float[columns];
        this.raw = keepsBfloat16 ? new short[columns] : null;
        this.sink = sink;
    }

    /**
     * Streams {@code data} (2-D, floating-point) row by row into {@code sink}: a float16 or bfloat16 weight widened
     * to float32 for the float graph is read from its own bytes (widening is exact: the same values, half the bytes
     * read); a float64 one through its float32 conversion.
     */
    static void stream(TensorData data, RowSink sink) throws IOException {
        if (data.dims().size() != 2 || !data.elementType().isFloatingPoint()) {
            throw new OnnxGraphException("a row stream needs a 2-D floating-point tensor, got a "
                    + data.elementType().onnxName() + data.dims() + " tensor");
        }
        TensorData source = data;
        if (data instanceof ConvertedTensorData converted && converted.elementType() == ElementType.FLOAT
                && WIDENED.contains(converted.source.elementType())) {
            source = converted.source;
        } else if (data.elementType() == ElementType.DOUBLE) {
            source = data.convertedTo(ElementType.FLOAT);
        }
        FloatRowStream stream = new FloatRowStream(source.elementType(), Math.toIntExact(data.dims().get(1)), sink);
        source.writeTo(stream);
        stream.finish(Math.toIntExact(data.dims().get(0)));
    }

    @Override
    protected void acceptElements(ByteBuffer in, int count) throws IOException {
        int done = 0;
        while (done < count) {
            // whole elements in bulk, up to the end of the current row
            int columns = raw != null ? raw.length : row.length;
            int take = Math.min(count - done, columns - filled);
            if (raw != null) {
                in.asShortBuffer().get(raw, filled, take);
                in.position(in.position() + take * Short.BYTES);
            } else {
                decodeInto(in, take);
            }
            filled += take;
            done += take;
            if (filled == columns) {
                if (raw != null) {
                    ((Bfloat16RowSink) sink).acceptBfloat16(rowIndex++, raw);
                } else {
                    sink.accept(rowIndex++, row);
                }
                filled = 0;
            }
        }
    }

    /** Decodes {@code count} whole elements from {@code in} (advancing it) into the row from {@link #filled}. */
    private void decodeInto(ByteBuffer in, int count) {
        switch (type) {
            case FLOAT -> in.asFloatBuffer().get(row, filled, count);
            case BFLOAT16, FLOAT16 -> {
                if (halves.length < count) {
                    halves = new short[Math.max(count, Math.min(row.length, 1 << 16))];
                }
                in.asShortBuffer().get(halves, 0, count);
                if (type == ElementType.BFLOAT16) {
                    for (int i = 0; i < count; i++) {
                        row[filled + i] = Float.intBitsToFloat(halves[i] << 16); // HalfPrecision.bfloat16ToFloat
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        row[filled + i] = HalfPrecision.float16ToFloat(halves[i]);
                    }
                }
            }
            default -> throw new IllegalStateException("not a float row type: " + type);
        }
        in.position(in.position() + count * width);
    }

    private void finish(int rows) throws IOException {
        if (endsMidElement() || filled != 0 || rowIndex != rows) {
            throw new IOException("the source tensor ended after " + rowIndex + " of " + rows + " rows"
                    + (filled != 0 || endsMidElement() ? " and part of the next" : ""));
        }
    }
}
