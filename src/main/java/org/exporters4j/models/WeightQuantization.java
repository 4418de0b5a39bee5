package org.exporters4j.models;

import java.util.Objects;

/**
 * How the weights of the graph's matrix products are stored: as they are ({@link Scheme#NONE}), in 8 bits per
 * output channel ({@link Scheme#INT8}, as ONNX Runtime's dynamic quantizer), or in 4-bit blocks along the input
 * features ({@link Scheme#INT4}, as {@code MatMulNBits}).
 *
 * @param scheme none, int8 or int4
 * @param blockSize the elements of one int4 block along the input features (a power of two from 16 to 256, as
 *     {@code MatMulNBits}' {@code block_size}); 0 for the other schemes, which have no blocks
 * @param symmetry symmetric (no zero points) or with zero points; {@link Symmetry#SYMMETRIC} for {@link Scheme#NONE}
 */
public record WeightQuantization(Scheme scheme, int blockSize, Symmetry symmetry) {
    /** The weights as the checkpoint has them (widened to the form's precision). */
    public static final WeightQuantization NONE = new WeightQuantization(Scheme.NONE, 0, Symmetry.SYMMETRIC);

    /** {@code MatMulNBits}' usual block, the onnxruntime-genai builder's default. */
    public static final int DEFAULT_INT4_BLOCK_SIZE = 32;

    public enum Scheme {
        NONE,
        INT8,
        INT4
    }

    /** Whether quantized values are centred on zero or shifted by a stored zero point. */
    public enum Symmetry {
        SYMMETRIC,
        ASYMMETRIC
    }

    public WeightQuantization {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(symmetry, "symmetry");
        if (scheme == Scheme.INT4) {
            if (blockSize < 16 || blockSize > 256 || Integer.bitCount(blockSize) != 1) {
                throw new IllegalArgumentException("the int4 block size must be a power of two from 16 to 256 "
                        + "(MatMulNBits' block_size), got " + blockSize + "; " + DEFAULT_INT4_BLOCK_SIZE
                        + " is the usual one");
            }
        } else if (blockSize != 0) {
            throw new IllegalArgumentException("only int4 weights have a block size; " + scheme
                    + " got " + blockSize + " (pass 0)");
        }
        if (scheme == Scheme.NONE && symmetry != Symmetry.SYMMETRIC) {
            throw new IllegalArgumentException("unquantized weights have no zero points; use WeightQuantization.NONE");
        }
    }

    /** 8-bit weights with a scale per output channel. */
    public static WeightQuantization int8(Symmetry symmetry) {
        return new WeightQuantization(Scheme.INT8, 0, symmetry);
    }

    /** 4-bit weights in blocks of {@code blockSize} input features. */
    public static WeightQuantization int4(int blockSize, Symmetry symmetry) {
        return new WeightQuantization(Scheme.INT4, blockSize, symmetry);
    }

    @Override
    public String toString() {
        return switch (scheme) {
            case NONE -> "unquantized";
            case INT8 -> "int8 " + symmetry.name().toLowerCase(java.util.Locale.ROOT);
            case INT4 -> "int4 blocks of " + blockSize + " " + symmetry.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
