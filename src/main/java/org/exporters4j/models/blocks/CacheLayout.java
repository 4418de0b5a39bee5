package org.exporters4j.models.blocks;

import java.util.List;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * How a decoder's key/value cache tensors are laid out as graph inputs and outputs. Inside the graph every layer
 * works on the common layout {@code (batch, kv_heads, sequence, head_dim)}; a family's own layout is converted at
 * the graph's edge.
 */
public enum CacheLayout {
    /** GPT-2, GPT-Neo, GPT-J, CodeGen, Llama: key and value {@code (batch, kv_heads, sequence, head_dim)}. */
    BATCH_HEADS_SEQUENCE_HEAD_DIM {
        @Override
        public Value toCommon(OnnxGraphBuilder graph, Value cache, Part part, int heads, long headDim,
                               TokenGrid grid) {
            return cache;
        }

        @Override
        public Value fromCommon(OnnxGraphBuilder graph, Value common, Part part, int heads, long headDim) {
            return common;
        }

        @Override
        public List<Dim> naturalDims(Part part, int heads, long headDim) {
            return List.of(Dim.unknown(), Dim.of(heads), Dim.unknown(), Dim.of(headDim));
        }
    },

    /**
     * BLOOM in Transformers 4.25.1: key {@code (batch × heads, head_dim, sequence)}, value
     * {@code (batch × heads, sequence, head_dim)}.
     */
    BLOOM_FUSED_BATCH_AND_HEADS {
        @Override
        public Value toCommon(OnnxGraphBuilder graph, Value cache, Part part, int heads, long headDim,
                               TokenGrid grid) {
            // the batch is explicit and the sequence inferred (-1): a literal 0 in a Reshape shape means "copy that
            // dimension" to ONNX (before allowzero, opset 14), so an empty cache's length must not be spelled out
            Value batch = graph.slice(grid.batchAndSequence(), 0, 0, 1);
            if (part == Part.KEY) {
                // (b·h, d, T) → (b, h, d, T) → (b, h, T, d)
                Value shape = graph.concat(0, batch, graph.constant(heads, headDim, -1));
                return graph.transpose(graph.reshape(cache, shape), 0, 1, 3, 2);
            }
            // (b·h, T, d) → (b, h, T, d)
            return graph.reshape(cache, graph.concat(0, batch, graph.constant(heads, -1, headDim)));
        }

        @Override
        public Value fromCommon(OnnxGraphBuilder graph, Value common, Part part, int heads, long headDim) {
            Value sequence = graph.shape(common, 2, 3);
            if (part == Part.KEY) {
                // (b, h, T, d) → (b, h, d, T) → (b·h, d, T)
                return graph.reshape(graph.transpose(common, 0, 1, 3, 2),
                        graph.concat(0, graph.constant(-1, headDim), sequence));
            }
            return graph.reshape(common, graph.concat(0, graph.constant(-1), sequence, graph.constant(headDim)));
        }

        @Override
        public List<Dim> naturalDims(Part part, int heads, long headDim) {
            return part == Part.KEY
                    ? List.of(Dim.unknown(), Dim.of(headDim), Dim.unknown())
                    : List.of(Dim.unknown(), Dim.unknown(), Dim.of(headDim));
        }
    };

    /**
     * A cache tensor in this layout as {@code (batch, kv_heads, sequence, head_dim)}; the batch size comes from
     * the ids' {@code grid} (explicit, so an empty cache reshapes without inferring a dimension).
     */
    public abstract Value toCommon(OnnxGraphBuilder graph, Value cache, Part part, int heads, long headDim,
                                   TokenGrid grid);

    /** A {@code (batch, kv_heads, sequence, head_dim)} tensor in this layout. */
    public abstract Value fromCommon(OnnxGraphBuilder graph, Value common, Part part, int heads, long headDim);

    /** The dimensions of a cache tensor: fixed head counts and widths, {@link Dim#unknown()} where they vary. */
    public abstract List<Dim> naturalDims(Part part, int heads, long headDim);
}
