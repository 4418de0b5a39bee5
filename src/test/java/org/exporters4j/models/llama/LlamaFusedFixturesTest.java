package org.exporters4j.models.llama;

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
 * {@code --optimize} for the Llama family: every fixture of llama, mistral, qwen2, qwen3 and granite (RMSNorm with a
 * weight, pre-norm layers) gives the plain graph's outputs, present cache included, and PyTorch's within 1e-5 with
 * the residual and {@code post_attention_layernorm} as SkipSimplifiedLayerNormalization (and MultiHeadAttention where
 * a fixture's key/value heads are its query heads).
 */
class LlamaFusedFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesThePlainGraph() {
        return FusedFormFixtures.everyDecoderFixtureMatchesPlain(
                Fixture.ofToday(List.of("llama", "mistral", "qwen2", "qwen3")),
                Set.of("SkipSimplifiedLayerNormalization"), folder);
    }

    /**
     * {@code --optimize --quantize int8|int4}: the fused graph's dense layers (q, k, v, o, gate, up, down, the LM
     * head) quantized exactly as the plain graph's, with the fused operators; cosine with PyTorch's outputs at least
     * the floors of the quantized exports' tests (ExportQuantizeTest: int8 0.99, int4 0.9).
     */
    @TestFactory
    Stream<DynamicTest> everyFixtureQuantizesItsFusedGraphAsThePlainOne() {
        return FusedFormFixtures.everyDecoderFixtureQuantizesAsPlain(
                Fixture.ofToday(List.of("llama", "mistral", "qwen2", "qwen3")), FusedFormFixtures.QUANTIZATION_FLOORS,
                Set.of("SkipSimplifiedLayerNormalization"), folder);
    }
}
