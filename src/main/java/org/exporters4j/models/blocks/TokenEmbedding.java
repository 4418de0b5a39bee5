package org.exporters4j.models.blocks;

import java.util.Optional;
import org.exporters4j.onnx.BlockInt4;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.QuantizedMatrix;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * The token embedding lookup ({@code nn.Embedding}: rows of the table {@code [vocab, hidden]} at the token ids), as a
 * Gather of the float table or, when the form quantizes embeddings ({@code WeightQuantization.embeddingQuantizer}),
 * as ONNX Runtime's {@code GatherBlockQuantized} of the table in 4-bit blocks along the hidden axis
 * ({@code <table>_Q4}, {@code <table>_scales}). A table that is not a checkpoint tensor, or whose rows are not whole
 * blocks, stays float; the float table stays in the graph only if another node reads it (a float LM head tied to it).
 */
public final class TokenEmbedding {
    private TokenEmbedding() {}

    /** The rows of {@code table} at {@code ids} (any shape; the result adds the hidden axis). */
    public static Value lookup(OnnxGraphBuilder graph, Optional<BlockInt4> quantizer, Value table, Value ids) {
        if (quantizer.isPresent()) {
            Optional<TensorData> data = graph.replacedInitializer(table);
            if (data.isPresent() && data.get().dims().size() == 2
                    && quantizer.get().quantizesTable(data.get().dims().get(1))) {
                QuantizedMatrix quantized = quantizer.get().quantizeTable(data.get());
                String name = table.name();
                return graph.gatherBlockQuantized(graph.initializer(name + "_Q4", quantized.values()), ids,
                        graph.initializer(name + "_scales", quantized.scales()), quantizer.get().blockSize());
            }
        }
        return graph.gather(table, ids, 0);
    }
}
