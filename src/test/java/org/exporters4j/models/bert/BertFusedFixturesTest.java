package org.exporters4j.models.bert;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.FusedFormFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --optimize} for the BERT family of BertArchitecture (bert, roberta, xlm-roberta, camembert, data2vec-text,
 * ibert, electra): every fixture's fused graph (Attention, SkipLayerNormalization; the activation as in the plain
 * graph) gives the plain graph's outputs and PyTorch's within 1e-5; with {@code --quantize}, the fused graph
 * quantizes the plain quantized graph's weights and keeps its outputs.
 */
class BertFusedFixturesTest {
    static final List<String> FUSED_FAMILY = List.of("bert", "camembert", "data2vec-text", "electra", "ibert",
            "roberta", "xlm-roberta");

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesThePlainGraph() {
        return FusedFormFixtures.everyFixtureMatchesPlain(Fixture.of(FUSED_FAMILY),
                Set.of("Attention", "SkipLayerNormalization"), folder);
    }

    /**
     * {@code --optimize --quantize int8|int4}: the fused graph's dense layers (query, key, value, both dense layers
     * before a LayerNorm, intermediate.dense and the heads') quantized exactly as the plain graph's, read by
     * MultiHeadAttention and SkipLayerNormalization; cosine with PyTorch's outputs at least the floors of the
     * quantized exports' tests (int8 0.99, int4 0.9).
     */
    @TestFactory
    Stream<DynamicTest> everyFixtureQuantizesItsFusedGraphAsThePlainOne() {
        return FusedFormFixtures.everyFixtureQuantizesAsPlain(Fixture.of(FUSED_FAMILY),
                FusedFormFixtures.QUANTIZATION_FLOORS, Set.of("MultiHeadAttention", "SkipLayerNormalization"),
                folder);
    }
}
