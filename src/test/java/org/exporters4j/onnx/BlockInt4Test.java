package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockInt4}'s block kernel against the rules of its class comment applied element by element (the scale and
 * zero point from the block's range, each code {@code clamp(roundf(v · (1 / scale) + zero_point), 0, 15)} with
 * {@code roundf} computed in float64), on bfloat16 weights streamed in pieces that split elements (and the same
 * values as float32 weights), with the values
 * that test the rounding (exact halves, ties of magnitude, zeros, subnormals whose reciprocal is infinite); and the
 * bytes of one weight pinned by digest, as the element-by-element implementation before the kernel wrote them.
 */
class BlockInt4Test {
    @Test
    void theKernelWritesWhatTheRulesGiveElementByElement() {
        SplittableRandom random = new SplittableRandom(2024);
        for (QuantizationSymmetry symmetry : QuantizationSymmetry.values()) {
            for (int blockSize : new int[] {16, 32, 128}) {
                for (int columns : new int[] {16, 100, 256, 333}) {
                    int rows = 37;
                    short[] bfloats = weights(random, rows * columns, blockSize);
                    BlockInt4 int4 = new BlockInt4(blockSize, symmetry);
                    QuantizedMatrix q = int4.quantize(splitStream(bfloats, rows, columns).convertedTo(ElementType.FLOAT));
                    Expected expected = expected(widen(bfloats), rows, columns, blockSize, symmetry);
                    String what = symmetry + ", blocks of " + blockSize + ", " + columns + " columns";
                    assertArrayEquals(expected.codes(), bytes(q.values()), what + ": codes");
                    assertArrayEquals(expected.scales(), bytes(q.scales()), what + ": scales");
                    assertEquals(symmetry == QuantizationSymmetry.WITH_ZERO_POINTS, q.zeroPoints().isPresent());
                    q.zeroPoints().ifPresent(zeroPoints -> assertArrayEquals(expected.zeroPoints(), bytes(zeroPoints),
                            what + ": zero points"));
                    // the same values as a float32 weight take the kernel's float32 path
                    QuantizedMatrix fromFloats = int4.quantize(TensorData.ofFloats(widen(bfloats), rows, columns));
                    assertArrayEquals(expected.codes(), bytes(fromFloats.values()), what + ": codes from float32");
                    assertArrayEquals(expected.scales(), bytes(fromFloats.scales()), what + ": scales from float32");
                }
            }
        }
    }

    @Test
    void theBytesOfABfloat16WeightArePinned() {
        // digests of the bytes the element-by-element quantizer wrote for this weight (commit 4e49adb)
        SplittableRandom random = new SplittableRandom(11);
        int rows = 48;
        int columns = 320;
        short[] bfloats = weights(random, rows * columns, 32);
        TensorData weight = splitStream(bfloats, rows, columns).convertedTo(ElementType.FLOAT);
        QuantizedMatrix symmetric = new BlockInt4(32, QuantizationSymmetry.SYMMETRIC).quantize(weight);
        QuantizedMatrix zeroPoints = new BlockInt4(64, QuantizationSymmetry.WITH_ZERO_POINTS).quantize(weight);
        assertEquals(List.of(
                        "3ac6254759146aaed1a3728196597c95595f4a2c503f6a1cf609da8e8a42bf76",
                        "3311ae3f133210a6a04cff30d8e1ba46bec45e8146ec222cf9ee56d7c81a659e",
                        "508cb68931715598e75d79120f962dbbb932255e6e54b78a9efaaa0cd2952518",
                        "06ed80b24193358b38650c530482a3617ca2a6988fb4befb6a14c42186601bda",
                        "6397ec9a4f30859a66c6fccb73f8cd4ad246e41e466b5d42876d236978b08cb9"),
                List.of(sha256(symmetric.values()), sha256(symmetric.scales()), sha256(zeroPoints.values()),
                        sha256(zeroPoints.scales()), sha256(zeroPoints.zeroPoints().orElseThrow())));
    }

    /**
     * Float32 weights use all 23 mantissa bits, which bfloat16 values widened to float32 never do: the kernel's
     * float32 rounding of codes ({@code (int) (v · r + 8 + 0.5f)}) must still give what the rules give.
     */
    @Test
    void fullPrecisionFloat32WeightsFollowTheRules() {
        SplittableRandom random = new SplittableRandom(4242);
        for (QuantizationSymmetry symmetry : QuantizationSymmetry.values()) {
            for (int blockSize : new int[] {16, 32, 128}) {
                for (int columns : new int[] {100, 333}) {
                    int rows = 29;
                    float[] values = floatWeights(random, rows, columns, blockSize);
                    QuantizedMatrix q = new BlockInt4(blockSize, symmetry)
                            .quantize(TensorData.ofFloats(values, rows, columns));
                    Expected expected = expected(values, rows, columns, blockSize, symmetry);
                    String what = symmetry + ", blocks of " + blockSize + ", " + columns + " columns";
                    assertArrayEquals(expected.codes(), bytes(q.values()), what + ": codes");
                    assertArrayEquals(expected.scales(), bytes(q.scales()), what + ": scales");
                    q.zeroPoints().ifPresent(zeroPoints -> assertArrayEquals(expected.zeroPoints(), bytes(zeroPoints),
                            what + ": zero points"));
                }
            }
        }
    }

