package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * A floating-point weight in a 16-bit float type, converted while it is written as ONNX Runtime's float16 converter
 * converts initializers ({@code onnxruntime/python/tools/transformers/float16.py}, {@code convert_np_to_float16},
 * from onnxconverter-common): without changing sign or finiteness. For float16 a finite value beyond the largest
 * float16 becomes ±65504 (not infinity) and a nonzero value closer to zero than the smallest subnormal
 * (5.96e-8) becomes ±5.96e-8 (not zero); otherwise values round to nearest, ties to even. bfloat16 has float32's
 * range and only rounds. NaN and infinities stay what they are.
 *
 * <p>The source is float32, float16 or bfloat16 (float16 and bfloat16 widen exactly, so a bfloat16 checkpoint
 * weight narrowed to float16 rounds once). Elements go a block at a time through primitive arrays.
 */
final class NarrowedTensorData extends DerivedTensorData {
    /** The largest finite float16, the value ONNX Runtime's converter saturates to. */
    static final float FLOAT16_MAX = 65504f;
    /** The smallest positive float16 (a subnormal, 2^-24), the value ONNX Runtime's converter lifts tiny values to. */
    static final float FLOAT16_MIN_POSITIVE = 0x1p-24f;
    private static final int BLOCK_ELEMENTS = 8192;

    private final ElementType target;

    NarrowedTensorData(TensorData source, ElementType target) {
        super("narrowedTo", source, checked(source, target), source.dims());
        this.target = target;
    }

    private static ElementType checked(TensorData source, ElementType target) {
        boolean half = target == ElementType.FLOAT16 || target == ElementType.BFLOAT16;
        ElementType from = source.elementType();
        boolean floating = from == ElementType.FLOAT || from == ElementType.FLOAT16 || from == ElementType.BFLOAT16;
        if (!half || !floating || from == target) {
            throw new OnnxGraphException("cannot narrow " + from.onnxName() + " tensor data to " + target.onnxName()
                    + "; narrowing goes from float, float16 or bfloat16 to the other 16-bit type, float16 or bfloat16");
        }
        return target;
    }

    /** The target type by its ONNX name. */
    @Override
    protected List<Object> arguments() {
        return List.of(target.onnxName());
    }

    /** One element as ONNX Runtime's converter stores it in {@code target}. */
    static short narrow(float value, ElementType target) {
        if (target == ElementType.BFLOAT16) {
            return HalfPrecision.floatToBfloat16(value);
        }
        float magnitude = Math.abs(value);
        if (magnitude > FLOAT16_MAX && magnitude != Float.POSITIVE_INFINITY) {
            value = Math.copySign(FLOAT16_MAX, value);
        } else if (magnitude > 0 && magnitude < FLOAT16_MIN_POSITIVE) {
            value = Math.copySign(FLOAT16_MIN_POSITIVE, value);
        }
        return HalfPrecision.floatToFloat16(value);
    }

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        new Narrowing(channel).transfer(source);
    }

    /** Decodes source elements (which may arrive split across writes) and writes them narrowed downstream. */
    private final class Narrowing extends ReencodingChannel {
        private final ElementType from = source.elementType();
        private final float[] floats = new float[BLOCK_ELEMENTS];
        private final short[] halves = new short[BLOCK_ELEMENTS];

        Narrowing(WritableByteChannel downstream) {
            super(source.elementType(), downstream, BLOCK_ELEMENTS * Short.BYTES);
        }

        @Override
        protected void acceptElements(ByteBuffer in, int count) throws IOException {
            for (int done = 0; done < count; ) {
                int block = Math.min(BLOCK_ELEMENTS, count - done);
                convert(in, block);
                done += block;
            }
        }

        /** Narrows {@code count} elements (at most a block) from {@code in} and writes them downstream. */
        private void convert(ByteBuffer in, int count) throws IOException {
            switch (from) {
                case FLOAT -> {
                    in.asFloatBuffer().get(floats, 0, count);
                    in.position(in.position() + count * Float.BYTES);
                }
                case FLOAT16, BFLOAT16 -> {
                    in.asShortBuffer().get(halves, 0, count);
                    in.position(in.position() + count * Short.BYTES);
                    for (int i = 0; i < count; i++) {
                        floats[i] = from == ElementType.FLOAT16 ? HalfPrecision.float16ToFloat(halves[i])
                                : HalfPrecision.bfloat16ToFloat(halves[i]);
                    }
                }
                default -> throw new IllegalStateException("not a narrowable type: " + from);
            }
            for (int i = 0; i < count; i++) {
                halves[i] = narrow(floats[i], target);
            }
            output.asShortBuffer().put(halves, 0, count);
            output.position(count * Short.BYTES);
            flushOutput();
        }
    }
}
