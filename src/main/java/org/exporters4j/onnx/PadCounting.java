package org.exporters4j.onnx;

/**
 * Whether {@code AveragePool} divides by the window including padded elements ({@code count_include_pad=1}, PyTorch's
 * {@code nn.AvgPool2d} default) or by the real elements only.
 */
public enum PadCounting {
    INCLUDE_PADDING,
    EXCLUDE_PADDING
}
