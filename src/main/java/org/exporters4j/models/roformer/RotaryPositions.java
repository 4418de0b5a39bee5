package org.exporters4j.models.roformer;

import java.util.Objects;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * RoFormer's rotary position embeddings ({@code RoFormerSelfAttention.apply_rotary_position_embeddings}), from the
 * rows of its frozen sinusoidal table ({@code encoder.embed_positions.weight}, {@code [max_positions, head_size]}:
 * sines in the first half, cosines in the second) at the graph's positions. Channel pairs {@code (2i, 2i + 1)} of
 * each head rotate by angle {@code i}: {@code x'₂ᵢ = x₂ᵢ·cosᵢ − x₂ᵢ₊₁·sinᵢ}, {@code x'₂ᵢ₊₁ = x₂ᵢ₊₁·cosᵢ + x₂ᵢ·sinᵢ}
 * (the interleaved "rotate every two" form; Transformers writes it as {@code x · cos_pos + rotate_half(x) · sin_pos}
 * with each angle repeated twice).
 *
 * @param sin {@code [1, 1, sequence, head_size / 2, 1]}
 * @param cos {@code [1, 1, sequence, head_size / 2, 1]}
 * @param headSize the head width (even)
 */
record RotaryPositions(Value sin, Value cos, long headSize) {
    RotaryPositions {
        Objects.requireNonNull(sin, "sin");
        Objects.requireNonNull(cos, "cos");
        if (headSize <= 0 || headSize % 2 != 0) {
            throw new IllegalArgumentException("rotary positions need an even head size, got " + headSize);
        }
    }

    /** The sines and cosines of {@code positions} (1-D int64) from {@code table} {@code [max_positions, head_size]}. */
    static RotaryPositions of(OnnxGraphBuilder graph, Value table, Value positions, long headSize) {
        long half = headSize / 2;
        Value rows = graph.gather(table, positions, 0);
        Value sin = graph.unsqueeze(graph.slice(rows, 1, 0, half), 0, 1, 4);
        Value cos = graph.unsqueeze(graph.slice(rows, 1, half, headSize), 0, 1, 4);
        return new RotaryPositions(sin, cos, headSize);
    }

    /** {@code x} {@code [batch, heads, sequence, head_size]} rotated. */
    Value rotate(OnnxGraphBuilder graph, Value x) {
        Value pairs = graph.reshape(x, 0, 0, 0, headSize / 2, 2);
        Value even = graph.slice(pairs, 4, 0, 1);
        Value odd = graph.slice(pairs, 4, 1, 2);
        Value newEven = graph.sub(graph.mul(even, cos), graph.mul(odd, sin));
        Value newOdd = graph.add(graph.mul(odd, cos), graph.mul(even, sin));
        return graph.reshape(graph.concat(4, newEven, newOdd), 0, 0, 0, headSize);
    }
}