    @Test
    void theBytesOfAFloat32WeightArePinned() {
        // digests of the bytes the element-by-element quantizer wrote for this weight (commit 4e49adb)
        float[] values = floatWeights(new SplittableRandom(13), 40, 288, 32);
        TensorData weight = TensorData.ofFloats(values, 40, 288);
        QuantizedMatrix symmetric = new BlockInt4(32, QuantizationSymmetry.SYMMETRIC).quantize(weight);
        QuantizedMatrix zeroPoints = new BlockInt4(32, QuantizationSymmetry.WITH_ZERO_POINTS).quantize(weight);
        assertEquals(List.of(
                        "2a4af27cca9937cfe992ce4490c160ac5cd2e97ea7c3d6c43619de6b3ed6003e",
                        "df6a6598b6a306d228402288820776419bfc28dfa7b824fe03ef222d38bfda33",
                        "f39b4b06d11e68b3c182af279a7b99768f8c575705689a8abfba89315ab2ceae",
                        "249212d7002e777ede394c02f18dc813c703663511311fdd0b03e6299fbcf7a7",
                        "675ce1e127b47bf8f146cb2dc564938f9d05a127c4f86d1162bc503821b6dbb3"),
                List.of(sha256(symmetric.values()), sha256(symmetric.scales()), sha256(zeroPoints.values()),
                        sha256(zeroPoints.scales()), sha256(zeroPoints.zeroPoints().orElseThrow())));
    }

