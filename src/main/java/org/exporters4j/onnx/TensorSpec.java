package org.exporters4j.onnx;

/** A named graph input or output with its element type and shape, as the model declares it. */
public record TensorSpec(String name, ElementType elementType, Shape shape) {
    public TensorSpec {
        if (name == null || name.isBlank()) {
            throw new OnnxGraphException("a graph input or output needs a name such as \"input_ids\"");
        }
        if (elementType == null || shape == null) {
            throw new OnnxGraphException("graph input or output '" + name + "' needs an element type and a shape");
        }
    }

    @Override
    public String toString() {
        return name + ": " + elementType.onnxName() + shape;
    }
}
