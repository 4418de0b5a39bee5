package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorDataTest {

    @Test
    void heapTensorsAreLittleEndianRowMajor() {
        TensorData data = TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(List.of(2L, 3L), data.dims());
        assertEquals(6, data.elementCount());
        assertEquals(24, data.byteSize());
        ByteBuffer bytes = data.bytes();
        assertEquals(ByteOrder.LITTLE_ENDIAN, bytes.order());
        assertTrue(bytes.isReadOnly());
        assertEquals(0x3f800000, bytes.getInt(0)); // 1.0f
        assertEquals(6f, bytes.getFloat(20));
        assertEquals(1, TensorData.ofLongs(new long[] {7}).elementCount(), "no dims is a scalar");
    }

    @Test
    void factoriesRejectValueCountsThatDoNotMatchTheDims() {
        OnnxGraphException error = assertThrows(OnnxGraphException.class,
                () -> TensorData.ofFloats(new float[] {1, 2, 3}, 2, 2));
        assertTrue(error.getMessage().contains("needs 4 values, got 3"), error.getMessage());
        OnnxGraphException wrapped = assertThrows(OnnxGraphException.class,
                () -> TensorData.wrap(ElementType.FLOAT16, List.of(3L), ByteBuffer.allocate(4)));
        assertTrue(wrapped.getMessage().contains("needs 6 bytes, but the buffer has 4"), wrapped.getMessage());
        assertThrows(OnnxGraphException.class, () -> TensorData.wrap(ElementType.FLOAT, List.of(-1L), ByteBuffer.allocate(0)));
    }

    @Test
    void wrapViewsTheBufferWithoutCopying() {
        ByteBuffer mapped = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        mapped.putFloat(4, 2.5f).putFloat(8, -1f);
        TensorData data = TensorData.wrap(ElementType.FLOAT, List.of(2L), mapped.slice(4, 8), "model.safetensors#w");
        assertEquals(2.5f, data.bytes().getFloat(0));
        mapped.putFloat(4, 7f); // a view, not a copy
        assertEquals(7f, data.bytes().getFloat(0));
        assertEquals("model.safetensors#w", data.identity());
    }

    @Test
    void transposedMatrixIsComputedWhenWritten() {
        TensorData matrix = TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        TensorData transposed = matrix.transposed();
        assertEquals(List.of(3L, 2L), transposed.dims());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, floats(transposed));
        assertArrayEquals(floats(matrix), floats(transposed.transposed()));
        assertEquals(matrix.transposed().identity(), transposed.identity(), "equal derivations are the same weight");
        assertThrows(OnnxGraphException.class, () -> TensorData.ofFloats(new float[] {1, 2}, 2).transposed());
    }

    @Test
    void transposeOfALargerMatrixSpansSeveralBlocks() {
        int rows = 700;
        int columns = 450; // 700 × 4 bytes per output row: 374 rows per 1 MiB block, so two blocks
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        float[] transposed = floats(TensorData.ofFloats(values, rows, columns).transposed());
        for (int c = 0; c < columns; c++) {
            for (int r = 0; r < rows; r++) {
                assertEquals(values[r * columns + c], transposed[c * rows + r]);
            }
        }
    }

    @Test
    void float16WidensExactlyAndNarrowsToNearestEven() {
        short[] halves = {0x3c00, (short) 0xc000, 0x3555, 0x7bff, 0x0001, 0x0400, (short) 0x8000, 0x7c00,
            (short) 0xfc00};
        float[] expected = {1f, -2f, 0.333251953125f, 65504f, 0x1p-24f, 0x1p-14f, -0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY};
        TensorData half = shorts(ElementType.FLOAT16, halves);
        assertArrayEquals(expected, floats(half.convertedTo(ElementType.FLOAT)));
        assertTrue(Float.isNaN(HalfPrecision.float16ToFloat((short) 0x7e00)));

        // ties go to even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10
        assertEquals(0x3c00, HalfPrecision.floatToFloat16(1 + 0x1p-11f));
        assertEquals(0x3c02, HalfPrecision.floatToFloat16(1 + 3 * 0x1p-11f));
        assertEquals(0x3c01, HalfPrecision.floatToFloat16(1 + 0x1p-11f + 0x1p-20f));
        assertEquals(0x7bff, HalfPrecision.floatToFloat16(65519f));
        assertEquals(0x7c00, HalfPrecision.floatToFloat16(65520f), "overflow rounds to infinity");
        assertEquals(0x0001, HalfPrecision.floatToFloat16(0x1p-24f));
        assertEquals(0x0000, HalfPrecision.floatToFloat16(0x1p-25f), "a tie below the smallest subnormal goes to zero");
        assertEquals(0x0400, HalfPrecision.floatToFloat16(0x1p-14f - 0x1p-26f), "rounds up into the normals");
        assertEquals((short) 0x7e00, (short) (HalfPrecision.floatToFloat16(Float.NaN) & 0x7e00));
        for (short bits : halves) {
            assertEquals(bits, HalfPrecision.floatToFloat16(HalfPrecision.float16ToFloat(bits)), "round trip " + bits);
        }
        TensorData back = TensorData.ofFloats(expected, expected.length).convertedTo(ElementType.FLOAT16);
        assertArrayEquals(bytesOf(half), bytesOf(back));
    }

    @Test
    void bfloat16WidensExactlyAndNarrowsToNearestEven() {
        TensorData bf = shorts(ElementType.BFLOAT16, new short[] {0x3f80, (short) 0xc040, 0x3e20, 0x7f80});
        assertArrayEquals(new float[] {1, -3, 0.15625f, Float.POSITIVE_INFINITY},
                floats(bf.convertedTo(ElementType.FLOAT)));
        assertEquals(0x3f80, HalfPrecision.floatToBfloat16(1 + 0x1p-8f), "tie to even");
        assertEquals(0x3f82, HalfPrecision.floatToBfloat16(1 + 3 * 0x1p-8f), "tie to even, upwards");
        assertEquals(0x3f81, HalfPrecision.floatToBfloat16(1 + 0x1p-8f + 0x1p-20f));
        assertTrue(Float.isNaN(HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16(Float.NaN))));
        assertEquals(ElementType.BFLOAT16, bf.convertedTo(ElementType.FLOAT).convertedTo(ElementType.BFLOAT16).elementType());
        assertArrayEquals(bytesOf(bf), bytesOf(bf.convertedTo(ElementType.FLOAT).convertedTo(ElementType.BFLOAT16)));
    }

    @Test
    void conversionStreamsSourcesThatWriteInOddChunks() {
        TensorData source = new TensorData() {
            private final TensorData inner = TensorData.ofFloats(new float[] {1.5f, -2, 3.25f}, 3);

            @Override
            public ElementType elementType() {
                return ElementType.FLOAT;
            }

            @Override
            public List<Long> dims() {
                return List.of(3L);
            }

            @Override
            public void writeTo(WritableByteChannel channel) throws IOException {
                ByteBuffer bytes = inner.bytes();
                for (int chunk : new int[] {3, 1, 5, 3}) { // splits elements across writes
                    channel.write(bytes.slice(bytes.position(), chunk));
                    bytes.position(bytes.position() + chunk);
                }
            }
        };
        assertArrayEquals(new double[] {1.5, -2, 3.25}, doubles(source.convertedTo(ElementType.DOUBLE)));
    }

    @Test
    void bfloat16WidensEdgeValuesBitForBit() {
        // bfloat16 bits → float32 bits, as PyTorch's tensor.float() (the 16 bits on top of 16 zero bits)
        short[] edges = {0x0001, (short) 0x8001, 0x007f, 0x0000, (short) 0x8000, 0x7f80, (short) 0xff80, 0x7fc0,
            0x7f81, (short) 0xffff, 0x7f7f, (short) 0xff7f, 0x0080};
        int[] expected = {0x00010000, 0x80010000, 0x007f0000, 0x00000000, 0x80000000, 0x7f800000, 0xff800000,
            0x7fc00000, 0x7f810000, 0xffff0000, 0x7f7f0000, 0xff7f0000, 0x00800000};
        assertArrayEquals(expected, floatBits(shorts(ElementType.BFLOAT16, edges).convertedTo(ElementType.FLOAT)),
                "subnormals, -0, ±Inf, quiet and signalling NaN (payload and sign kept), ±max, min normal");
        assertEquals(0x1p-133f, Float.intBitsToFloat(expected[0]), "the smallest bfloat16 subnormal");
    }

    @Test
    void float16WidensEveryValueBitForBit() {
        short[] all = new short[1 << 16];
        for (int bits = 0; bits < all.length; bits++) {
            all[bits] = (short) bits;
        }
        int[] widened = floatBits(shorts(ElementType.FLOAT16, all).convertedTo(ElementType.FLOAT));
        for (int bits = 0; bits < all.length; bits++) {
            int exponent = (bits >>> 10) & 0x1f;
            int mantissa = bits & 0x3ff;
            double sign = (bits & 0x8000) == 0 ? 1 : -1;
            if (exponent == 0x1f) { // ±Inf, or NaN with its payload: the float's top mantissa bits, quiet or not
                assertEquals(((bits & 0x8000) << 16) | 0x7f800000 | (mantissa << 13), widened[bits],
                        "float16 " + Integer.toHexString(bits));
            } else {
                double value = sign * (exponent == 0 ? mantissa * 0x1p-24 : (1024 + mantissa) * Math.pow(2, exponent - 25));
                assertEquals(Float.floatToRawIntBits((float) value), widened[bits], "float16 " + Integer.toHexString(bits));
            }
        }
        assertEquals(0x80000000, widened[0x8000], "-0 stays -0");
        assertEquals(0x7f802000, widened[0x7c01], "a signalling NaN stays signalling");
        assertEquals(0x33800000, widened[0x0001], "the smallest subnormal is 2^-24");
    }

    @Test
    void doubleNarrowsToFloatRoundingToNearestEven() {
        double[] values = {1 + 0x1p-24, 1 + 3 * 0x1p-24, 0x1p-149, 0x1p-150, 0x1.8p-150, -0.0, 1e39, -1e39,
            Double.NaN, Double.POSITIVE_INFINITY, Float.MAX_VALUE, 0.1};
        float[] expected = {1f, 1 + 0x1p-22f, 0x1p-149f, 0f, 0x1p-149f, -0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE, 0.1f};
        float[] narrowed = floats(TensorData.ofDoubles(values, values.length).convertedTo(ElementType.FLOAT));
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(narrowed[i]), "double " + values[i]);
        }
    }

    @Test
    void blockConversionCrossesBlocksOutputChunksAndSplitElements() {
        int count = 700_001; // several 8192-element blocks and 1 MiB output chunks, and an odd tail
        short[] bfloats = new short[count];
        for (int i = 0; i < count; i++) {
            bfloats[i] = (short) (i * 40503);
        }
        TensorData whole = shorts(ElementType.BFLOAT16, bfloats);
        TensorData split = new TensorData() {
            @Override
            public ElementType elementType() {
                return ElementType.BFLOAT16;
            }

            @Override
            public List<Long> dims() {
                return whole.dims();
            }

            @Override
            public void writeTo(WritableByteChannel channel) throws IOException {
                ByteBuffer bytes = whole.bytes();
                int[] chunks = {3, 1, 4097, 65_535, 2}; // odd sizes split elements across writes
                for (int c = 0; bytes.hasRemaining(); c++) {
                    int chunk = Math.min(chunks[c % chunks.length], bytes.remaining());
                    channel.write(bytes.slice(bytes.position(), chunk));
                    bytes.position(bytes.position() + chunk);
                }
            }
        };
        int[] fromWhole = floatBits(whole.convertedTo(ElementType.FLOAT));
        int[] fromSplit = floatBits(split.convertedTo(ElementType.FLOAT));
        for (int i = 0; i < count; i++) {
            assertEquals(bfloats[i] << 16, fromWhole[i], "element " + i);
            assertEquals(bfloats[i] << 16, fromSplit[i], "element " + i + " written in odd chunks");
        }
    }

    @Test
    void integerConversionsCheckTheirRange() {
        TensorData longs = TensorData.ofLongs(new long[] {1, -5, 3_000_000_000L}, 3);
        OnnxGraphException error = assertThrows(OnnxGraphException.class,
                () -> longs.convertedTo(ElementType.INT32).bytes());
        assertTrue(error.getMessage().contains("element 2") && error.getMessage().contains("3000000000"),
                error.getMessage());
        TensorData ints = TensorData.ofInts(new int[] {7, -8}, 2).convertedTo(ElementType.INT64);
        assertEquals(-8L, ints.bytes().getLong(8));
        assertThrows(OnnxGraphException.class, () -> ints.convertedTo(ElementType.FLOAT));
        assertThrows(OnnxGraphException.class,
                () -> TensorData.ofDoubles(new double[] {1}, 1).convertedTo(ElementType.FLOAT16));
        assertSame(ints, ints.convertedTo(ElementType.INT64));
    }

    @Test
    void concatenationAlongTheFirstAndAnInnerAxis() {
        TensorData q = TensorData.ofFloats(new float[] {1, 2, 3, 4}, 2, 2);
        TensorData k = TensorData.ofFloats(new float[] {5, 6}, 1, 2);
        TensorData v = TensorData.ofFloats(new float[] {7, 8, 9, 10}, 2, 2);
        TensorData rows = TensorData.concatenated(0, q, k, v);
        assertEquals(List.of(5L, 2L), rows.dims());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, floats(rows));
        TensorData columns = TensorData.concatenated(-1, q, v);
        assertEquals(List.of(2L, 4L), columns.dims());
        assertArrayEquals(new float[] {1, 2, 7, 8, 3, 4, 9, 10}, floats(columns));
        assertEquals(TensorData.concatenated(-1, q, v).identity(), TensorData.concatenated(1, q, v).identity());
        assertNotEquals(rows.identity(), TensorData.concatenated(0, v, k, q).identity());
        OnnxGraphException error = assertThrows(OnnxGraphException.class, () -> TensorData.concatenated(1, q, k));
        assertTrue(error.getMessage().contains("differ only along the axis"), error.getMessage());
        assertThrows(OnnxGraphException.class, () -> TensorData.concatenated(2, q, v));
    }

    @Test
    void reshapeKeepsTheBytes() {
        TensorData flat = TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 6);
        TensorData reshaped = flat.reshaped(3, 2);
        assertEquals(List.of(3L, 2L), reshaped.dims());
        assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, floats(reshaped.transposed()));
        assertThrows(OnnxGraphException.class, () -> flat.reshaped(4, 2));
    }

    static TensorData shorts(ElementType type, short[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short value : values) {
            buffer.putShort(value);
        }
        buffer.flip();
        return TensorData.wrap(type, List.of((long) values.length), buffer);
    }

    static float[] floats(TensorData data) {
        ByteBuffer bytes = data.bytes();
        float[] values = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    private static int[] floatBits(TensorData data) {
        ByteBuffer bytes = data.bytes();
        int[] values = new int[bytes.remaining() / 4];
        bytes.asIntBuffer().get(values);
        return values;
    }

    private static double[] doubles(TensorData data) {
        ByteBuffer bytes = data.bytes();
        double[] values = new double[bytes.remaining() / 8];
        bytes.asDoubleBuffer().get(values);
        return values;
    }

    private static byte[] bytesOf(TensorData data) {
        ByteBuffer bytes = data.bytes();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }
}
