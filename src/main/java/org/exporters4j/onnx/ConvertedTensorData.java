package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A tensor converted element by element to another type while it is written: the source streams through a
 * converting channel, so neither the source nor the result is ever whole on the heap.
 *
 * <p>The conversions an export runs over every weight of a checkpoint (bfloat16, float16 or float64 into a float32
 * model) go a block of elements at a time through primitive arrays ({@link BlockConverter}), which the JIT compiles
 * to tight loops; the others go element by element. Both give the same values; widening keeps every bit, NaN
 * payloads included.
 */
final class ConvertedTensorData extends DerivedTensorData {
    /**
     * The converted bytes are written downstream in pieces of this size (the whole tensor when it is smaller): small
     * enough to stay in the processor's cache until written, and to be little garbage per tensor.
     */
    private static final int CHUNK_BYTES = 1 << 17;
    /** Elements per block of a {@link BlockConverter}: its arrays stay in the processor's cache. */
    private static final int BLOCK_ELEMENTS = 8192;
    private static final Set<ElementType> FLOATING = EnumSet.of(
            ElementType.FLOAT, ElementType.FLOAT16, ElementType.BFLOAT16, ElementType.DOUBLE);
    private static final Set<ElementType> INTEGER = EnumSet.of(
            ElementType.INT8, ElementType.UINT8, ElementType.INT32, ElementType.INT64);

    private final ElementType target;

    ConvertedTensorData(TensorData source, ElementType target) {
        super("convertedTo", source, convertible(source, target), source.dims());
        this.target = target;
    }

    /** {@code target}, when {@code source} converts to it exactly or by one rounding. */
    private static ElementType convertible(TensorData source, ElementType target) {
        ElementType from = source.elementType();
        boolean floating = FLOATING.contains(from) && FLOATING.contains(target);
        boolean integer = INTEGER.contains(from) && INTEGER.contains(target);
        if (!floating && !integer) {
            throw new OnnxGraphException("cannot convert " + from.onnxName() + " tensor data to " + target.onnxName()
                    + "; conversions are between floating-point types " + FLOATING + " or between integer types "
                    + INTEGER + " (use a Cast node for others)");
        }
        if (from == ElementType.DOUBLE && target.byteWidth() == 2) {
            throw new OnnxGraphException("converting double tensor data to " + target.onnxName()
                    + " would round twice; convert to float first, or keep float");
        }
        return target;
    }

    /** The target type by its ONNX name. */
    @Override
    protected List<Object> arguments() {
        return List.of(target.onnxName());
    }

