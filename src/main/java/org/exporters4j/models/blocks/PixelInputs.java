package org.exporters4j.models.blocks;

import java.util.List;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
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
        List<Dim> axes = AXES.stream().map(Dim::symbolic).toList();
        return GraphInputs.declare(graph, graphInterface, List.of(new GraphInputs.Accepted(PIXEL_VALUES,
                GraphInputs.Kind.FLOAT, axes)), purpose).required(PIXEL_VALUES);
    }

    /** As {@link #declare(OnnxGraphBuilder, GraphInterface, String)} for the graph of {@code build}. */
    public static Value declare(GraphBuild build) {
        return declare(build.graph(), build.graphInterface(), build.purpose());
    }
}
