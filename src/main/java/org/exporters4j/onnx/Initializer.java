package org.exporters4j.onnx;

/** A named constant tensor of the graph (a weight), whose bytes are streamed when the model is written. */
public record Initializer(String name, TensorData data) {
    public Initializer {
        if (name == null || name.isBlank()) {
            throw new OnnxGraphException("an initializer needs a name, such as the checkpoint's weight name");
        }
        if (data == null) {
            throw new OnnxGraphException("initializer '" + name + "' has no tensor data");
        }
    }
}
