package org.exporters4j.onnx;

/**
 * A handle on a tensor of one graph under construction: a graph input, an initializer, a constant or a node output.
 * It carries the element type the builder inferred, so operators check their operands when a node is added.
 * Handles compare by identity and belong to the builder that made them; passing one to another builder is an error.
 */
public final class Value {
    private final GraphBuilderCore graph;
    private final ElementType elementType;

    Value(GraphBuilderCore graph, ElementType elementType) {
        this.graph = graph;
        this.elementType = elementType;
    }

    public ElementType elementType() {
        return elementType;
    }

    /** The value's current name in its graph (a graph output renames the value that produces it). */
    public String name() {
        return graph.nameOf(this);
    }

    GraphBuilderCore graph() {
        return graph;
    }

    @Override
    public String toString() {
        return name() + ": " + elementType.onnxName();
    }
}
