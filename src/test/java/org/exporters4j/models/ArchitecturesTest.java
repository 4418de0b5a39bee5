package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.Checkpoints;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.junit.jupiter.api.Test;

class ArchitecturesTest {
    @Test
    void theTableHoldsEveryBuiltFamilySorted() {
        assertEquals(List.of("albert", "bart", "beit", "bert", "big-bird", "bigbird-pegasus", "blenderbot",
                "blenderbot-small", "bloom", "camembert", "clip", "codegen", "convbert", "convnext", "data2vec-text",
                "data2vec-vision", "deberta", "deberta-v2", "deit", "distilbert", "electra", "flaubert", "gpt-neo",
                "gpt2", "gptj", "groupvit", "ibert", "layoutlm", "layoutlmv3", "levit", "llama", "longt5", "m2m-100",
                "marian", "mbart", "mistral", "mobilebert", "mobilevit", "mt5", "owlvit", "perceiver", "qwen2",
                "resnet", "roberta", "roformer", "segformer", "squeezebert", "t5", "vit", "whisper", "xlm",
                "xlm-roberta", "yolos"),
                Architectures.modelTypes());
        for (String modelType : Architectures.modelTypes()) {
            assertEquals(modelType, Architectures.forModelType(modelType).modelType());
        }
    }

    @Test
    void configAndOptimumSpellingsInAnyCaseFindTheRow() {
        assertEquals("xlm-roberta", Architectures.forModelType("XLM_Roberta").modelType());
        assertEquals("data2vec-text", Architectures.forModelType("data2vec_text").modelType());
        assertEquals("bert", Architectures.forModelType("bert").family());
        assertEquals("bert", Architectures.forModelType("camembert").family());
        assertTrue(Architectures.supports("Electra"));
        assertEquals("gpt-neo", Architectures.forModelType("gpt_neo").modelType());
        assertEquals("gptj", Architectures.forModelType("codegen").family());
        assertEquals("llama", Architectures.forModelType("Qwen2").family());
        assertFalse(Architectures.supports("mamba"));
    }

    @Test
    void anUnknownModelTypeNamesTheSupportedOnes() {
        ArchitectureException error = assertThrows(ArchitectureException.class,
                () -> Architectures.forModelType("mamba"));
        assertTrue(error.getMessage().contains("'mamba'") && error.getMessage().contains("distilbert"),
                error.getMessage());
    }

    @Test
    void headsFollowTheClassesTransformersHas() {
        assertTrue(Architectures.forModelType("bert").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertTrue(Architectures.forModelType("electra").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertFalse(Architectures.forModelType("ibert").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertFalse(Architectures.forModelType("distilbert").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertFalse(Architectures.forModelType("bert").variants().contains(Variant.withPast(Head.CAUSAL_LM)));
        assertTrue(Architectures.forModelType("gpt2").variants().contains(Variant.withPast(Head.CAUSAL_LM)));
        assertTrue(Architectures.forModelType("llama").variants().contains(Variant.withPast(Head.BASE)));
        assertFalse(Architectures.forModelType("llama").variants().contains(Variant.of(Head.TOKEN_CLASSIFICATION)));
        assertTrue(Architectures.forModelType("qwen2").variants().contains(Variant.of(Head.TOKEN_CLASSIFICATION)));
        assertTrue(Architectures.forModelType("gptj").variants().contains(Variant.of(Head.QUESTION_ANSWERING)));
        assertEquals(6, Architectures.forModelType("albert").variants().size());
        // XLMWithLMHeadModel is in AutoModelForCausalLM; FlaubertWithLMHeadModel is not (Transformers 4.25.1)
        assertTrue(Architectures.forModelType("xlm").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertFalse(Architectures.forModelType("flaubert").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertEquals("xlm", Architectures.forModelType("flaubert").family());
        assertEquals("big-bird", Architectures.forModelType("big_bird").modelType());
        assertFalse(Architectures.forModelType("layoutlm").variants().contains(Variant.of(Head.MULTIPLE_CHOICE)));
        // Transformers 4.25.1 has DebertaV2ForMultipleChoice but no DebertaForMultipleChoice
        assertFalse(Architectures.forModelType("deberta").variants().contains(Variant.of(Head.MULTIPLE_CHOICE)));
        assertTrue(Architectures.forModelType("deberta-v2").variants().contains(Variant.of(Head.MULTIPLE_CHOICE)));
        assertEquals("deberta", Architectures.forModelType("deberta_v2").family());
        assertEquals(6, Architectures.forModelType("mobilebert").variants().size());
        assertEquals(6, Architectures.forModelType("convbert").variants().size());
        assertEquals(Set.of(Variant.of(Head.BASE)), Architectures.forModelType("owlvit").variants());
        assertEquals("clip", Architectures.forModelType("owlvit").family());
        assertEquals(Set.of(Variant.of(Head.BASE), Variant.withPast(Head.BASE), Variant.of(Head.SPEECH2SEQ_LM),
                Variant.withPast(Head.SPEECH2SEQ_LM)), Architectures.forModelType("whisper").variants());
        assertEquals(Set.of(Variant.of(Head.MASKED_LM), Variant.of(Head.SEQUENCE_CLASSIFICATION),
                Variant.of(Head.IMAGE_CLASSIFICATION)), Architectures.forModelType("perceiver").variants());
        assertFalse(Architectures.forModelType("layoutlmv3").variants().contains(Variant.of(Head.MULTIPLE_CHOICE)));
    }

    @Test
    void anUnsupportedVariantIsRefusedBeforeAnythingIsBuilt() {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("distilbert--default"));
        Path checkpoint = fixture.checkpoint();
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            ArchitectureException error = assertThrows(ArchitectureException.class,
                    () -> Architectures.forModelType("distilbert").build(
                            ModelConfig.read(checkpoint.resolve("config.json")), weights,
                            Variant.of(Head.CAUSAL_LM), fixture.graphInterface(11)));
            assertTrue(error.getMessage().startsWith("distilbert has no causal-lm graph; it builds base, "),
                    error.getMessage());
        }
    }

    @Test
    void anInterfaceAskingForAnOutputTheHeadLacksIsNamed() {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("electra--default"));
        GraphInterface asked = new GraphInterface(fixture.graphInterface(11).inputs(),
                List.of(InterfaceTensor.of("pooler_output", org.exporters4j.onnx.ElementType.FLOAT,
                        java.util.Map.of(0, "batch_size"))), org.exporters4j.onnx.Opset.of(11));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            ArchitectureException error = assertThrows(ArchitectureException.class,
                    () -> Architectures.forModelType("electra").build(
                            ModelConfig.read(fixture.checkpoint().resolve("config.json")), weights,
                            Variant.of(Head.BASE), asked));
            assertEquals("the electra base graph has no output 'pooler_output'; it produces last_hidden_state",
                    error.getMessage());
        }
    }
}