    /**
     * The source narrowed directly: a 16-bit source of {@code half} itself (widening it was exact), else the source
     * narrowed once. A float64 source is narrowed from this float32 conversion, as it must round twice anyway.
     */
    @Override
    public TensorData narrowedTo(ElementType half) {
        if (target == half) {
            return this;
        }
        if (target == ElementType.FLOAT && source.elementType().byteWidth() == 2) {
            return source.narrowedTo(half);
        }
        return new NarrowedTensorData(this, half);
    }

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        new ConvertingChannel(channel).transfer(source);
    }

    /** Decodes source elements (which may arrive split across writes) and encodes them into the target. */
    private final class ConvertingChannel extends ReencodingChannel {
        private final int targetWidth = target.byteWidth();
        private final BlockConverter blocks = BlockConverter.of(source.elementType(), target);
        private long elementIndex;

        ConvertingChannel(WritableByteChannel downstream) {
            super(source.elementType(), downstream, (int) Math.max(8, Math.min(CHUNK_BYTES, byteSize())));
        }

        @Override
        protected void acceptElements(ByteBuffer in, int count) throws IOException {
            convert(in, count);
        }

        /** Converts {@code elements} whole elements from {@code in} into the output, flushing it when full. */
        private void convert(ByteBuffer in, int elements) throws IOException {
            int left = elements;
            while (left > 0) {
                if (output.remaining() < targetWidth) {
                    flushOutput();
                }
                if (blocks == null) {
                    convertOne(in);
                    left--;
                } else {
                    int block = Math.min(left, Math.min(BLOCK_ELEMENTS, output.remaining() / targetWidth));
                    blocks.convert(in, output, block);
                    left -= block;
                    elementIndex += block;
                }
            }
        }

        private void convertOne(ByteBuffer in) throws IOException {
            if (FLOATING.contains(target)) {
                encodeFloating(readFloating(in));
            } else {
                encodeInteger(readInteger(in));
            }
            elementIndex++;
        }

        private double readFloating(ByteBuffer in) {
            return switch (source.elementType()) {
                case FLOAT -> in.getFloat();
                case DOUBLE -> in.getDouble();
                case FLOAT16 -> HalfPrecision.float16ToFloat(in.getShort());
                case BFLOAT16 -> HalfPrecision.bfloat16ToFloat(in.getShort());
                default -> throw new IllegalStateException("not a floating-point type: " + source.elementType());
            };
        }

        /** {@code value} is exactly a float unless the source is double (then only float and double targets). */
        private void encodeFloating(double value) {
            switch (target) {
                case FLOAT -> output.putFloat((float) value);
                case DOUBLE -> output.putDouble(value);
                case FLOAT16 -> output.putShort(HalfPrecision.floatToFloat16((float) value));
                case BFLOAT16 -> output.putShort(HalfPrecision.floatToBfloat16((float) value));
                default -> throw new IllegalStateException("not a floating-point type: " + target);
            }
        }

        private long readInteger(ByteBuffer in) {
            return switch (source.elementType()) {
                case INT8 -> in.get();
                case UINT8 -> in.get() & 0xff;
                case INT32 -> in.getInt();
                case INT64 -> in.getLong();
                default -> throw new IllegalStateException("not an integer type: " + source.elementType());
            };
        }

        private void encodeInteger(long value) throws IOException {
            long min;
            long max;
            switch (target) {
                case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
                case UINT8 -> { min = 0; max = 255; }
                case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
                default -> { min = Long.MIN_VALUE; max = Long.MAX_VALUE; }
            }
            if (value < min || value > max) {
                throw new IOException("element " + elementIndex + " of a " + source.elementType().onnxName()
                        + dims() + " tensor is " + value + ", outside the range of " + target.onnxName());
            }
            switch (target) {
                case INT8, UINT8 -> output.put((byte) value);
                case INT32 -> output.putInt((int) value);
                default -> output.putLong(value);
            }
        }
    }

    /**
     * A conversion of whole blocks of elements: little-endian source elements read in bulk into an array, converted
     * in a loop over arrays, the results put in bulk, so each element costs a few instructions instead of a buffer
     * access and a type switch. Each instance owns its arrays (one per converting channel).
     */
    private interface BlockConverter {
        /**
         * Converts {@code count} elements (at most {@link #BLOCK_ELEMENTS}) from {@code in} into {@code out}, both
         * little-endian, advancing both.
         */
        void convert(ByteBuffer in, ByteBuffer out, int count);

        /** The block conversion from {@code from} to {@code to}, or null when there is none (element by element). */
        static BlockConverter of(ElementType from, ElementType to) {
            if (to != ElementType.FLOAT) {
                return null;
            }
            return switch (from) {
                case BFLOAT16 -> new HalfToFloat(false);
                case FLOAT16 -> new HalfToFloat(true);
                case DOUBLE -> new DoubleToFloat();
                default -> null;
            };
        }
    }

    /** bfloat16 or float16 to float32, exactly, bit for bit as {@link HalfPrecision} widens one element. */
    private static final class HalfToFloat implements BlockConverter {
        private final boolean float16;
        private final short[] halves = new short[BLOCK_ELEMENTS];
        private final int[] floatBits = new int[BLOCK_ELEMENTS];

        HalfToFloat(boolean float16) {
            this.float16 = float16;
        }

        @Override
        public void convert(ByteBuffer in, ByteBuffer out, int count) {
            in.asShortBuffer().get(halves, 0, count);
            in.position(in.position() + count * Short.BYTES);
            if (float16) {
                int[] table = Float16Table.FLOAT_BITS;
                for (int i = 0; i < count; i++) {
                    floatBits[i] = table[halves[i] & 0xffff];
                }
            } else {
                for (int i = 0; i < count; i++) {
                    floatBits[i] = halves[i] << 16; // HalfPrecision.bfloat16ToFloatBits
                }
            }
            out.asIntBuffer().put(floatBits, 0, count);
            out.position(out.position() + count * Integer.BYTES);
        }
    }

    /** float64 to float32, rounded to nearest even as Java's {@code (float)} cast (and PyTorch's {@code .float()}). */
    private static final class DoubleToFloat implements BlockConverter {
        private final double[] doubles = new double[BLOCK_ELEMENTS];
        private final float[] floats = new float[BLOCK_ELEMENTS];

        @Override
        public void convert(ByteBuffer in, ByteBuffer out, int count) {
            in.asDoubleBuffer().get(doubles, 0, count);
            in.position(in.position() + count * Double.BYTES);
            for (int i = 0; i < count; i++) {
                floats[i] = (float) doubles[i];
            }
            out.asFloatBuffer().put(floats, 0, count);
            out.position(out.position() + count * Float.BYTES);
        }
    }

    /** The float32 bits of each of the 65,536 float16 values, built on first use (256 KiB). */
    private static final class Float16Table {
        static final int[] FLOAT_BITS = new int[1 << 16];

        static {
            for (int bits = 0; bits < FLOAT_BITS.length; bits++) {
                FLOAT_BITS[bits] = HalfPrecision.float16ToFloatBits((short) bits);
            }
        }

        private Float16Table() {}
    }
}
