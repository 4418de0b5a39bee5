package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * Rotary position embeddings on the first {@code rotaryDim} channels of each query and key head (the rest pass
 * through), with inverse frequencies {@code 1 / base^(2i / rotaryDim)} computed in float32 as PyTorch computes them
 * and angles {@code position / positionDivisor · inv_freq} computed in the graph, so any position works.
 *
 * @param rotaryDim rotated channels per head (even; GPT-J's {@code rotary_dim}, Llama's full head width)
 * @param base the frequency base ({@code rope_theta}; 10000 for GPT-J and CodeGen)
 * @param style which channels form the rotated pairs
 * @param positionDivisor {@code rope_scaling} linear factor (1 without scaling): positions are divided by it
 */
public record RotaryEmbedding(long rotaryDim, double base, Style style, double positionDivisor) {

    /** Which channels are rotated together. */
    public enum Style {
        /** GPT-J and CodeGen ({@code rotate_every_two}): channels {@code 2i} and {@code 2i + 1}. */
        INTERLEAVED,
        /** GPT-NeoX and Llama ({@code rotate_half}): channels {@code i} and {@code i + rotaryDim / 2}. */
        HALF_SPLIT
    }

    /** The cosines and sines of one graph's positions, {@code [batch or 1, 1, sequence, rotaryDim / 2]}. */
    public record Angles(Value cos, Value sin) {}

    public RotaryEmbedding {
        Objects.requireNonNull(style, "style");
        if (rotaryDim <= 0 || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("the rotary dimension must be positive and even, got " + rotaryDim);
        }
        if (!(base > 0) || !(positionDivisor > 0)) {
            throw new IllegalArgumentException("rotary base and position divisor must be positive, got " + base
                    + " and " + positionDivisor);
        }
    }

    /** {@code 1 / base^(2i / rotaryDim)} in float32, as {@code 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))}. */
    public float[] inverseFrequencies() {
        float[] inverse = new float[(int) (rotaryDim / 2)];
        for (int i = 0; i < inverse.length; i++) {
            float exponent = (float) (2 * i) / (float) rotaryDim;
            float power = (float) Math.pow((float) base, exponent);
            inverse[i] = 1.0f / power;
        }
        return inverse;
    }

    /** The angles of int64 {@code positions} {@code [batch or 1, sequence]}. */
    public Angles angles(OnnxGraphBuilder graph, Value positions) {
        float[] inverse = inverseFrequencies();
        Value frequencies = graph.constant(TensorData.ofFloats(inverse, inverse.length));
        Value time = graph.cast(positions, ElementType.FLOAT);
        if (positionDivisor != 1.0) {
            time = graph.div(time, graph.scalar(ElementType.FLOAT, positionDivisor));
        }
        // [B, s, 1] · [half] → [B, 1, s, half]
        Value angles = graph.unsqueeze(graph.mul(graph.unsqueeze(time, 2), frequencies), 1);
        return new Angles(graph.cos(angles), graph.sin(angles));
    }

    /** {@code x} {@code [batch, heads, sequence, head_dim]} with its first {@code rotaryDim} channels rotated. */
    public Value apply(OnnxGraphBuilder graph, Value x, Angles angles, long headDim) {
        if (rotaryDim > headDim) {
            throw new IllegalArgumentException("rotary dimension " + rotaryDim + " exceeds the head width " + headDim);
        }
        Value rotated = rotaryDim == headDim ? x : graph.slice(x, 3, 0, rotaryDim);
        long half = rotaryDim / 2;
        Value result = switch (style) {
            case INTERLEAVED -> {
                Value pairs = graph.reshape(rotated, 0, 0, 0, half, 2);
                Value even = graph.slice(pairs, 4, 0, 1);
                Value odd = graph.slice(pairs, 4, 1, 2);
                Value cos = graph.unsqueeze(angles.cos(), 4);
                Value sin = graph.unsqueeze(angles.sin(), 4);
                Value newEven = graph.sub(graph.mul(even, cos), graph.mul(odd, sin));
                Value newOdd = graph.add(graph.mul(odd, cos), graph.mul(even, sin));
                yield graph.reshape(graph.concat(4, newEven, newOdd), 0, 0, 0, rotaryDim);
            }
            case HALF_SPLIT -> {
                Value first = graph.slice(rotated, 3, 0, half);
                Value second = graph.slice(rotated, 3, half, rotaryDim);
                Value newFirst = graph.sub(graph.mul(first, angles.cos()), graph.mul(second, angles.sin()));
                Value newSecond = graph.add(graph.mul(second, angles.cos()), graph.mul(first, angles.sin()));
                yield graph.concat(3, newFirst, newSecond);
            }
        };
        return rotaryDim == headDim ? result : graph.concat(3, result, graph.slice(x, 3, rotaryDim, headDim));
    }
}
