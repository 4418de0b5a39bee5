package org.exporters4j.models;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.onnx.BlockInt4;
import org.exporters4j.onnx.ChannelInt8;
import org.exporters4j.onnx.QuantizationSymmetry;
import org.exporters4j.onnx.WeightQuantizer;

/**
 * How the weights of the graph's matrix products (its dense layers) are stored: as they are ({@link Scheme#NONE}),
 * in 8 bits per output channel ({@link Scheme#INT8}, as ONNX Runtime's dynamic quantizer), or in 4-bit blocks along
 * the input features ({@link Scheme#INT4}, as {@code MatMulNBits}). Embedding tables stay float unless asked
 * ({@code embeddings} {@link Storage#QUANTIZED}: int4, symmetric, {@code GatherBlockQuantized}, in the families whose
 * token lookup reads this setting); a float table tied to the LM head keeps its float initializer for the lookup,
 * and the head reads its quantized copy.
 *
 * @param scheme none, int8 or int4
 * @param blockSize the elements of one int4 block along the input features (a power of two from 16 to 256, as
 *     {@code MatMulNBits}' {@code block_size}); 0 for the other schemes, which have no blocks
 * @param symmetry symmetric (no zero points) or with zero points; {@link Symmetry#SYMMETRIC} for {@link Scheme#NONE}
 * @param languageModelHead whether the LM head's projection onto the vocabulary is quantized too (the default, as
 *     ONNX Runtime's quantizers and the onnxruntime-genai builder do) or stays float32
 * @param accuracyLevel int4 only: {@code MatMulNBits}' {@code accuracy_level} (4, the default: ONNX Runtime's CPU
 *     multiplies in int8, its fastest path; 0 computes in the input's float type); 0 for the other schemes
 * @param embeddings whether the token embedding table is quantized too (int4 symmetric only) or stays float32 (the
 *     default)
 */
