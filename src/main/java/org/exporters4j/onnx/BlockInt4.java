package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.onnx.QuantizedParts.PartKind;

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
        return new Blocks(weight, this).matrix();
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

    /**
     * The block-by-block arithmetic of one weight's rows, with the scratch arrays of one pass (never shared between
     * threads): {@link #load} computes every block's scale, zero point and reciprocal of a row, {@link #codes} packs
     * that row's codes. The loops run over primitive arrays with no allocation and no call per element, so the JIT
     * compiles them to tight code; a bfloat16 row is read as stored (its float32 value is its bits shifted left by 16),
     * never widened into a row of its own. The values are the rules of the class comment, bit for bit.
     */
    static final class RowKernel {
        private final int blockSize;
        private final int columns;
        private final int blocks;
        private final boolean symmetric;
        /** Per block of the current row: the scale, its reciprocal (0 for scale 0) and the zero point. */
        final float[] scales;
        private final float[] reciprocals;
        final int[] zeroPoints;
        /** The last block of a row whose length is not a multiple of the block size, padded with zeros. */
        private final float[] padded;
        /** The row {@link #load}ed: float32 values, or bfloat16 bits. */
        private float[] floatRow;
        private short[] bfloat16Row;
        /** A bfloat16 row widened, for quantization with zero points (allocated on first use). */
        private float[] widened;

        RowKernel(BlockInt4 quantization, int columns) {
            this.blockSize = quantization.blockSize();
            this.columns = columns;
            this.blocks = (int) quantization.blocks(columns);
            this.symmetric = quantization.symmetry() == QuantizationSymmetry.SYMMETRIC;
            this.scales = new float[blocks];
            this.reciprocals = new float[blocks];
            this.zeroPoints = new int[blocks];
            this.padded = new float[blockSize];
        }

        int blocks() {
            return blocks;
        }

        /** Bytes of packed codes per row: two codes per byte, the last block padded. */
        int codeBytes() {
            return blocks * blockSize / 2;
        }

        /** Takes {@code row} ({@code columns} float32 values): every block's scale, zero point and reciprocal. */
        void load(float[] row) {
            floatRow = row;
            bfloat16Row = null;
            for (int b = 0; b < blocks; b++) {
                int from = b * blockSize;
                int count = Math.min(blockSize, columns - from);
                if (symmetric) {
                    int largest = Integer.MIN_VALUE; // the rotation of +0: the smallest, and the zero padding's if any
                    for (int i = from; i < from + count; i++) {
                        largest = Math.max(largest, magnitudeOrder(Float.floatToRawIntBits(row[i])));
                    }
                    setSymmetric(b, largest);
                } else {
                    float min = Float.MAX_VALUE;
                    float max = -Float.MAX_VALUE;
                    for (int i = from; i < from + count; i++) {
                        min = Math.min(min, row[i]);
                        max = Math.max(max, row[i]);
                    }
                    if (!Float.isFinite(min) || !Float.isFinite(max)) { // Math.min and max keep NaN and infinities
                        throw notFinite(b);
                    }
                    // the block's range widened to zero (which also covers the zero padding of a last block)
                    min = Math.min(min, 0f);
                    max = Math.max(max, 0f);
                    float scale = (max - min) / MAX_CODE;
                    float zero = scale != 0f ? 0f - min / scale : min;
                    setParameters(b, scale, zero < 0f ? 0 : zero > MAX_CODE ? MAX_CODE : (int) roundHalfAway(zero));
                }
            }
        }

        /** Takes {@code row} ({@code columns} bfloat16 elements' bits), as {@link #load(float[])} its float32 values. */
        void load(short[] row) {
            if (!symmetric) {
                if (widened == null) {
                    widened = new float[columns];
                }
                for (int i = 0; i < columns; i++) {
                    widened[i] = Float.intBitsToFloat(row[i] << 16);
                }
                load(widened);
                return;
            }
            floatRow = null;
            bfloat16Row = row;
            for (int b = 0; b < blocks; b++) {
                int from = b * blockSize;
                int count = Math.min(blockSize, columns - from);
                int largest = Integer.MIN_VALUE;
                for (int i = from; i < from + count; i++) {
                    largest = Math.max(largest, magnitudeOrder(row[i] << 16));
                }
                setSymmetric(b, largest);
            }
        }

        /**
         * Orders float32 bits by magnitude, then sign: the bits rotated left by one put the magnitude above the sign,
         * and flipping the top bit makes their unsigned order the signed one. The largest of a block is the value of
         * largest magnitude, the negative one on a tie: what {@code |max| > |min| ? max : min} picks, signed zeros
         * included; one integer maximum per element instead of a float minimum and maximum.
         */
        private static int magnitudeOrder(int floatBits) {
            return Integer.rotateLeft(floatBits, 1) ^ Integer.MIN_VALUE;
        }

        /** Block {@code block}'s symmetric parameters from the {@link #magnitudeOrder} of its largest value. */
        private void setSymmetric(int block, int largestOrder) {
            float largest = Float.intBitsToFloat(Integer.rotateRight(largestOrder ^ Integer.MIN_VALUE, 1));
            if (!Float.isFinite(largest)) { // NaN's magnitude is above infinity's, so either is the largest
                throw notFinite(block);
            }
            setParameters(block, -largest / MIDDLE, MIDDLE);
        }

        private void setParameters(int block, float scale, int zeroPoint) {
            scales[block] = scale;
            reciprocals[block] = scale != 0f ? 1.0f / scale : 0f;
            zeroPoints[block] = zeroPoint;
        }

        /**
         * The codes of the row just {@link #load}ed, packed two per byte (the first in the low nibble) into
         * {@code out} from {@code offset}: {@link #codeBytes()} bytes.
         */
        void codes(byte[] out, int offset) {
            int whole = columns / blockSize;
            for (int b = 0; b < whole; b++) {
                int from = b * blockSize;
                int at = offset + from / 2;
                if (bfloat16Row != null) {
                    packBlock(bfloat16Row, from, reciprocals[b], zeroPoints[b], out, at);
                } else {
                    packBlock(floatRow, from, reciprocals[b], zeroPoints[b], out, at);
                }
            }
            if (whole < blocks) {
                int from = whole * blockSize;
                for (int i = 0; i < blockSize; i++) {
                    padded[i] = from + i < columns ? value(from + i) : 0f;
                }
                packBlock(padded, 0, reciprocals[whole], zeroPoints[whole], out, offset + from / 2);
            }
        }

        private void packBlock(float[] values, int from, float reciprocal, int zeroPoint, byte[] out, int at) {
            if (symmetric && Math.abs(reciprocal) <= MAX_BOUNDED_RECIPROCAL) {
                for (int i = 0; i < blockSize / 2; i++) {
                    int low = symmetricCode(values[from + 2 * i], reciprocal);
                    int high = symmetricCode(values[from + 2 * i + 1], reciprocal);
                    out[at + i] = (byte) (low | high << 4);
                }
                return;
            }
            float zero = zeroPoint;
            for (int i = 0; i < blockSize / 2; i++) {
                int low = code(values[from + 2 * i], reciprocal, zero);
                int high = code(values[from + 2 * i + 1], reciprocal, zero);
                out[at + i] = (byte) (low | high << 4);
            }
        }

        private void packBlock(short[] bits, int from, float reciprocal, int zeroPoint, byte[] out, int at) {
            if (symmetric && Math.abs(reciprocal) <= MAX_BOUNDED_RECIPROCAL) {
                for (int i = 0; i < blockSize / 2; i++) {
                    int low = symmetricCode(Float.intBitsToFloat(bits[from + 2 * i] << 16), reciprocal);
                    int high = symmetricCode(Float.intBitsToFloat(bits[from + 2 * i + 1] << 16), reciprocal);
                    out[at + i] = (byte) (low | high << 4);
                }
                return;
            }
            float zero = zeroPoint;
            for (int i = 0; i < blockSize / 2; i++) {
                int low = code(Float.intBitsToFloat(bits[from + 2 * i] << 16), reciprocal, zero);
                int high = code(Float.intBitsToFloat(bits[from + 2 * i + 1] << 16), reciprocal, zero);
                out[at + i] = (byte) (low | high << 4);
            }
        }

        /** Element {@code i} of the loaded row as float32. */
        private float value(int i) {
            return bfloat16Row != null ? Float.intBitsToFloat(bfloat16Row[i] << 16) : floatRow[i];
        }

        private OnnxGraphException notFinite(int block) {
            float value = Float.NaN;
            for (int i = block * blockSize; i < Math.min(columns, (block + 1) * blockSize); i++) {
                if (!Float.isFinite(value(i))) {
                    value = value(i);
                    break;
                }
            }
            return new OnnxGraphException("cannot quantize a weight holding " + value + "; 4-bit quantization needs"
                    + " finite weights");
        }
    }

    /**
     * The code of {@code v} in a block of reciprocal scale {@code reciprocal} and zero point {@code zero}:
     * {@code clamp(roundf(v · reciprocal + zero), 0, 15)}. Adding 0.5 in float64 is exact, and truncating it toward
     * zero is {@code roundf} for every shifted value the clamp keeps (negative ones truncate to 0 or below, and NaN,
     * from an infinite reciprocal times 0, to 0, as the clamp of its rounding gave).
     */
    static int code(float v, float reciprocal, float zero) {
        int rounded = (int) ((double) (v * reciprocal + zero) + 0.5);
        return Math.min(Math.max(rounded, 0), MAX_CODE);
    }

    /**
     * The largest reciprocal of a symmetric block's scale for which {@link #symmetricCode} holds: that of the smallest
     * normal scale, so the scale {@code −largest / 8} was exact and its reciprocal is within an ulp of
     * {@code −8 / largest}.
     */
    static final float MAX_BOUNDED_RECIPROCAL = 0x1p126f;

    /**
     * {@link #code} of {@code v} in a symmetric block whose reciprocal is at most {@link #MAX_BOUNDED_RECIPROCAL} in
     * magnitude, all in float32. There {@code |v · reciprocal| ≤ 8 + 2⁻²⁰}, so the shifted value
     * {@code s = v · reciprocal + 8} lies in [−2⁻²⁰, 16 + 2⁻²⁰] and {@code (int) (s + 0.5f)} is {@code roundf(s)}
     * clamped below at 0: for {@code s ≥ 0.5} rounding {@code s + 0.5} to float32 never crosses an integer, and below
     * 0.5 {@code s} is 8 plus a product in [−8 − 2⁻²⁰, −7.5), a multiple of 2⁻²¹, so {@code s} and {@code s + 0.5}
     * are exact. Only the top needs the clamp. (A reciprocal of 0, scale 0, gives 8 as {@link #code} does.)
     */
    static int symmetricCode(float v, float reciprocal) {
        return Math.min((int) (v * reciprocal + MIDDLE + 0.5f), MAX_CODE);
    }

    /** C's {@code roundf}: to nearest, halves away from zero (exact: a float plus 0.5 is exact in double). */
    static float roundHalfAway(float x) {
        return (float) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
    }

    /** The parts of one weight's blocks ({@link QuantizedParts}), streamed row by row when written. */
    private static final class Blocks extends QuantizedParts {
        /** Output bytes gathered per part before a write. */
        private static final int CHUNK_BYTES = 1 << 20;
        private final BlockInt4 quantization;

        Blocks(TensorData weight, BlockInt4 quantization) {
            super("int4Blockwise", weight, quantization.symmetry(), kind -> spec(weight, quantization, kind));
            this.quantization = quantization;
        }

        /** Codes {@code [N, blocks, blockSize / 2]} uint8, scales {@code [N, blocks]}, zero points packed two a byte. */
        private static PartSpec spec(TensorData weight, BlockInt4 quantization, PartKind kind) {
            long channels = weight.dims().get(0);
            long blocks = quantization.blocks(weight.dims().get(1));
            List<Long> dims = switch (kind) {
                case VALUES -> List.of(channels, blocks, (long) quantization.blockSize() / 2);
                case SCALES -> List.of(channels, blocks);
                case ZERO_POINTS -> List.of(channels, (blocks + 1) / 2);
            };
            return new PartSpec(kind == PartKind.SCALES ? ElementType.FLOAT : ElementType.UINT8, dims,
                    List.of(kind, quantization.blockSize(), quantization.symmetry()));
        }

        /**
         * Streams the weight row by row ({@link FloatRowStream}): each channel's blocks are quantized as its row
         * arrives ({@link RowKernel}) and each part's bytes for it gathered into that part's chunk, written into its
         * channel when full, so memory is one row and a chunk per part whatever the weight's size.
         */
        @Override
        void write(List<PartKind> kinds, List<WritableByteChannel> channels) throws IOException {
            RowKernel kernel = new RowKernel(quantization, Math.toIntExact(weight.dims().get(1)));
            List<Output> outputs = new ArrayList<>();
            for (int i = 0; i < kinds.size(); i++) {
                outputs.add(new Output(kinds.get(i), kernel, channels.get(i)));
            }
            FloatRowStream.stream(weight, new FloatRowStream.Bfloat16RowSink() {
                @Override
                public void accept(int index, float[] row) throws IOException {
                    kernel.load(row);
                    putAll(outputs);
                }

                @Override
                public void acceptBfloat16(int index, short[] row) throws IOException {
                    kernel.load(row);
                    putAll(outputs);
                }
            });
            for (Output output : outputs) {
                output.flush();
            }
        }

        private static void putAll(List<Output> outputs) throws IOException {
            for (Output output : outputs) {
                output.put();
            }
        }
    }

    /** One part's bytes row by row: a chunk of whole rows, written into the part's channel when full. */
    private static final class Output {
        private final PartKind kind;
        private final RowKernel kernel;
        private final WritableByteChannel channel;
        private final int rowBytes;
        private final byte[] chunk;
        private final ByteBuffer out;

        Output(PartKind kind, RowKernel kernel, WritableByteChannel channel) {
            this.kind = kind;
            this.kernel = kernel;
            this.channel = channel;
            this.rowBytes = switch (kind) {
                case VALUES -> kernel.codeBytes();
                case SCALES -> kernel.blocks() * Float.BYTES;
                case ZERO_POINTS -> (kernel.blocks() + 1) / 2;
            };
            this.chunk = new byte[Math.max(1, Blocks.CHUNK_BYTES / rowBytes) * rowBytes];
            this.out = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** This part's bytes of the row the kernel just {@link RowKernel#load}ed. */
        void put() throws IOException {
            if (out.remaining() < rowBytes) {
                flush();
            }
            int at = out.position();
            switch (kind) {
                case VALUES -> kernel.codes(chunk, at);
                case SCALES -> out.asFloatBuffer().put(kernel.scales);
                case ZERO_POINTS -> {
                    int[] zeroPoints = kernel.zeroPoints;
                    int blocks = kernel.blocks();
                    for (int b = 0; b < blocks; b += 2) { // the unused high nibble of an odd count is 0
                        chunk[at + b / 2] = (byte) (zeroPoints[b] | (b + 1 < blocks ? zeroPoints[b + 1] << 4 : 0));
                    }
                }
            }
            out.position(at + rowBytes);
        }

        void flush() throws IOException {
            out.flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            out.clear();
        }
    }
}
