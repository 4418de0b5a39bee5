package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Block-wise 4-bit quantization of a dense layer's weight for ONNX Runtime's {@code MatMulNBits} (bits 4), round to
 * nearest, as ONNX Runtime's {@code MatMul4BitsQuantizer} (MLAS {@code BlockwiseQuantizer}) computes it and the
 * onnxruntime-genai model builder uses it by default. Each output channel's input features are cut into blocks of
 * {@link #blockSize()} (the last block padded with zeros); each block gets a scale and, with zero points, a zero point:
 *
 * <ul>
 *   <li>{@link QuantizationSymmetry#SYMMETRIC}: {@code m} is the block's value of largest magnitude (the minimum on a
 *       tie), {@code scale = −m / 8}, codes {@code clamp(round(v / scale + 8), 0, 15)}; the operator's default zero
 *       point 8 applies (none is stored);</li>
 *   <li>{@link QuantizationSymmetry#WITH_ZERO_POINTS}: with {@code min ≤ 0 ≤ max} the block's range widened to zero,
 *       {@code scale = (max − min) / 15}, {@code zero_point = clamp(round(−min / scale), 0, 15)} (0 when the scale
 *       is 0), codes {@code clamp(round(v / scale + zero_point), 0, 15)}.</li>
 * </ul>
 * Arithmetic is float32 as MLAS's: {@code v · (1 / scale) + zero_point} (the reciprocal 0 when the scale is 0), rounded
 * half away from zero ({@code roundf}).
 *
 * <p>Layouts (ONNX Runtime's ContribOperators.md, MatMulNBits): the weight {@code [N, K]} as {@code nn.Linear} stores
 * it (each row one output channel); codes {@code uint8[N, k_blocks, blockSize / 2]}, two per byte along K, the first
 * in the low nibble; scales {@code float[N, k_blocks]}; zero points packed the same way,
 * {@code uint8[N, ceil(k_blocks / 2)]}, the unused high nibble of an odd count 0.
 *
 * <p>{@link #accuracyLevel()} is how {@code MatMulNBits} computes, not part of the stored tensors.
 */
public record BlockInt4(int blockSize, QuantizationSymmetry symmetry, int accuracyLevel) implements WeightQuantizer {
    /** The block size ONNX Runtime's quantizer and the onnxruntime-genai builder use by default. */
    public static final int DEFAULT_BLOCK_SIZE = 32;
    /**
     * {@code MatMulNBits}' {@code accuracy_level} the onnxruntime-genai builder writes for ONNX Runtime's CPU: 4, the
     * input quantized to int8 per block and multiplied in integers (ONNX Runtime's fastest CPU path).
     */
    public static final int DEFAULT_ACCURACY_LEVEL = 4;
    /** The default zero point of 4-bit codes (the code of 0 in symmetric quantization). */
    static final int MIDDLE = 8;
    static final int MAX_CODE = 15;

    /** Blocks of {@code blockSize} at the default accuracy level. */
    public BlockInt4(int blockSize, QuantizationSymmetry symmetry) {
        this(blockSize, symmetry, DEFAULT_ACCURACY_LEVEL);
    }

    public BlockInt4 {
        Objects.requireNonNull(symmetry, "symmetry");
        if (accuracyLevel < 0 || accuracyLevel > 4) {
            throw new OnnxGraphException("MatMulNBits' accuracy level is 0 (unset), 1 (float32), 2 (float16), "
                    + "3 (bfloat16) or 4 (int8); got " + accuracyLevel);
        }
        if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
            throw new OnnxGraphException("a 4-bit block size must be a power of two of at least 16 (16, 32, 64, 128,"
                    + " ...), as MatMulNBits requires; got " + blockSize);
        }
    }

    /** The codes, scales and (with zero points) packed zero points of {@code weight} {@code [N, K]}. */
    @Override
    public QuantizedMatrix quantize(TensorData weight) {
        FloatRows.requireMatrix(weight, "4-bit quantization"); // the shape now, the bytes when written
        return new QuantizedMatrix(new Part(weight, this, PartKind.VALUES), new Part(weight, this, PartKind.SCALES),
                symmetry == QuantizationSymmetry.SYMMETRIC ? Optional.empty()
                        : Optional.of(new Part(weight, this, PartKind.ZERO_POINTS)));
    }

    /**
     * An embedding table {@code [rows, columns]} for {@code GatherBlockQuantized}: the codes of {@link #quantize} as
     * {@code uint8[rows, columns / 2]} and the scales {@code [rows, columns / blockSize]}; symmetric only (the
     * operator's default zero point of uint8 codes, 8, is MatMulNBits'), and only tables whose rows are whole blocks.
     */
    public QuantizedMatrix quantizeTable(TensorData table) {
        FloatRows.requireMatrix(table, "4-bit embedding quantization");
        long rows = table.dims().get(0);
        long columns = table.dims().get(1);
        if (symmetry != QuantizationSymmetry.SYMMETRIC || columns % blockSize != 0) {
            throw new OnnxGraphException("a 4-bit embedding table is quantized symmetrically in whole blocks; got "
                    + symmetry + " quantization of " + columns + " columns in blocks of " + blockSize);
        }
        QuantizedMatrix blocks = quantize(table);
        return new QuantizedMatrix(blocks.values().reshaped(rows, columns / 2), blocks.scales(), Optional.empty());
    }

    /** Whether {@link #quantizeTable} takes a table of {@code columns}. */
    public boolean quantizesTable(long columns) {
        return symmetry == QuantizationSymmetry.SYMMETRIC && columns % blockSize == 0;
    }

    /** Blocks per channel for {@code inFeatures}. */
    public long blocks(long inFeatures) {
        return (inFeatures + blockSize - 1) / blockSize;
    }

    /** A block's scale and zero point, and the reciprocal of the scale its codes are computed with (0 for scale 0). */
    record Parameters(float scale, int zeroPoint, float reciprocal) {
        Parameters(float scale, int zeroPoint) {
            this(scale, zeroPoint, scale != 0f ? 1.0f / scale : 0f);
        }
    }

    /** The parameters of a block of {@code count} values (the rest of the block is zero padding). */
    Parameters parameters(float[] block, int count) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < blockSize; i++) {
            float v = i < count ? block[i] : 0f;
            if (!Float.isFinite(v)) {
                throw new OnnxGraphException("cannot quantize a weight holding " + v + "; 4-bit quantization needs"
                        + " finite weights");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (symmetry == QuantizationSymmetry.SYMMETRIC) {
            float largest = Math.abs(max) > Math.abs(min) ? max : min;
            return new Parameters(-largest / MIDDLE, MIDDLE);
        }
        min = Math.min(min, 0f);
        max = Math.max(max, 0f);
        float scale = (max - min) / MAX_CODE;
        float zero = scale != 0f ? 0f - min / scale : min;
        int zeroPoint = zero < 0f ? 0 : zero > MAX_CODE ? MAX_CODE : (int) roundHalfAway(zero);
        return new Parameters(scale, zeroPoint);
    }

    /** The code of {@code v} in a block of {@code parameters}. */
    static int code(float v, Parameters parameters) {
        float shifted = v * parameters.reciprocal() + parameters.zeroPoint();
        return (int) Math.max(0f, Math.min(MAX_CODE, roundHalfAway(shifted)));
    }

    /** C's {@code roundf}: to nearest, halves away from zero (exact: a float plus 0.5 is exact in double). */
    static float roundHalfAway(float x) {
        return (float) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
    }

    private enum PartKind { VALUES, SCALES, ZERO_POINTS }

    /** One of the three tensors, computed channel by channel from the weight when written. */
    private static final class Part extends DerivedTensorData {
        /** Output bytes gathered before a write. */
        private static final int CHUNK_BYTES = 1 << 20;
        private final BlockInt4 quantization;
        private final PartKind kind;

        Part(TensorData weight, BlockInt4 quantization, PartKind kind) {
            super("int4Blockwise", weight, kind == PartKind.SCALES ? ElementType.FLOAT : ElementType.UINT8,
                    dims(weight, quantization, kind));
            this.quantization = quantization;
            this.kind = kind;
        }

        private static List<Long> dims(TensorData weight, BlockInt4 quantization, PartKind kind) {
            long channels = weight.dims().get(0);
            long blocks = quantization.blocks(weight.dims().get(1));
            return switch (kind) {
                case VALUES -> List.of(channels, blocks, (long) quantization.blockSize() / 2);
                case SCALES -> List.of(channels, blocks);
                case ZERO_POINTS -> List.of(channels, (blocks + 1) / 2);
            };
        }

        @Override
        protected List<Object> arguments() {
            return List.of(kind, quantization.blockSize(), quantization.symmetry());
        }

        /**
         * Streams the weight row by row ({@link FloatRowStream}): each channel's blocks are quantized as its row
         * arrives and the part's bytes for it gathered into a chunk written when full, so memory is one row and one
         * chunk whatever the weight's size.
         */
        @Override
        public void writeTo(WritableByteChannel channel) throws IOException {
            int blockSize = quantization.blockSize();
            int inputs = Math.toIntExact(source.dims().get(1));
            int blocks = (int) quantization.blocks(inputs);
            int channelBytes = switch (kind) {
                case VALUES -> blocks * blockSize / 2;
                case SCALES -> blocks * Float.BYTES;
                case ZERO_POINTS -> (blocks + 1) / 2;
            };
            ByteBuffer out = ByteBuffer.allocate(Math.max(channelBytes, CHUNK_BYTES / channelBytes * channelBytes))
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] block = new float[blockSize];
            int[] zeroPoints = new int[blocks + 1];
            FloatRowStream.stream(source, (index, row) -> {
                if (out.remaining() < channelBytes) {
                    write(out.flip(), channel);
                    out.clear();
                }
                for (int b = 0; b < blocks; b++) {
                    int count = Math.min(blockSize, inputs - b * blockSize);
                    System.arraycopy(row, b * blockSize, block, 0, count);
                    Parameters parameters = quantization.parameters(block, count);
                    switch (kind) {
                        case SCALES -> out.putFloat(parameters.scale());
                        case ZERO_POINTS -> zeroPoints[b] = parameters.zeroPoint();
                        case VALUES -> {
                            for (int i = 0; i < blockSize; i += 2) {
                                int low = code(i < count ? block[i] : 0f, parameters);
                                int high = code(i + 1 < count ? block[i + 1] : 0f, parameters);
                                out.put((byte) (low | high << 4));
                            }
                        }
                    }
                }
                if (kind == PartKind.ZERO_POINTS) {
                    zeroPoints[blocks] = 0; // the unused high nibble of an odd count
                    for (int b = 0; b < blocks; b += 2) {
                        out.put((byte) (zeroPoints[b] | zeroPoints[b + 1] << 4));
                    }
                }
            });
            write(out.flip(), channel);
        }

        private static void write(ByteBuffer buffer, WritableByteChannel channel) throws IOException {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
