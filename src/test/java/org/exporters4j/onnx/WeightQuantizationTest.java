package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantizers against values computed by hand (the rounding rules, the layouts, the packing of nibbles and zero
 * points), and the quantized MatMuls run in ONNX Runtime against the float product of the dequantized weights.
 */
class WeightQuantizationTest {
    @TempDir
    Path folder;

    @Test
    void int8SymmetricPerChannelScalesByTheLargestMagnitudeAndRoundsHalfToEven() {
        // [out 3, in 4]; channel 0: absmax 127 → scale 254/254 = 1; channel 1: absmax 15.875 → scale 0.125;
        // channel 2: all zero → scale 1 (ONNX Runtime's rule for a range under float32's smallest normal)
        TensorData weight = TensorData.ofFloats(new float[] {
                1.5f, -127f, 2.5f, 63.5f,
                0.1875f, -15.875f, 0.0625f, 0f,
                0f, 0f, 0f, 0f}, 3, 4);
        QuantizedMatrix q = new ChannelInt8(QuantizationSymmetry.SYMMETRIC).quantize(weight);
        assertEquals(ElementType.INT8, q.values().elementType());
        assertEquals(List.of(4L, 3L), q.values().dims());
        // codes [in, out]: 1.5 → 2, 2.5 → 2, 63.5 → 64, 1.5 → 2, 0.5 → 0 (half to even)
        assertArrayEquals(new byte[] {2, 2, 0, -127, -127, 0, 2, 0, 0, 64, 0, 0}, bytes(q.values()));
        assertArrayEquals(new float[] {1f, 0.125f, 1f}, floats(q.scales()));
        assertTrue(q.zeroPoints().isEmpty(), "symmetric int8 stores no zero point");
    }

    @Test
    void int8WithZeroPointsSpansMinimumToMaximum() {
        // channel 0: [-64, 191] → scale 255/255 = 1, zero point round(-128 + 64) = -64;
        // channel 1: [0, 63.75] → scale 0.25, zero point -128
        TensorData weight = TensorData.ofFloats(new float[] {
                -64f, 191f, 0.5f, 1.5f, -63.5f,
                0f, 63.75f, 0.25f, 0.375f, 0f}, 2, 5);
        QuantizedMatrix q = new ChannelInt8(QuantizationSymmetry.WITH_ZERO_POINTS).quantize(weight);
        // channel 0 codes: -128, 127, rint(0.5)-64 = -64, rint(1.5)-64 = -62, rint(-63.5)-64 = -128
        // channel 1 codes: -128, 127, 1-128 = -127, rint(1.5)-128 = -126, -128
        assertArrayEquals(new byte[] {-128, -128, 127, 127, -64, -127, -62, -126, -128, -128}, bytes(q.values()));
        assertArrayEquals(new float[] {1f, 0.25f}, floats(q.scales()));
        assertArrayEquals(new byte[] {-64, -128}, bytes(q.zeroPoints().orElseThrow()));
    }

    @Test
    void int4SymmetricPacksTwoCodesPerByteLowNibbleFirstAndPadsTheLastBlock() {
        // one channel, K 20, blocks of 16: the second block holds 4 values and 12 zeros of padding
        float[] row = new float[20];
        float[] first = {4f, -3.5f, 0.75f, -0.25f, 1f};
        System.arraycopy(first, 0, row, 0, first.length);
        float[] second = {-2f, 1f, 0.5f, 2f};
        System.arraycopy(second, 0, row, 16, second.length);
        QuantizedMatrix q = new BlockInt4(16, QuantizationSymmetry.SYMMETRIC).quantize(TensorData.ofFloats(row, 1, 20));
        assertEquals(List.of(1L, 2L, 8L), q.values().dims());
        // block 0: largest magnitude 4 → scale -4/8 = -0.5, codes v·(-2) + 8 rounded half away from zero:
        //   4 → 0, -3.5 → 15, 0.75 → 6.5 → 7, -0.25 → 8.5 → 9, 1 → 6, 0 → 8
        // block 1: |−2| = |2|, the minimum wins: scale 2/8 = 0.25, codes v·4 + 8: 0, 12, 10, 16 → 15; padding → 8
        assertArrayEquals(new byte[] {
                (byte) 0xF0, (byte) 0x97, (byte) 0x86, (byte) 0x88, (byte) 0x88, (byte) 0x88, (byte) 0x88, (byte) 0x88,
                (byte) 0xC0, (byte) 0xFA, (byte) 0x88, (byte) 0x88, (byte) 0x88, (byte) 0x88, (byte) 0x88, (byte) 0x88},
                bytes(q.values()));
        assertArrayEquals(new float[] {-0.5f, 0.25f}, floats(q.scales()));
        assertEquals(List.of(1L, 2L), q.scales().dims());
        assertTrue(q.zeroPoints().isEmpty(), "symmetric 4-bit codes use MatMulNBits' default zero point 8");
    }