    @Test
    void aWeightThatIsNotFiniteIsRefusedNamingTheValue() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] values = new float[64];
            values[40] = 1f;
            values[41] = bad;
            short[] bfloats = new short[64];
            for (int i = 0; i < 64; i++) {
                bfloats[i] = HalfPrecision.floatToBfloat16(values[i]);
            }
            for (TensorData weight : List.of(TensorData.ofFloats(values, 2, 32),
                    splitStream(bfloats, 2, 32).convertedTo(ElementType.FLOAT))) {
                for (QuantizationSymmetry symmetry : QuantizationSymmetry.values()) {
                    OnnxGraphException error = assertThrows(OnnxGraphException.class,
                            () -> new BlockInt4(16, symmetry).quantize(weight).values().bytes());
                    assertTrue(error.getMessage().contains("holding " + bad + ";"), error.getMessage());
                }
            }
        }
    }

    /**
     * Random bfloat16 weights with the values that test the rules: each block of {@code blockSize} is one of plain
     * Gaussians, multiples of 1/4 (exact halves after scaling), a tie of magnitude between its minimum and maximum,
     * zeros of both signs, negative zeros only, subnormals (a scale whose reciprocal overflows to infinity), or values
     * up to 8 times the smallest normal (scales on either side of the smallest normal one).
     */
    private static short[] weights(SplittableRandom random, int count, int blockSize) {
        short[] bfloats = new short[count];
        int kind = 0;
        for (int i = 0; i < count; i++) {
            if (i % blockSize == 0) {
                kind = random.nextInt(8);
            }
            float value = switch (kind) {
                case 0, 1 -> (float) (random.nextGaussian() * 0.02);
                case 2 -> (random.nextInt(33) - 16) / 4f;
                case 3 -> i % blockSize == 1 ? 2f : i % blockSize == 2 ? -2f : (random.nextInt(17) - 8) / 4f;
                case 4 -> random.nextBoolean() ? 0f : -0f;
                case 5 -> -0f;
                case 6 -> Float.MIN_NORMAL * (random.nextInt(9) - 4) / 64f;
                default -> Float.MIN_NORMAL * (random.nextInt(33) - 16) / 2f;
            };
            bfloats[i] = HalfPrecision.floatToBfloat16(value);
        }
        return bfloats;
    }

    /**
     * Random float32 weights with full mantissas: each block is one of plain Gaussians; values within a few ulps of
     * the halfway points {@code (k + 1/2) · s} between codes, with {@code ±8 · s} in the block so that {@code s} is
     * (about) its symmetric scale; or values up to 16 times the smallest normal float.
     */
    private static float[] floatWeights(SplittableRandom random, int rows, int columns, int blockSize) {
        float[] values = new float[rows * columns];
        int kind = 0;
        float step = 0f;
        for (int i = 0; i < values.length; i++) {
            int inBlock = i % columns % blockSize;
            if (inBlock == 0) {
                kind = random.nextInt(3);
                step = (float) (random.nextGaussian() * 0.05);
            }
            values[i] = switch (kind) {
                case 0 -> (float) (random.nextGaussian() * 0.02);
                case 1 -> {
                    if (inBlock == 0) {
                        yield random.nextBoolean() ? 8 * step : -8 * step;
                    }
                    float halfway = (random.nextInt(15) - 7 + 0.5f) * step;
                    yield Math.nextAfter(halfway, random.nextBoolean() ? Double.POSITIVE_INFINITY
                            : Double.NEGATIVE_INFINITY) + (random.nextInt(3) - 1) * Math.ulp(halfway);
                }
                default -> (float) (Float.MIN_NORMAL * (random.nextDouble() * 32 - 16));
            };
        }
        return values;
    }

    private static float[] widen(short[] bfloats) {
        float[] floats = new float[bfloats.length];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = HalfPrecision.bfloat16ToFloat(bfloats[i]);
        }
        return floats;
    }

    /** A bfloat16 {@code [rows, columns]} tensor that writes its bytes in odd-sized pieces, splitting elements. */
    private static TensorData splitStream(short[] bfloats, int rows, int columns) {
        ByteBuffer whole = ByteBuffer.allocate(bfloats.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        whole.asShortBuffer().put(bfloats);
        return new TensorData() {
            @Override
            public ElementType elementType() {
                return ElementType.BFLOAT16;
            }

            @Override
            public List<Long> dims() {
                return List.of((long) rows, (long) columns);
            }

            @Override
            public void writeTo(WritableByteChannel channel) throws IOException {
                ByteBuffer bytes = whole.duplicate();
                int[] pieces = {3, 1, 257, 4097, 2};
                for (int p = 0; bytes.hasRemaining(); p++) {
                    int piece = Math.min(pieces[p % pieces.length], bytes.remaining());
                    channel.write(bytes.slice(bytes.position(), piece));
                    bytes.position(bytes.position() + piece);
                }
            }
        };
    }

    private record Expected(byte[] codes, byte[] scales, byte[] zeroPoints) {}

    /** The rules of BlockInt4's class comment, one element at a time. */
    private static Expected expected(float[] values, int rows, int columns, int blockSize,
                                     QuantizationSymmetry symmetry) {
        int blocks = (columns + blockSize - 1) / blockSize;
        byte[] codes = new byte[rows * blocks * blockSize / 2];
        ByteBuffer scales = ByteBuffer.allocate(rows * blocks * 4).order(ByteOrder.LITTLE_ENDIAN);
        byte[] zeroPoints = new byte[rows * ((blocks + 1) / 2)];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                float[] block = new float[blockSize]; // zero padding past the row's end
                for (int i = 0; i < blockSize && b * blockSize + i < columns; i++) {
                    block[i] = values[r * columns + b * blockSize + i];
                }
                float min = block[0];
                float max = block[0];
                for (float v : block) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                float scale;
                int zeroPoint;
                if (symmetry == QuantizationSymmetry.SYMMETRIC) {
                    float largest = Math.abs(max) > Math.abs(min) ? max : min; // the minimum on a tie
                    scale = -largest / 8;
                    zeroPoint = 8;
                } else {
                    min = Math.min(min, 0f);
                    max = Math.max(max, 0f);
                    scale = (max - min) / 15;
                    float zero = scale != 0f ? 0f - min / scale : min;
                    zeroPoint = zero < 0f ? 0 : zero > 15 ? 15 : (int) roundf(zero);
                }
                float reciprocal = scale != 0f ? 1.0f / scale : 0f;
                scales.putFloat(scale);
                zeroPoints[r * ((blocks + 1) / 2) + b / 2] |= (byte) (zeroPoint << (b % 2 * 4));
                for (int i = 0; i < blockSize; i++) {
                    float rounded = roundf(block[i] * reciprocal + zeroPoint);
                    int code = (int) Math.max(0f, Math.min(15f, rounded));
                    codes[(r * blocks + b) * blockSize / 2 + i / 2] |= (byte) (code << (i % 2 * 4));
                }
            }
        }
        return new Expected(codes, scales.array(), zeroPoints);
    }

    /** C's roundf: to nearest, halves away from zero, in float64 where {@code x + 0.5} is exact. */
    private static float roundf(float x) {
        return (float) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
    }

    private static byte[] bytes(TensorData data) {
        ByteBuffer buffer = data.bytes();
        byte[] result = new byte[buffer.remaining()];
        buffer.get(result);
        return result;
    }

    private static String sha256(TensorData data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes(data)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
