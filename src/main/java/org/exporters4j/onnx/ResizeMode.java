package org.exporters4j.onnx;

import java.util.Locale;

/**
 * How {@code Resize} interpolates, by the names of {@code torch.nn.functional.interpolate}: {@link #LINEAR} is
 * PyTorch's {@code bilinear} on 2-D images, {@link #CUBIC} its {@code bicubic}, {@link #NEAREST} its {@code nearest}
 * (the default mode: output pixel {@code i} takes input pixel {@code floor(i · in / out)}).
 */
public enum ResizeMode {
    LINEAR,
    CUBIC,
    NEAREST;

    /** The attribute value ONNX spells the mode with: the constant's name in lower case. */
    String onnxName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
