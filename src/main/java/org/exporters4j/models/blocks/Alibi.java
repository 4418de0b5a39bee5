package org.exporters4j.models.blocks;

import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * BLOOM's attention with linear biases ({@code build_alibi_tensor}, Transformers 4.25.1): head {@code h} adds
 * {@code slope_h · p} to the score of the key at position {@code p}, where positions count real tokens only
 * ({@code (cumsum(mask) − 1) · mask}), so left padding does not shift them.
 */
public final class Alibi {
    private Alibi() {}

    /**
     * The slopes in float32: powers of {@code 2^(−8/n)} for the closest power of two {@code n ≤ heads}, then odd
     * powers of {@code 2^(−4/n)} for the remaining heads.
     */
    public static float[] slopes(int heads) {
        int closestPowerOfTwo = Integer.highestOneBit(heads);
        float[] slopes = new float[heads];
        float base = (float) Math.pow(2, -Math.pow(2, -(log2(closestPowerOfTwo) - 3)));
        for (int power = 1; power <= closestPowerOfTwo; power++) {
            slopes[power - 1] = (float) Math.pow(base, power);
        }
        if (closestPowerOfTwo != heads) {
            float extraBase = (float) Math.pow(2, -Math.pow(2, -(log2(2 * closestPowerOfTwo) - 3)));
            int remaining = Math.min(closestPowerOfTwo, heads - closestPowerOfTwo);
            for (int i = 0; i < remaining; i++) {
                slopes[closestPowerOfTwo + i] = (float) Math.pow(extraBase, 1 + 2 * i);
            }
        }
        return slopes;
    }

    /** The bias {@code [batch, heads, 1, past + sequence]} for the int64 0/1 mask {@code [batch, past + sequence]}. */
    public static Value bias(OnnxGraphBuilder graph, Value mask, int heads) {
        Value positions = graph.mul(graph.sub(graph.cumSum(mask, 1), graph.scalar(1)), mask);
        Value slopes = graph.constant(TensorData.ofFloats(slopes(heads), heads, 1, 1));
        return graph.mul(graph.unsqueeze(graph.cast(positions, ElementType.FLOAT), 1, 2), slopes);
    }

    /**
     * Falcon's bias ({@code modeling_falcon.build_alibi_tensor}, Transformers 4.51): the same slopes and positions,
     * multiplied in bfloat16 ({@code slopes.bfloat16() * positions}: the slopes and positions rounded to bfloat16,
     * the product rounded again) and widened to float32, {@code [batch, heads, 1, past + sequence]}.
     */
    public static Value bfloat16Bias(OnnxGraphBuilder graph, Value mask, int heads) {
        Value positions = graph.mul(graph.sub(graph.cumSum(mask, 1), graph.scalar(1)), mask);
        Value slopes = bfloat16Rounded(graph, graph.constant(TensorData.ofFloats(slopes(heads), heads, 1, 1)));
        Value rounded = bfloat16Rounded(graph, graph.unsqueeze(graph.cast(positions, ElementType.FLOAT), 1, 2));
        return bfloat16Rounded(graph, graph.mul(rounded, slopes));
    }

    /** float32 values rounded to the nearest bfloat16 (ties to even), as float32. */
    private static Value bfloat16Rounded(OnnxGraphBuilder graph, Value x) {
        return graph.cast(graph.cast(x, ElementType.BFLOAT16), ElementType.FLOAT);
    }

    /** log2 of a power of two, exact (as Python's {@code math.log2} is for these). */
    private static double log2(int powerOfTwo) {
        return Integer.numberOfTrailingZeros(powerOfTwo);
    }
}
