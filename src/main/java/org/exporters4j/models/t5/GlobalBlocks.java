package org.exporters4j.models.t5;

import java.util.Objects;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * LongT5's transient-global token → global block assignment, {@code _make_global_fixed_block_ids} of Transformers
 * 4.25.1, computed once from the encoder's mask and shared by every layer.
 *
 * @param blockIds int64 {@code [batch, sequence]}: the global block of each token, −1 for padding
 * @param globalPositions int64 {@code [globals]}: {@code 0 … sequence // global_block_size − 1}
 * @param segments int64 {@code [batch, globals]}: 1 where the global block holds real tokens, else 0
 * @param membership float {@code [batch, globals, sequence]}: 1 where the token belongs to the global block
 */
record GlobalBlocks(Value blockIds, Value globalPositions, Value segments, Value membership) {
    GlobalBlocks {
        Objects.requireNonNull(blockIds, "blockIds");
        Objects.requireNonNull(globalPositions, "globalPositions");
        Objects.requireNonNull(segments, "segments");
        Objects.requireNonNull(membership, "membership");
    }

    /**
     * As {@code _make_global_fixed_block_ids}: token {@code i} is in block {@code floor((1 + fixed_i) − 1)}, where
     * {@code fixed} is the cumulative sum of the float32 step {@code 1 / global_block_size} minus one step, in
     * float32. PyTorch's CPU cumsum adds in double and rounds each running sum to float32 (its accumulate type of
     * float); here the sum is {@code (i + 1) · step} in double (exact below 2²⁹ tokens) rounded to float32 alike,
     * and the float32 operations after it are PyTorch's, in its order (so with a step that binary fractions cannot
     * hold, e.g. 1/100, a block can end a token late, exactly where PyTorch's does). Padding tokens get −1 (their
     * −1000 offset, clamped, then {@code ids · mask + mask − 1}); tokens after the last full block join the block
     * before it ({@code handle_orphan_tokens}); of the {@code sequence // global_block_size} global blocks, those up
     * to a row's largest id hold real tokens.
     *
     * @param mask int64 {@code [batch, sequence]}, 1 for real tokens and 0 for padding
     */
    static GlobalBlocks of(OnnxGraphBuilder graph, Value mask, TokenGrid grid, long blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("a global block holds 1 or more tokens, got " + blockSize);
        }
        Value positions = grid.positions(graph);
        float step = 1.0f / blockSize;
        Value sums = graph.cast(graph.mul(graph.cast(graph.add(positions, graph.scalar(1)), ElementType.DOUBLE),
                graph.scalar(ElementType.DOUBLE, step)), ElementType.FLOAT);
        Value fixed = graph.sub(sums, graph.scalar(ElementType.FLOAT, step));
        Value offsets = graph.where(graph.equal(mask, graph.scalar(0)),
                graph.scalar(ElementType.FLOAT, -1000.0), graph.scalar(ElementType.FLOAT, 1.0));
        Value floored = graph.floor(graph.sub(graph.add(offsets, fixed), graph.scalar(ElementType.FLOAT, 1.0)));
        Value ids = graph.max(graph.cast(floored, ElementType.INT64), graph.scalar(-1));
        ids = graph.add(graph.mul(ids, mask), graph.sub(mask, graph.scalar(1)));
        // handle_orphan_tokens: at most the number of full blocks (block ends at real tokens) − 1
        Value blockEnds = graph.equal(graph.mod(positions, graph.scalar(blockSize)), graph.scalar(blockSize - 1));
        Value trueEnds = graph.and(graph.unsqueeze(blockEnds, 0), graph.greaterOrEqual(ids, graph.scalar(0)));
        Value lastFull = graph.sub(graph.reduceSum(graph.cast(trueEnds, ElementType.INT64), KeepDims.YES, 1),
                graph.scalar(1));
        ids = graph.where(graph.less(ids, lastFull), ids, lastFull);
        Value globalCount = graph.div(grid.sequenceLength(graph), graph.scalar(blockSize));
        Value globalPositions = graph.range(graph.scalar(0), globalCount, graph.scalar(1));
        Value largest = graph.reduceMax(ids, KeepDims.YES, 1);
        Value segments = graph.cast(graph.lessOrEqual(graph.unsqueeze(globalPositions, 0), largest),
                ElementType.INT64);
        Value membership = graph.cast(graph.equal(graph.unsqueeze(ids, 1), graph.unsqueeze(globalPositions, 1)),
                ElementType.FLOAT);
        return new GlobalBlocks(ids, globalPositions, segments, membership);
    }
}
