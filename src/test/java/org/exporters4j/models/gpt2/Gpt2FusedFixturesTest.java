package org.exporters4j.models.gpt2;

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
 * {@code --optimize} for GPT-2: every gpt2 fixture's fused graph (MultiHeadAttention over the cache,
 * SkipLayerNormalization, FastGelu for gelu_new) gives the plain graph's outputs, present cache included, and
 * PyTorch's within 1e-5; the with-past fixtures feed the cache of a real prefix.
 */
class Gpt2FusedFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesThePlainGraph() {
        return FusedFormFixtures.everyDecoderFixtureMatchesPlain(Fixture.of(List.of("gpt2")),
                Set.of("MultiHeadAttention", "SkipLayerNormalization", "FastGelu"), folder);
    }

    /**
     * {@code --optimize --quantize int8|int4}: the fused graph's dense layers (c_attn, both c_proj, c_fc, the LM
     * head) quantized exactly as the plain graph's, with the fused operators; cosine with PyTorch's outputs at least
     * the floors of the quantized exports' tests (ExportQuantizeTest: int8 0.99, int4 0.9).
     */
    @TestFactory
    Stream<DynamicTest> everyFixtureQuantizesItsFusedGraphAsThePlainOne() {
        return FusedFormFixtures.everyDecoderFixtureQuantizesAsPlain(Fixture.of(List.of("gpt2")),
                FusedFormFixtures.QUANTIZATION_FLOORS,
                Set.of("MultiHeadAttention", "SkipLayerNormalization", "FastGelu"), folder);
    }
}
