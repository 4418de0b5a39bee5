package org.exporters4j.models.bart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.Head;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;

/**
 * Config options the BART family does not build are refused with a one-line message naming the option, its value
 * and the fix; heads a type has no Transformers class for are refused; the table builds the variants Optimum v1.5.2
 * registers.
 */
class BartConfigOptionsTest {

    @Test
    void blockSparseBigBirdAttentionIsRefusedWithTheFullAttentionFix() {
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                () -> build("bigbird-pegasus--default", Map.of("attention_type", "block_sparse", "block_size", 16,
                        "num_random_blocks", 2), Variant.of(Head.BASE)));
        assertTrue(error.getMessage().contains("sets attention_type \"block_sparse\""), error.getMessage());
        assertTrue(error.getMessage().contains("(5 + 2 × num_random_blocks) × block_size = 144 tokens"),
                error.getMessage());
        assertTrue(error.getMessage().contains("\"attention_type\": \"original_full\""), error.getMessage());
        assertOneLine(error);
    }

    @Test
    void headsThatDoNotDivideTheWidthAreRefused() {
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                () -> build("mbart--default", Map.of("decoder_attention_heads", 5), Variant.of(Head.BASE)));
        assertTrue(error.getMessage().contains("d_model 24 is not a multiple of decoder_attention_heads 5"),
                error.getMessage());
        assertOneLine(error);
    }

    @Test
    void unknownActivationsAreRefusedWithTheKnownOnes() {
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                () -> build("marian--default", Map.of("activation_function", "swiglu"), Variant.of(Head.BASE)));
        assertTrue(error.getMessage().contains("activation_function \"swiglu\""), error.getMessage());
        assertTrue(error.getMessage().contains("gelu_new"), error.getMessage());
    }

    @Test
    void sequenceClassificationNeedsAnEosToken() {
        Map<String, Object> noEos = new HashMap<>();
        noEos.put("eos_token_id", null);
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                () -> build("bart--sequence-classification", noEos, Variant.of(Head.SEQUENCE_CLASSIFICATION)));
        assertTrue(error.getMessage().contains("sets no eos_token_id"), error.getMessage());
    }

    @Test
    void headsWithoutATransformersClassAreRefused() {
        ArchitectureException error = assertThrows(ArchitectureException.class,
                () -> build("m2m-100--default", Map.of(), Variant.of(Head.CAUSAL_LM)));
        assertEquals("m2m-100 has no causal-lm graph; it builds base, base with past, seq2seq-lm, "
                + "seq2seq-lm with past", error.getMessage());
    }

    @Test
    void theTableBuildsOptimumsVariants() {
        Set<Variant> generation = Set.of(Variant.of(Head.BASE), Variant.withPast(Head.BASE),
                Variant.of(Head.CAUSAL_LM), Variant.withPast(Head.CAUSAL_LM), Variant.of(Head.SEQ2SEQ_LM),
                Variant.withPast(Head.SEQ2SEQ_LM));
        Set<Variant> all = new java.util.HashSet<>(generation);
        all.add(Variant.of(Head.SEQUENCE_CLASSIFICATION));
        all.add(Variant.of(Head.QUESTION_ANSWERING));
        for (String type : List.of("bart", "bigbird-pegasus", "mbart")) {
            assertEquals(all, ModelTypes.architecture(type).variants(), type);
        }
        for (String type : List.of("blenderbot", "blenderbot-small", "marian")) {
            assertEquals(generation, ModelTypes.architecture(type).variants(), type);
        }
        assertEquals(Set.of(Variant.of(Head.BASE), Variant.withPast(Head.BASE), Variant.of(Head.SEQ2SEQ_LM),
                Variant.withPast(Head.SEQ2SEQ_LM)), ModelTypes.architecture("m2m_100").variants());
        assertEquals("bart", ModelTypes.architecture("BigBird_Pegasus").family());
    }

    private static void build(String fixtureName, Map<String, Object> overrides, Variant variant) throws Exception {
        Fixture fixture = Fixture.read(org.exporters4j.SharedFiles.fixtures().resolve(fixtureName));
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json")).withOverrides(overrides);
        Path checkpoint = fixture.checkpoint();
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            ModelTypes.architecture(fixture.modelType()).build(config, weights, variant,
                    BartFamilyFixturesTest.graphInterface(fixture));
        }
    }

    private static void assertOneLine(Exception error) {
        assertTrue(!error.getMessage().contains("\n"), error.getMessage());
    }
}
