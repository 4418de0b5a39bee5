package org.exporters4j.models.blocks;

import java.util.ArrayList;
import java.util.List;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;

/**
 * The image input of a vision model: {@code pixel_values}, float32 {@code [batch, channels, height, width]}, declared
 * with the interface's dynamic axis names (Optimum's {@code ViTOnnxConfig.inputs} names all four).
 */
public final class PixelInputs {
    public static final String PIXEL_VALUES = "pixel_values";
    private static final List<String> AXES = List.of("batch_size", "num_channels", "height", "width");

    private PixelInputs() {}

    /**
     * Declares {@code pixel_values}, the only input a vision family reads; another input, a missing one or a non-float
     * type is an error naming it.
     *
     * @param purpose the graph, for errors, e.g. {@code "the vit image-classification graph"}
     */
    public static Value declare(OnnxGraphBuilder graph, GraphInterface graphInterface, String purpose) {
        Value pixels = null;
        for (InterfaceTensor tensor : graphInterface.inputs()) {
            if (!tensor.name().equals(PIXEL_VALUES)) {
                throw new ArchitectureException(purpose + " has no input '" + tensor.name() + "'; it takes "
                        + PIXEL_VALUES + " only");
            }
            if (tensor.elementType() != ElementType.FLOAT) {
                throw new ArchitectureException(purpose + ": input '" + PIXEL_VALUES + "' must be float32, not "
                        + tensor.elementType().onnxName());
            }
            for (int index : tensor.dynamicAxes().keySet()) {
                if (index >= AXES.size()) {
                    throw new ArchitectureException(purpose + ": input '" + PIXEL_VALUES + "' is " + AXES
                            + " but the interface names dynamic axis " + index);
                }
            }
            List<Dim> dims = new ArrayList<>();
            for (int index = 0; index < AXES.size(); index++) {
                dims.add(tensor.dim(index, Dim.symbolic(AXES.get(index))));
            }
            pixels = graph.input(PIXEL_VALUES, ElementType.FLOAT, new Shape(dims));
        }
        if (pixels == null) {
            throw new ArchitectureException(purpose + " needs the input '" + PIXEL_VALUES + "', which the interface "
                    + "does not list (it lists " + graphInterface.inputNames() + ")");
        }
        return pixels;
    }
}
