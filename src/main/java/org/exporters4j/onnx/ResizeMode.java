package org.exporters4j.onnx;

/**
 * How {@code Resize} interpolates, by the names of {@code torch.nn.functional.interpolate}: {@link #LINEAR} is
 * PyTorch's {@code bilinear} on 2-D images, {@link #CUBIC} its {@code bicubic}.
 */
public enum ResizeMode {
    LINEAR("linear"),
    CUBIC("cubic");

    private final String onnxName;

    ResizeMode(String onnxName) {
        this.onnxName = onnxName;
    }

    String onnxName() {
        return onnxName;
    }
}
