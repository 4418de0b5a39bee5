package org.exporters4j.checkpoint.h5;

import java.util.Objects;

/**
 * The PyTorch state-dict key a TensorFlow weight becomes, and how its axes are reordered on the way.
 *
 * @param name the PyTorch key, e.g. {@code bert.encoder.layer.0.attention.self.query.weight}
 * @param transpose the axis reordering from the TF layout to the PyTorch layout
 */
public record PyTorchName(String name, Transpose transpose) {
    public PyTorchName {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transpose, "transpose");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a PyTorch weight name cannot be empty");
        }
    }
}
