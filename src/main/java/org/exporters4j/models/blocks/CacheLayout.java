package org.exporters4j.models.blocks;

import java.util.List;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * How a decoder's key/value cache tensors are laid out as graph inputs and outputs. Inside the graph every layer
 * works on the common layout {@code (batch, kv_heads, sequence, head_dim)}; a family's own layout is converted at
 * the graph's edge (GPT-BigCode's layouts keep a layer's key and value in one tensor).
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
    },

    /**
     * GPT-BigCode with multi-query attention: one tensor per layer, {@code (batch, sequence, 2 · head_dim)}, the one
     * key/value head's key then value on the last axis.
     */
    MULTI_QUERY_FUSED_KEY_VALUE {
        @Override
        public Value toCommon(OnnxGraphBuilder graph, Value cache, Part part, int heads, long headDim,
                              TokenGrid grid) {
            return graph.unsqueeze(fusedHalf(graph, cache, part, headDim), 1);
        }

        @Override
        public Value fromCommon(OnnxGraphBuilder graph, Value common, Part part, int heads, long headDim) {
            throw notSeparate(this, part);
        }

        @Override
        public Value fuse(OnnxGraphBuilder graph, Value key, Value value) {
            return graph.squeeze(graph.concat(3, key, value), 1);
        }

        @Override
        public List<Dim> naturalDims(Part part, int heads, long headDim) {
            return List.of(Dim.unknown(), Dim.unknown(), Dim.of(2 * headDim));
        }
    },

    /**
     * GPT-BigCode without multi-query attention: one tensor per layer, {@code (batch, heads, sequence,
     * 2 · head_dim)}, each head's key then value on the last axis.
     */
    HEADS_FUSED_KEY_VALUE {
        @Override
        public Value toCommon(OnnxGraphBuilder graph, Value cache, Part part, int heads, long headDim,
                              TokenGrid grid) {
            return fusedHalf(graph, cache, part, headDim);
        }

        @Override
        public Value fromCommon(OnnxGraphBuilder graph, Value common, Part part, int heads, long headDim) {
            throw notSeparate(this, part);
        }

        @Override
        public Value fuse(OnnxGraphBuilder graph, Value key, Value value) {
            return graph.concat(3, key, value);
        }

        @Override
        public List<Dim> naturalDims(Part part, int heads, long headDim) {
            return List.of(Dim.unknown(), Dim.of(heads), Dim.unknown(), Dim.of(2 * headDim));
        }
    };

    /** The key or value half of the last axis of a fused cache tensor. */
    private static Value fusedHalf(OnnxGraphBuilder graph, Value cache, Part part, long headDim) {
        return switch (part) {
            case KEY -> graph.slice(cache, -1, 0, headDim);
            case VALUE -> graph.slice(cache, -1, headDim, 2 * headDim);
            case KEY_VALUE -> throw new IllegalArgumentException("ask for the key or the value half of a fused cache "
                    + "tensor, not both");
        };
    }

    private static IllegalArgumentException notSeparate(CacheLayout layout, Part part) {
        return new IllegalArgumentException(layout + " keeps key and value in one tensor: fuse them instead of "
                + "converting the " + part + " alone");
    }

    /**
     * Whether the layout keeps a layer's key and value in one tensor ({@link Part#KEY_VALUE}), built by
     * {@link #fuse}, instead of one tensor each.
     */
    public boolean fusesKeyAndValue() {
        return this == MULTI_QUERY_FUSED_KEY_VALUE || this == HEADS_FUSED_KEY_VALUE;
    }

    /**
     * A layer's key and value, each {@code (batch, kv_heads, sequence, head_dim)}, as the one tensor of a fused
     * layout; the other layouts keep them apart.
     */
    public Value fuse(OnnxGraphBuilder graph, Value key, Value value) {
        throw new IllegalArgumentException(this + " keeps key and value in separate tensors");
    }

    /**
     * A cache tensor in this layout as {@code (batch, kv_heads, sequence, head_dim)}; the batch size comes from
     * the ids' {@code grid} (explicit, so an empty cache reshapes without inferring a dimension).
     */
    public abstract Value toCommon(OnnxGraphBuilder graph, Value cache, Part part, int heads, long headDim,
                                   TokenGrid grid);

    /** A {@code (batch, kv_heads, sequence, head_dim)} key or value tensor in a layout that keeps them apart. */
    public abstract Value fromCommon(OnnxGraphBuilder graph, Value common, Part part, int heads, long headDim);

    /** The dimensions of a cache tensor: fixed head counts and widths, {@link Dim#unknown()} where they vary. */
    public abstract List<Dim> naturalDims(Part part, int heads, long headDim);
}
