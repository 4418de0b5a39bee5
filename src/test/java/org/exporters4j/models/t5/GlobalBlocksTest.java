package org.exporters4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transient-global block assignment, run in ONNX Runtime, equals {@code _make_global_fixed_block_ids} as
 * Transformers 4.25.1 computes it on PyTorch's CPU (emulated here step by step: the cumsum accumulated in double and
 * rounded to float32 after each step, then float32 arithmetic), for sequences far longer than the fixtures' 7 tokens,
 * block sizes whose step binary fractions hold (16) and do not (3, 7, 100), full and right-padded rows.
 */
class GlobalBlocksTest {
    @TempDir
    Path folder;

    @Test
    void blockIdsAndSegmentsEqualTransformers() throws Exception {
        for (long blockSize : new long[] {3, 7, 16, 100}) {
            Path model = write(blockSize);
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 OrtSession session = OrtEnvironment.getEnvironment().createSession(model.toString(), options)) {
                for (int sequence : new int[] {1, 2, 7, 50, 301, 1000}) {
                    long[][] mask = new long[2][sequence];
                    int real = Math.max(1, sequence - sequence / 3);
                    for (int i = 0; i < sequence; i++) {
                        mask[0][i] = 1;
                        mask[1][i] = i < real ? 1 : 0;
                    }
                    long[] flat = new long[2 * sequence];
                    System.arraycopy(mask[0], 0, flat, 0, sequence);
                    System.arraycopy(mask[1], 0, flat, sequence, sequence);
                    String where = "global_block_size " + blockSize + ", sequence " + sequence;
                    try (OnnxTensor input = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
                            LongBuffer.wrap(flat), new long[] {2, sequence});
                         OrtSession.Result result = session.run(Map.of("attention_mask", input))) {
                        long[][] ids = (long[][]) result.get("block_ids").orElseThrow().getValue();
                        long[][] segments = (long[][]) result.get("segments").orElseThrow().getValue();
                        float[][][] membership = (float[][][]) result.get("membership").orElseThrow().getValue();
                        for (int row = 0; row < 2; row++) {
                            Expected expected = transformers(mask[row], blockSize);
                            assertArrayEquals(expected.ids(), ids[row], where + ", row " + row);
                            assertArrayEquals(expected.segments(), segments[row], where + ", row " + row);
                            // _create_global_aggregates' one-hot: a token counts in its block only (padding in none)
                            for (int k = 0; k < segments[row].length; k++) {
                                for (int i = 0; i < sequence; i++) {
                                    assertEquals(expected.ids()[i] == k ? 1f : 0f, membership[row][k][i], where);
                                }
                            }
                        }
                        if (blockSize == 100 && sequence == 1000) {
                            // float32 steps of 1/100 sum to just under 5 at token 500: PyTorch keeps it in block 4
                            assertEquals(4, ids[0][500], where);
                            assertEquals(5, ids[0][501], where);
                        }
                    }
                }
            }
        }
    }

    private record Expected(long[] ids, long[] segments) {}

    /** {@code _make_global_fixed_block_ids} for one row, in PyTorch's CPU arithmetic. */
    private static Expected transformers(long[] mask, long blockSize) {
        int sequence = mask.length;
        float step = 1.0f / blockSize; // torch.ones_like(mask) / global_block_size: float32
        long[] ids = new long[sequence];
        double running = 0; // cumsum's accumulator on CPU: double for float32 input
        for (int i = 0; i < sequence; i++) {
            running += step;
            float fixed = (float) running - step;
            float offset = mask[i] != 0 ? 1.0f : -1000.0f;
            long id = (long) Math.floor((offset + fixed) - 1.0f);
            id = Math.max(id, -1);
            ids[i] = id * mask[i] + (mask[i] - 1);
        }
        long fullBlocks = 0;
        for (int i = 0; i < sequence; i++) {
            if (i % blockSize == blockSize - 1 && ids[i] >= 0) {
                fullBlocks++;
            }
        }
        long largest = Long.MIN_VALUE;
        for (int i = 0; i < sequence; i++) {
            ids[i] = ids[i] < fullBlocks - 1 ? ids[i] : fullBlocks - 1;
            largest = Math.max(largest, ids[i]);
        }
        long[] segments = new long[(int) (sequence / blockSize)];
        for (int k = 0; k < segments.length; k++) {
            segments[k] = k <= largest ? 1 : 0;
        }
        return new Expected(ids, segments);
    }

    /** A graph of the assignment alone: attention_mask in, block_ids and segments out. */
    private Path write(long blockSize) {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 13);
        Dim batch = Dim.symbolic("batch_size");
        Dim sequence = Dim.symbolic("sequence_length");
        Value mask = graph.input("attention_mask", ElementType.INT64, Shape.of(batch, sequence));
        GlobalBlocks blocks = GlobalBlocks.of(graph, mask, TokenGrid.of(graph, mask), blockSize);
        graph.output("block_ids", blocks.blockIds(), ElementType.INT64, Shape.of(batch, sequence));
        graph.output("segments", blocks.segments(), ElementType.INT64, Shape.of(batch, Dim.symbolic("globals")));
        graph.output("membership", blocks.membership(), ElementType.FLOAT,
                Shape.of(batch, Dim.symbolic("globals"), sequence));
        Path out = folder.resolve("blocks-" + blockSize);
        new ModelWriter(WeightsLocation.AUTOMATIC).write(graph.build(), out);
        return out.resolve("model.onnx");
    }
}
