package org.exporters4j.onnx;

/** How {@code Pad} fills the new elements; {@link #WRAP} needs opset 19. */
public enum PadMode {
    CONSTANT("constant"),
    REFLECT("reflect"),
    EDGE("edge"),
    WRAP("wrap");

    private final String onnxName;

    PadMode(String onnxName) {
        this.onnxName = onnxName;
    }

    String onnxName() {
        return onnxName;
    }
}
