package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bytes {@link ChannelInt8} writes for one float32 and one bfloat16 weight, pinned by digest as the quantizer
 * wrote them before its parts were computed in one pass (commit 66940f3): channels of random values, exact halves of
 * a code, a zero channel, a channel whose range is subnormal (scale 1) and a channel of one sign. The parts written
 * alone and written together in one pass give the same bytes.
 */
class ChannelInt8Test {
    private static final int ROWS = 48;
    private static final int COLUMNS = 320;

    @Test
    void theBytesOfAFloat32WeightArePinned() throws IOException {
        TensorData weight = TensorData.ofFloats(weights(new SplittableRandom(17)), ROWS, COLUMNS);
        assertEquals(List.of(
                        "00e57cffa38bba47f27b6623723489acc32851758ff34f0b3baa487f3871bdae",
                        "42a7382a7e0beaa7a2d4f0f7ad7e9e3ed50d16426e2bc0a0f1864f2f5c698480",
                        "2650f54d64152eaba9c8f288934a0bb9b3488ada20e10bbe268102546a9323ec",
                        "db18c2d9fb0e295935083132b87ce644ce5f31e14f6e628c220e850479f7034c",
                        "8050600c7355eb57f7d062b561ab6c151794a3a23538344f8a5426268d48c69b"),
                digests(weight));
    }

    @Test
    void theBytesOfABfloat16WeightArePinned() throws IOException {
        float[] values = weights(new SplittableRandom(19));
        short[] bfloats = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bfloats[i] = HalfPrecision.floatToBfloat16(values[i]);
        }
        TensorData weight = bfloat16(bfloats).convertedTo(ElementType.FLOAT);
        assertEquals(List.of(
                        "af03d3ad02c1bb5c477bb57db100b1de72f668b587c1d953c1b08ef83ac74f4a",
                        "38dce423dae0d1f75911bc21b2506ebaf7092459ad17852679eaea4e2414f9a2",
                        "5a9dc836efaa3568049b47085513ce27d5d6e50f435b05cc8be5d1f20b49c43e",
                        "05c5667eb6e3b704f36235a0d63afff189981e7a0adc8d90b351012aa818c967",
                        "c618dd6127ba512d5b76db15784823d2ba13f141d98ac0ad2e3419176f800b7d"),
                digests(weight));
    }

    /**
     * Symmetric codes and scales, then codes, scales and zero points with zero points: each part written alone, after
     * checking that the parts written together in one pass ({@link JointlyWritten.Joint}) give the same bytes.
     */
    private static List<String> digests(TensorData weight) throws IOException {
        QuantizedMatrix symmetric = new ChannelInt8(QuantizationSymmetry.SYMMETRIC).quantize(weight);
        QuantizedMatrix zeroPoints = new ChannelInt8(QuantizationSymmetry.WITH_ZERO_POINTS).quantize(weight);
        List<String> alone = List.of(sha256(symmetric.values()), sha256(symmetric.scales()),
                sha256(zeroPoints.values()), sha256(zeroPoints.scales()),
                sha256(zeroPoints.zeroPoints().orElseThrow()));
        List<String> together = new ArrayList<>(jointly(symmetric.values()));
        together.addAll(jointly(zeroPoints.values()));
        assertEquals(alone, together, "parts written together");
        return alone;
    }

    /** The digests of the parts of {@code part}'s joint, written together in one pass. */
    private static List<String> jointly(TensorData part) throws IOException {
        List<TensorData> parts = ((JointlyWritten) part).joint().parts();
        List<ByteBuffer> buffers = new ArrayList<>();
        List<WritableByteChannel> channels = new ArrayList<>();
        for (TensorData each : parts) {
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(each.byteSize()));
            buffers.add(buffer);
            channels.add(new ByteBufferChannel(buffer));
        }
        ((JointlyWritten) part).joint().writeTo(channels);
        List<String> digests = new ArrayList<>();
        for (ByteBuffer buffer : buffers) {
            assertEquals(0, buffer.remaining(), "bytes left unwritten");
            digests.add(sha256(buffer.array()));
        }
        return digests;
    }

    /**
     * Random values in [-2, 2) per channel, except: channel 0 all zero, channel 1 subnormal, channel 2 positive only,
     * channel 3 exact halves of a code.
     */
    private static float[] weights(SplittableRandom random) {
        float[] values = new float[ROWS * COLUMNS];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 4 - 2);
        }
        for (int c = 0; c < COLUMNS; c++) {
            values[c] = 0f;
            values[COLUMNS + c] = Float.MIN_VALUE * (c % 7);
            values[2 * COLUMNS + c] = Math.abs(values[2 * COLUMNS + c]) + 0.5f;
            // absmax 127, so the symmetric scale is 1 and every other value an exact half of a code
            values[3 * COLUMNS + c] = c == 0 ? 127f : (c % 254 - 127) + 0.5f;
        }
        return values;
    }

    private static TensorData bfloat16(short[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(values);
        return TensorData.wrap(ElementType.BFLOAT16, List.of((long) ROWS, (long) COLUMNS), bytes);
    }

    private static String sha256(TensorData data) {
        ByteBuffer buffer = data.bytes();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return sha256(bytes);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
