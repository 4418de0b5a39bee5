package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A tensor converted element by element to another type while it is written: the source streams through a
 * converting channel, so neither the source nor the result is ever whole on the heap.
 */
final class ConvertedTensorData extends DerivedTensorData {
    private static final int CHUNK_BYTES = 1 << 16;
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

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        ConvertingChannel converter = new ConvertingChannel(channel);
        source.writeTo(converter);
        converter.finish();
    }

    /** Decodes source elements (which may arrive split across writes) and encodes them into the target. */
    private final class ConvertingChannel extends TensorWriteChannel {
        private final WritableByteChannel downstream;
        private final int sourceWidth = source.elementType().byteWidth();
        private final ByteBuffer pending = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private final ByteBuffer output = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long elementIndex;

        ConvertingChannel(WritableByteChannel downstream) {
            this.downstream = downstream;
        }

        @Override
        public int write(ByteBuffer input) throws IOException {
            int count = input.remaining();
            ByteBuffer in = input.slice().order(ByteOrder.LITTLE_ENDIAN);
            input.position(input.limit());
            if (pending.position() > 0) {
                while (pending.position() < sourceWidth && in.hasRemaining()) {
                    pending.put(in.get());
                }
                if (pending.position() < sourceWidth) {
                    return count;
                }
                pending.flip();
                convertOne(pending);
                pending.clear();
            }
            while (in.remaining() >= sourceWidth) {
                convertOne(in);
            }
            pending.put(in);
            return count;
        }

        void finish() throws IOException {
            if (pending.position() != 0) {
                throw new IOException("the source tensor ended in the middle of a " + source.elementType().onnxName()
                        + " element");
            }
            flushOutput();
        }

        private void convertOne(ByteBuffer in) throws IOException {
            if (output.remaining() < target.byteWidth()) {
                flushOutput();
            }
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

        private void flushOutput() throws IOException {
            output.flip();
            while (output.hasRemaining()) {
                downstream.write(output);
            }
            output.clear();
        }
    }
}
