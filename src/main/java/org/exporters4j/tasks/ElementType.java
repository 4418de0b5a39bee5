package org.exporters4j.tasks;

/** The element type of an exported graph input or output, by ONNX's name for it. */
public enum ElementType {
    /** Token ids, masks, boxes: PyTorch {@code torch.int64}. */
    INT64("int64", Long.BYTES),
    /** Pixel values, audio features, hidden states, caches: PyTorch {@code torch.float32}. */
    FLOAT32("float32", Float.BYTES);

    private final String onnxName;
    private final int byteSize;

    ElementType(String onnxName, int byteSize) {
        this.onnxName = onnxName;
        this.byteSize = byteSize;
    }

    /** ONNX's lower-case name ({@code int64}, {@code float32}). */
    public String onnxName() {
        return onnxName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }
}
