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
 * {@code --optimize} for the Llama family: every fixture of llama, mistral, qwen2 and qwen3 (RMSNorm with a weight,
 * pre-norm layers) gives the plain graph's outputs, present cache included, and PyTorch's within 1e-5 with the
 * residual and {@code post_attention_layernorm} as SkipSimplifiedLayerNormalization, and GroupQueryAttention in the
 * graphs without a past input (all of these fixtures have 4 query heads over 2 key/value heads; a graph with a past
 * keeps the broadcast attention). The family's other grouped-query types follow, each with the fused operators its
 * layers get.
 */
class LlamaFusedFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesThePlainGraph() {
        List<Fixture> fixtures = Fixture.ofToday(List.of("llama", "mistral", "qwen2", "qwen3"));
        return Stream.concat(FusedFormFixtures.everyDecoderFixtureMatchesPlain(
                        fixtures.stream().filter(fixture -> !takesPast(fixture)).toList(),
                        Set.of("GroupQueryAttention", "SkipSimplifiedLayerNormalization"), folder),
                FusedFormFixtures.everyDecoderFixtureMatchesPlain(
                        fixtures.stream().filter(LlamaFusedFixturesTest::takesPast).toList(),
                        Set.of("SkipSimplifiedLayerNormalization"), folder));
    }

    /**
     * The family's other grouped-query types without attention soft-capping (Gemma's (1 + weight) norms, Gemma 3's
     * local layers and query_pre_attn_scalar, Granite's multipliers, OLMo's parameterless norms, Phi-3's fused
     * projections, Starcoder2's biases and LayerNorms, Mixtral's experts; 4 query / 2 key-value heads each) get
     * GroupQueryAttention in their graphs without a past input, with the plain graph's and PyTorch's outputs. With a
     * past, the types whose post-attention norm is an RMSNorm with a weight after a plain residual
     * ({@link #SKIP_NORMALIZED}) get SkipSimplifiedLayerNormalization; the others have no fused operator there.
     * Gemma 2 soft-caps its scores and keeps the plain attention.
     */
    @TestFactory
    Stream<DynamicTest> everyOtherGroupedQueryFixtureMatchesThePlainGraph() {
        return Stream.concat(FusedFormFixtures.everyDecoderFixtureMatchesPlain(
                        Fixture.ofToday(OTHER_GROUPED).stream().filter(fixture -> !takesPast(fixture)).toList(),
                        Set.of("GroupQueryAttention"), folder),
                FusedFormFixtures.everyDecoderFixtureMatchesPlain(
                        Fixture.ofToday(SKIP_NORMALIZED).stream().filter(LlamaFusedFixturesTest::takesPast).toList(),
                        Set.of("SkipSimplifiedLayerNormalization"), folder));
    }

    /** The family's other grouped-query types without soft-capping. */
    private static final List<String> OTHER_GROUPED = List.of("gemma", "gemma3-text", "granite", "mixtral", "olmo",
            "phi3", "starcoder2");

    /**
     * Those of {@link #OTHER_GROUPED} whose fixtures' post-attention norm fuses with the residual (an RMSNorm with a
     * weight, no sandwich norms, residual_multiplier 1).
     */
    private static final List<String> SKIP_NORMALIZED = List.of("granite", "mixtral", "phi3");

    /** Whether the fixture's graph takes a past cache (then it keeps the broadcast attention). */
    private static boolean takesPast(Fixture fixture) {
        return fixture.inputNames().stream().anyMatch(name -> name.startsWith("past_key_values."));
    }

    /**
     * {@code --optimize --quantize int8|int4}: the fused graph's dense layers (q, k, v, o, gate, up, down, the LM
     * head) quantized exactly as the plain graph's, with the fused operators; cosine with PyTorch's outputs at least
     * the floors of the quantized exports' tests (ExportQuantizeTest: int8 0.99, int4 0.9).
     */
    @TestFactory
    Stream<DynamicTest> everyFixtureQuantizesItsFusedGraphAsThePlainOne() {
        List<Fixture> fixtures = Fixture.ofToday(List.of("llama", "mistral", "qwen2", "qwen3"));
        return Stream.concat(FusedFormFixtures.everyDecoderFixtureQuantizesAsPlain(
                        fixtures.stream().filter(fixture -> !takesPast(fixture)).toList(),
                        FusedFormFixtures.QUANTIZATION_FLOORS,
                        Set.of("GroupQueryAttention", "SkipSimplifiedLayerNormalization"), folder),
                FusedFormFixtures.everyDecoderFixtureQuantizesAsPlain(
                        fixtures.stream().filter(LlamaFusedFixturesTest::takesPast).toList(),
                        FusedFormFixtures.QUANTIZATION_FLOORS, Set.of("SkipSimplifiedLayerNormalization"), folder));
    }

    /**
     * The same for the family's other grouped-query types (Phi-3's fused qkv_proj and gate_up_proj, Mixtral's
     * experts and router, Starcoder2's biased projections and plain MLP, ...): GroupQueryAttention in the graphs
     * without a past input, and every dense weight the plain quantized graph quantizes.
     */
    @TestFactory
    Stream<DynamicTest> everyOtherGroupedQueryFixtureQuantizesItsFusedGraphAsThePlainOne() {
        return Stream.concat(FusedFormFixtures.everyDecoderFixtureQuantizesAsPlain(
                        Fixture.ofToday(OTHER_GROUPED).stream().filter(fixture -> !takesPast(fixture)).toList(),
                        FusedFormFixtures.QUANTIZATION_FLOORS, Set.of("GroupQueryAttention"), folder),
                FusedFormFixtures.everyDecoderFixtureQuantizesAsPlain(
                        Fixture.ofToday(SKIP_NORMALIZED).stream().filter(LlamaFusedFixturesTest::takesPast).toList(),
                        FusedFormFixtures.QUANTIZATION_FLOORS, Set.of("SkipSimplifiedLayerNormalization"), folder));
    }
}