public record WeightQuantization(Scheme scheme, int blockSize, Symmetry symmetry, Storage languageModelHead,
                                 int accuracyLevel, Storage embeddings) {
    /** The weights as the checkpoint has them (widened to the form's precision). */
    public static final WeightQuantization NONE = new WeightQuantization(Scheme.NONE, 0, Symmetry.SYMMETRIC);

    /** {@code MatMulNBits}' usual block, the onnxruntime-genai builder's default. */
    public static final int DEFAULT_INT4_BLOCK_SIZE = BlockInt4.DEFAULT_BLOCK_SIZE;

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

    /**
     * Whether a group of weights the dense layers may leave alone (the LM head's projection onto the vocabulary, the
     * token embedding table) is quantized with them or stays float32.
     */
    public enum Storage {
        QUANTIZED,
        FLOAT
    }

    public WeightQuantization {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(symmetry, "symmetry");
        Objects.requireNonNull(languageModelHead, "languageModelHead");
        Objects.requireNonNull(embeddings, "embeddings");
        if (embeddings == Storage.QUANTIZED && (scheme != Scheme.INT4 || symmetry != Symmetry.SYMMETRIC)) {
            throw new IllegalArgumentException("embedding tables are quantized as int4 symmetric blocks "
                    + "(GatherBlockQuantized), not as " + scheme + " " + symmetry + "; use --quantize int4 without "
                    + "--quantize-zero-points, or leave the embeddings float32");
        }
        if (scheme == Scheme.INT4) {
            if (blockSize < 16 || blockSize > 256 || Integer.bitCount(blockSize) != 1) {
                throw new IllegalArgumentException("the int4 block size must be a power of two from 16 to 256 "
                        + "(MatMulNBits' block_size), got " + blockSize + "; " + DEFAULT_INT4_BLOCK_SIZE
                        + " is the usual one");
            }
            if (accuracyLevel < 0 || accuracyLevel > 4) {
                throw new IllegalArgumentException("the int4 accuracy level is MatMulNBits' accuracy_level: 0 (the "
                        + "input's float type), 1 (float32), 2 (float16), 3 (bfloat16) or 4 (int8, the default), got "
                        + accuracyLevel);
            }
        } else {
            if (blockSize != 0) {
                throw new IllegalArgumentException("only int4 weights have a block size; " + scheme
                        + " got " + blockSize + " (pass 0)");
            }
            if (accuracyLevel != 0) {
                throw new IllegalArgumentException("only int4 weights have an accuracy level (MatMulNBits'); "
                        + scheme + " got " + accuracyLevel + " (pass 0)");
            }
        }
        if (scheme == Scheme.NONE && (symmetry != Symmetry.SYMMETRIC
                || languageModelHead != Storage.QUANTIZED)) {
            throw new IllegalArgumentException("unquantized weights have no zero points and no LM head setting; use "
                    + "WeightQuantization.NONE");
        }
    }

    /** {@code scheme} with the LM head quantized too and, for int4, the default accuracy level. */
    public WeightQuantization(Scheme scheme, int blockSize, Symmetry symmetry) {
        this(scheme, blockSize, symmetry, Storage.QUANTIZED,
                scheme == Scheme.INT4 ? BlockInt4.DEFAULT_ACCURACY_LEVEL : 0, Storage.FLOAT);
    }

    /** 8-bit weights with a scale per output channel. */
    public static WeightQuantization int8(Symmetry symmetry) {
        return new WeightQuantization(Scheme.INT8, 0, symmetry);
    }

    /** 4-bit weights in blocks of {@code blockSize} input features. */
    public static WeightQuantization int4(int blockSize, Symmetry symmetry) {
        return new WeightQuantization(Scheme.INT4, blockSize, symmetry);
    }

    /** The same weights, the LM head quantized or kept float32. */
    public WeightQuantization withLanguageModelHead(Storage newLanguageModelHead) {
        return new WeightQuantization(scheme, blockSize, symmetry, newLanguageModelHead, accuracyLevel, embeddings);
    }

    /** The same int4 weights, multiplied at {@code newAccuracyLevel}. */
    public WeightQuantization withAccuracyLevel(int newAccuracyLevel) {
        return new WeightQuantization(scheme, blockSize, symmetry, languageModelHead, newAccuracyLevel, embeddings);
    }

    /** The same weights, the token embedding table quantized or kept float32. */
    public WeightQuantization withEmbeddings(Storage newEmbeddings) {
        return new WeightQuantization(scheme, blockSize, symmetry, languageModelHead, accuracyLevel, newEmbeddings);
    }

    /** The quantizer of the token embedding table; empty when it stays float32. */
    public Optional<BlockInt4> embeddingQuantizer() {
        return embeddings == Storage.QUANTIZED
                ? Optional.of(new BlockInt4(blockSize, QuantizationSymmetry.SYMMETRIC, accuracyLevel))
                : Optional.empty();
    }

    /** Whether any weight is quantized. */
    public boolean quantized() {
        return scheme != Scheme.NONE;
    }

    /** The quantizer of the graph's dense layers; empty when they stay float. */
    public Optional<WeightQuantizer> quantizer() {
        QuantizationSymmetry onnxSymmetry = symmetry == Symmetry.SYMMETRIC ? QuantizationSymmetry.SYMMETRIC
                : QuantizationSymmetry.WITH_ZERO_POINTS;
        return switch (scheme) {
            case NONE -> Optional.empty();
            case INT8 -> Optional.of(new ChannelInt8(onnxSymmetry));
            case INT4 -> Optional.of(new BlockInt4(blockSize, onnxSymmetry, accuracyLevel));
        };
    }

    /** The quantizer of the LM head: the dense layers', or none when the head stays float32. */
    public Optional<WeightQuantizer> languageModelHeadQuantizer() {
        return languageModelHead == Storage.FLOAT ? Optional.empty() : quantizer();
    }

    @Override
    public String toString() {
        String head = (languageModelHead == Storage.FLOAT ? ", LM head float32" : "")
                + (embeddings == Storage.QUANTIZED ? ", embeddings int4" : "");
        return switch (scheme) {
            case NONE -> "unquantized";
            case INT8 -> "int8 " + symmetry.name().toLowerCase(Locale.ROOT) + head;
            case INT4 -> "int4 blocks of " + blockSize + " " + symmetry.name().toLowerCase(Locale.ROOT)
                    + (accuracyLevel == BlockInt4.DEFAULT_ACCURACY_LEVEL ? "" : " (accuracy level " + accuracyLevel
                            + ")") + head;
        };
    }
}
