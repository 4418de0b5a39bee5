package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DecoderMerge}, as Optimum 1.25.3's {@code merge_decoders}: the inputs of the graph without past, then the
 * other's, then the bool condition; one {@code If}; a weight both graphs read stored once, an initializer of the
 * same name but other data renamed; an output the graph with past lacks an empty constant; each branch computes
 * what its graph computes.
 */
class DecoderMergeTest {
    private static final Shape ROWS = Shape.of(Dim.symbolic("batch_size"), Dim.of(2));
    private static final TensorData WEIGHT = TensorData.ofFloats(new float[] {1, 2, 3, 4}, 2, 2);

    @TempDir
    Path folder;

    /** y = x·W + b, extra = x·W (b = [10, 20]). */
    private static OnnxModel withoutPast() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, ROWS);
        Value product = g.matMul(x, g.initializer("weight", WEIGHT));
        g.output("y", g.add(product, g.initializer("bias", TensorData.ofFloats(new float[] {10, 20}, 2))),
                ElementType.FLOAT, ROWS);
        g.output("extra", g.identity(product), ElementType.FLOAT, ROWS);
        return g.build();
    }

    /** y = x·W + past + b' (b' = [100, 200] under the same name as the other graph's b); no extra. */
    private static OnnxModel withPast(int opset) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opset);
        Value x = g.input("x", ElementType.FLOAT, ROWS);
        Value past = g.input("past", ElementType.FLOAT, ROWS);
        Value product = g.matMul(x, g.initializer("weight", WEIGHT));
        g.output("y", g.add(g.add(product, past), g.initializer("bias", TensorData.ofFloats(new float[] {100, 200},
                2))), ElementType.FLOAT, ROWS);
        return g.build();
    }

    @Test
    void mergesTheInterfacesStoresSharedWeightsOnceAndRunsEachBranch() throws Exception {
        OnnxModel merged = DecoderMerge.merge(withoutPast(), withPast(14), "use_cache_branch");
        assertEquals(List.of("x", "past", "use_cache_branch"), merged.inputs().stream().map(TensorSpec::name).toList());
        assertEquals(new TensorSpec("use_cache_branch", ElementType.BOOL, Shape.fixed(1)), merged.inputs().get(2));
        assertEquals(List.of("y", "extra"), merged.outputs().stream().map(TensorSpec::name).toList());
        assertEquals(List.of("weight", "bias", "bias_with_past"),
                merged.initializers().stream().map(Initializer::name).toList());
        assertEquals(1, merged.nodes().size());
        assertEquals("If", merged.nodes().get(0).opType());
        assertEquals(DecoderMerge.IF_NODE, merged.nodes().get(0).name());

        float[] x = {1, 0, 0, 1};
        try (RuntimeSession session = RuntimeSession.of(merged, folder)) {
            Map<String, RuntimeSession.Output> noCache = session.feed("x", x, 2, 2)
                    .feed("past", new float[] {0, 0}, 1, 2).feed("use_cache_branch", new boolean[] {false}).run();
            assertArrayEquals(new float[] {11, 22, 13, 24}, noCache.get("y").values());
            assertArrayEquals(new float[] {1, 2, 3, 4}, noCache.get("extra").values());
            Map<String, RuntimeSession.Output> cached = session.feed("past", new float[] {1000, 1000, 2000, 2000}, 2, 2)
                    .feed("use_cache_branch", new boolean[] {true}).run();
            assertArrayEquals(new float[] {1101, 1202, 2103, 2204}, cached.get("y").values());
            // the output the graph with past lacks: (0, 2), its first named axis 0
            assertArrayEquals(new long[] {0, 2}, cached.get("extra").shape());
        }
    }

    @Test
    void refusesDecodersOfOtherOpsetsOrAnOutputOnlyTheCachedOneHas() {
        OnnxGraphException opsets = assertThrows(OnnxGraphException.class,
                () -> DecoderMerge.merge(withoutPast(), withPast(15), "use_cache_branch"));
        assertTrue(opsets.getMessage().contains("different opsets"), opsets.getMessage());
        OnnxGraphException outputs = assertThrows(OnnxGraphException.class,
                () -> DecoderMerge.merge(withPast(14), withoutPast(), "use_cache_branch"));
        assertTrue(outputs.getMessage().contains("returns extra"), outputs.getMessage());
        OnnxGraphException condition = assertThrows(OnnxGraphException.class,
                () -> DecoderMerge.merge(withoutPast(), withPast(14), "past"));
        assertTrue(condition.getMessage().contains("already has it"), condition.getMessage());
    }
}
