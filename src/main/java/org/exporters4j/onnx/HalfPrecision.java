package org.exporters4j.onnx;

/**
 * Bit-exact conversions between float32 and the two 16-bit float formats: IEEE 754 binary16 ({@code float16}) and
 * bfloat16 (the upper half of a float32). Widening is exact; narrowing rounds to nearest, ties to even, as
 * PyTorch's {@code tensor.half()} and {@code tensor.bfloat16()} do; NaN stays NaN and overflow becomes infinity.
 */
final class HalfPrecision {
    private HalfPrecision() {}

    static float float16ToFloat(short half) {
        return Float.intBitsToFloat(float16ToFloatBits(half));
    }

    /**
     * The bits of the float32 equal to {@code half}: exact, a NaN keeps its payload (shifted into the float's
     * mantissa) and, like PyTorch's {@code tensor.float()}, a signalling NaN stays signalling.
     */
    static int float16ToFloatBits(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            // zero or subnormal: mantissa × 2^-24, exact in float
            return sign | Float.floatToRawIntBits(mantissa * 0x1p-24f);
        }
        if (exponent == 0x1f) {
            return sign | 0x7f800000 | (mantissa << 13);
        }
        return sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }

    static short floatToFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= 0x7f800000) { // infinity, or NaN kept quiet with its top payload bits
            return (short) (sign | 0x7c00 | (magnitude > 0x7f800000 ? 0x200 | ((magnitude >>> 13) & 0x3ff) : 0));
        }
        if (magnitude >= 0x477ff000) { // 65520 and above round to infinity (65504 is the largest float16)
            return (short) (sign | 0x7c00);
        }
        if (magnitude < 0x38800000) { // below 2^-14: a float16 subnormal, a multiple of 2^-24 (rint: ties to even)
            int mantissa = (int) Math.rint((double) Float.intBitsToFloat(magnitude) * 0x1p24);
            return (short) (sign | mantissa); // 1024 carries into the smallest normal, which is the right encoding
        }
        int exponent = (magnitude >>> 23) - 127 + 15;
        int mantissa = magnitude & 0x7fffff;
        int half = (exponent << 10) | (mantissa >>> 13);
        int dropped = mantissa & 0x1fff;
        if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1) == 1)) {
            half++; // a carry into the exponent is the correctly rounded result
        }
        return (short) (sign | half);
    }

    static float bfloat16ToFloat(short bfloat) {
        return Float.intBitsToFloat(bfloat16ToFloatBits(bfloat));
    }

    /** The bits of the float32 equal to {@code bfloat}: its 16 bits on top of 16 zero bits, NaN payloads included. */
    static int bfloat16ToFloatBits(short bfloat) {
        return bfloat << 16;
    }

    static short floatToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40); // NaN stays a quiet NaN
        }
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
