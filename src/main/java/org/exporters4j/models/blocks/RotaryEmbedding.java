package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Rotary position embeddings on the first {@code rotaryDim} channels of each query and key head (the rest pass
 * through): angles {@code position · inv_freq} computed in the graph from the positions, so any position works, with
 * the inverse frequencies (and the factor on cosines and sines) of {@link RotaryFrequencies}.
 *
 * @param rotaryDim rotated channels per head (even; GPT-J's {@code rotary_dim}, Llama's whole head, a
 *     {@code partial_rotary_factor} of it)
 * @param style which channels form the rotated pairs
 * @param frequencies the inverse frequencies, {@code rotaryDim / 2} of them
 */
public record RotaryEmbedding(long rotaryDim, Style style, RotaryFrequencies frequencies) {

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
        Objects.requireNonNull(frequencies, "frequencies");
        if (rotaryDim <= 0 || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("the rotary dimension must be positive and even, got " + rotaryDim);
        }
    }

    /** Unscaled frequencies {@code 1 / base^(2i / rotaryDim)} (GPT-J, CodeGen: base 10000). */
    public static RotaryEmbedding unscaled(long rotaryDim, double base, Style style) {
        if (!(base > 0)) {
            throw new IllegalArgumentException("the rotary base must be positive, got " + base);
        }
        return new RotaryEmbedding(rotaryDim, style, RotaryFrequencies.unscaled(base, rotaryDim));
    }

    /**
     * The rotary embedding a Transformers 4.51 config asks for, as {@code *RotaryEmbedding} with
     * {@code ROPE_INIT_FUNCTIONS} builds it: base {@code base} (the config's {@code rope_theta}, or a layer's own such
     * as Gemma 3's {@code rope_local_base_freq}), {@code rotaryDim} rotated channels, and the config's
     * {@code rope_scaling} (see {@link RotaryFrequencies} for the types) unless {@code scaled} is false (Gemma 3's
     * local layers use the plain default).
     */
    public static RotaryEmbedding fromConfig(ModelConfig config, double base, long rotaryDim, Style style,
                                             Scaling scaling) {
        if (!(base > 0)) {
            throw new UnsupportedConfigException(config.source() + " sets a rotary base (rope_theta) of " + base
                    + "; it must be positive");
        }
        if (rotaryDim <= 0 || rotaryDim % 2 != 0) {
            throw new UnsupportedConfigException(config.source() + ": the rotary dimension " + rotaryDim + " (head_dim"
                    + " times partial_rotary_factor) must be positive and even");
        }
        RotaryFrequencies frequencies = switch (scaling) {
            case FROM_CONFIG -> RotaryFrequencies.read(config, base, rotaryDim);
            case LONGROPE_ONLY -> RotaryFrequencies.readLongRopeOnly(config, base, rotaryDim);
            case NONE -> RotaryFrequencies.unscaled(base, rotaryDim);
        };
        return new RotaryEmbedding(rotaryDim, style, frequencies);
    }

    /** Whether {@code rope_scaling} applies. */
    public enum Scaling {
        /** The config's {@code rope_scaling}. */
        FROM_CONFIG,
        /**
         * The config's {@code rope_scaling} as Phi-3's configuration reads it: null, or LongRoPE under its name
         * {@code longrope} or the old names {@code su} and {@code yarn} ({@code Phi3Config} renames both); any other
         * type is refused, as {@code Phi3Config} refuses it.
         */
        LONGROPE_ONLY,
        /** The default frequencies whatever the config says (Gemma 3's local layers). */
        NONE
    }

    /**
     * The rotated channels of a head of {@code headDim}: {@code int(headDim × partial_rotary_factor)} as
     * Transformers' {@code ROPE_INIT_FUNCTIONS} compute {@code dim} (factor 1 where the config has none).
     */
    public static long rotaryDimension(ModelConfig config, long headDim) {
        double partial = config.optionalDouble("partial_rotary_factor").orElse(1.0);
        if (!(partial > 0) || partial > 1) {
            throw new UnsupportedConfigException(config.source() + " sets partial_rotary_factor " + partial
                    + "; it must be in (0, 1]");
        }
        return (long) (headDim * partial);
    }

    /** The angles of int64 {@code positions} {@code [batch or 1, sequence]}. */
    public Angles angles(OnnxGraphBuilder graph, Value positions) {
        Value inverse = frequencies.inverse(graph, positions);
        Value time = graph.cast(positions, ElementType.FLOAT);
        // [B, s, 1] · [half] → [B, 1, s, half]
        Value angles = graph.unsqueeze(graph.mul(graph.unsqueeze(time, 2), inverse), 1);
        Value cos = graph.cos(angles);
        Value sin = graph.sin(angles);
        double scaling = frequencies.attentionScaling();
        if (scaling != 1.0) {
            cos = graph.mul(cos, graph.scalar(ElementType.FLOAT, (float) scaling));
            sin = graph.mul(sin, graph.scalar(ElementType.FLOAT, (float) scaling));
        }
        return new Angles(cos, sin);
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
