package org.exporters4j.onnx;

import java.util.List;

/**
 * The body of a control-flow node's graph attribute (an {@code If} branch): nodes in topological order and the
 * outputs it returns, without inputs or initializers of its own. Its nodes read the values of the enclosing graph
 * (its inputs, initializers and earlier nodes' outputs) by name, as ONNX lets a subgraph read its outer scope.
 * {@link OnnxModel} checks every name a subgraph reads.
 */
public record Subgraph(String name, List<Node> nodes, List<TensorSpec> outputs) {
    public Subgraph {
        if (name == null || name.isBlank()) {
            throw new OnnxGraphException("a subgraph needs a name, such as \"with_past\"");
        }
        nodes = List.copyOf(nodes);
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) {
            throw new OnnxGraphException("subgraph '" + name + "' has no outputs");
        }
    }
}