    @Test
    void int4WithZeroPointsPacksThemPerChannelTwoBlocksPerByte() {
        // two channels, K 32, blocks of 16
        float[] w = new float[64];
        // channel 0, block 0: [-1.5, 6] → scale 7.5/15 = 0.5, zero point 1.5/0.5 = 3; codes v·2 + 3
        w[0] = -1.5f; w[1] = 6f; w[2] = 0.25f; w[3] = 1f;
        // channel 0, block 1: [-7.5, 0] → scale 0.5, zero point 15
        w[16] = -7.5f;
        // channel 1, block 0: [0, 7.5] → scale 0.5, zero point 0; block 1 all zero → scale 0, zero point 0
        w[32] = 7.5f; w[33] = 1.25f;
        QuantizedMatrix q = new BlockInt4(16, QuantizationSymmetry.WITH_ZERO_POINTS)
                .quantize(TensorData.ofFloats(w, 2, 32));
        byte[] codes = bytes(q.values());
        assertEquals(32, codes.length); // 2 channels × 2 blocks × 8 bytes
        // channel 0 block 0: -1.5 → 0, 6 → 15, 0.25 → 3.5 → 4, 1 → 5, zeros → 3
        assertEquals((byte) 0xF0, codes[0]);
        assertEquals((byte) 0x54, codes[1]);
        assertEquals((byte) 0x33, codes[2]);
        // channel 0 block 1: -7.5 → 0, zeros → 15
        assertEquals((byte) 0xF0, codes[8]);
        assertEquals((byte) 0xFF, codes[9]);
        // channel 1 block 0: 7.5 → 15, 1.25 → 2.5 → 3 (half away from zero), zeros → 0; block 1: all 0
        assertEquals((byte) 0x3F, codes[16]);
        assertEquals((byte) 0x00, codes[17]);
        assertEquals((byte) 0x00, codes[24]);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0f}, floats(q.scales()));
        TensorData zeroPoints = q.zeroPoints().orElseThrow();
        assertEquals(List.of(2L, 1L), zeroPoints.dims());
        // low nibble block 0, high nibble block 1: channel 0 → 3 | 15 << 4, channel 1 → 0
        assertArrayEquals(new byte[] {(byte) 0xF3, 0x00}, bytes(zeroPoints));
    }

    @Test
    void int4OddBlockCountLeavesTheLastZeroPointNibbleEmpty() {
        float[] w = new float[48];
        w[0] = -1.5f; w[1] = 6f; // block 0: zero point 3
        w[16] = -7.5f;            // block 1: zero point 15
        w[32] = -7.5f;            // block 2: zero point 15
        QuantizedMatrix q = new BlockInt4(16, QuantizationSymmetry.WITH_ZERO_POINTS)
                .quantize(TensorData.ofFloats(w, 1, 48));
        assertArrayEquals(new byte[] {(byte) 0xF3, 0x0F}, bytes(q.zeroPoints().orElseThrow()));
    }

    @Test
    void quantizersReadBfloat16WeightsAsTheFloatGraphSeesThem() {
        Random random = new Random(7);
        float[] values = new float[8 * 64];
        for (int i = 0; i < values.length; i++) {
            values[i] = HalfPrecision.bfloat16ToFloat(HalfPrecision.floatToBfloat16((float) random.nextGaussian()));
        }
        TensorData asFloat = TensorData.ofFloats(values, 8, 64);
        TensorData asBfloat = asFloat.convertedTo(ElementType.BFLOAT16).convertedTo(ElementType.FLOAT);
        BlockInt4 int4 = new BlockInt4(32, QuantizationSymmetry.WITH_ZERO_POINTS);
        assertArrayEquals(bytes(int4.quantize(asFloat).values()), bytes(int4.quantize(asBfloat).values()));
        ChannelInt8 int8 = new ChannelInt8(QuantizationSymmetry.SYMMETRIC);
        assertArrayEquals(bytes(int8.quantize(asFloat).values()), bytes(int8.quantize(asBfloat).values()));
    }

    @Test
    void aBlockSizeMatMulNBitsCannotTakeIsRefusedWithTheValidChoices() {
        OnnxGraphException error = assertThrows(OnnxGraphException.class,
                () -> new BlockInt4(24, QuantizationSymmetry.SYMMETRIC));
        assertTrue(error.getMessage().contains("power of two of at least 16"), error.getMessage());
        assertThrows(OnnxGraphException.class, () -> new BlockInt4(8, QuantizationSymmetry.SYMMETRIC));
    }

    @Test
    void derivedTensorsOfOneWeightShareTheirIdentityAndDifferByPart() {
        TensorData weight = TensorData.ofFloats(new float[64], 2, 32);
        BlockInt4 int4 = new BlockInt4(16, QuantizationSymmetry.WITH_ZERO_POINTS);
        QuantizedMatrix a = int4.quantize(weight);
        QuantizedMatrix b = int4.quantize(weight);
        assertEquals(a.values().identity(), b.values().identity());
        assertTrue(!a.values().identity().equals(a.scales().identity()));
        assertTrue(!a.values().identity().equals(new BlockInt4(32, QuantizationSymmetry.WITH_ZERO_POINTS)
                .quantize(weight).values().identity()));
    }

    @Test
    void quantizedMatMulsRunInOnnxRuntimeCloseToTheFloatProduct() throws Exception {
        int in = 64;
        int out = 24;
        Random random = new Random(11);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian() * 0.1f;
        }
        float[] bias = new float[out];
        for (int i = 0; i < out; i++) {
            bias[i] = i * 0.01f;
        }
        float[] x = new float[3 * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        TensorData weight = TensorData.ofFloats(w, out, in);
        float[] expected = new float[3 * out];
        for (int r = 0; r < 3; r++) {
            for (int o = 0; o < out; o++) {
                double sum = bias[o];
                for (int k = 0; k < in; k++) {
                    sum += x[r * in + k] * w[o * in + k];
                }
                expected[r * out + o] = (float) sum;
            }
        }
        for (QuantizationSymmetry symmetry : QuantizationSymmetry.values()) {
            OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
            Value input = g.input("x", ElementType.FLOAT, Shape.of(Dim.symbolic("rows"), Dim.of(in)));
            Value b = g.initializer("dense.bias", TensorData.ofFloats(bias, out));
            QuantizedMatrix int8 = new ChannelInt8(symmetry).quantize(weight);
            Value y8 = g.dynamicQuantizeMatMul(input, g.initializer("w8", int8.values()),
                    g.initializer("w8_scale", int8.scales()),
                    int8.zeroPoints().map(z -> g.initializer("w8_zero_point", z)), Optional.of(b));
            QuantizedMatrix int4 = new BlockInt4(32, symmetry).quantize(weight);
            Value y4 = g.matMulNBits(input, g.initializer("w4", int4.values()), g.initializer("w4_scales", int4.scales()),
                    int4.zeroPoints().map(z -> g.initializer("w4_zp", z)), Optional.of(b), in, out, 32, 0);
            g.output("y8", y8, ElementType.FLOAT, Shape.of(Dim.symbolic("rows"), Dim.of(out)));
            g.output("y4", y4, ElementType.FLOAT, Shape.of(Dim.symbolic("rows"), Dim.of(out)));
            OnnxModel model = g.build();
            assertEquals(java.util.Set.of(OperatorDomain.ONNX, OperatorDomain.MICROSOFT), model.domains());
            try (RuntimeSession session = RuntimeSession.of(model, folder.resolve(symmetry.name()))) {
                var outputs = session.feed("x", x, 3, in).run();
                assertTrue(cosine(expected, outputs.get("y8").values()) > 0.999, symmetry + " int8");
                assertTrue(cosine(expected, outputs.get("y4").values()) > 0.99, symmetry + " int4");
                // accuracy level 0: MatMulNBits multiplies by the dequantized weight exactly as written
                assertArrayEquals(dequantizedProduct(x, int4, in, out, bias), outputs.get("y4").values(), 1e-4f);
            }
        }
    }

    /** {@code x · dequantize(codes)ᵀ + bias} from the written bytes, by the MatMulNBits formula. */
    private static float[] dequantizedProduct(float[] x, QuantizedMatrix q, int in, int out, float[] bias) {
        byte[] codes = bytes(q.values());
        float[] scales = floats(q.scales());
        byte[] zeroPoints = q.zeroPoints().map(WeightQuantizationTest::bytes).orElse(null);
        int blocks = in / 32;
        int rows = x.length / in;
        float[] y = new float[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double sum = bias[o];
                for (int k = 0; k < in; k++) {
                    int block = k / 32;
                    int packed = codes[o * in / 2 + k / 2] & 0xff;
                    int code = k % 2 == 0 ? packed & 0xf : packed >> 4;
                    int zero = 8;
                    if (zeroPoints != null) {
                        int zp = zeroPoints[o * ((blocks + 1) / 2) + block / 2] & 0xff;
                        zero = block % 2 == 0 ? zp & 0xf : zp >> 4;
                    }
                    sum += x[r * in + k] * (code - zero) * scales[o * blocks + block];
                }
                y[r * out + o] = (float) sum;
            }
        }
        return y;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static byte[] bytes(TensorData data) {
        ByteBuffer buffer = data.bytes();
        byte[] result = new byte[buffer.remaining()];
        buffer.get(result);
        return result;
    }

    private static float[] floats(TensorData data) {
        ByteBuffer buffer = data.bytes().order(ByteOrder.LITTLE_ENDIAN);
        float[] result = new float[buffer.remaining() / Float.BYTES];
        buffer.asFloatBuffer().get(result);
        return result;
    }
}
