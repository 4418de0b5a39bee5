package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.Variant;
import org.junit.jupiter.api.Test;
import org.exporters4j.onnx.ElementType;

class ModelTypesGraphTest {
    @Test
    void theTableHoldsEveryBuiltFamilySorted() {
        assertEquals(List.of("albert", "bart", "beit", "bert", "big-bird", "bigbird-pegasus", "blenderbot",
                "blenderbot-small", "bloom", "camembert", "clip", "codegen", "convbert", "convnext", "data2vec-text",
                "data2vec-vision", "deberta", "deberta-v2", "deit", "detr", "dinov2", "distilbert", "electra", "falcon",
                "flaubert", "gemma", "gemma2", "gemma3-text", "gpt-bigcode", "gpt-neo", "gpt-neox", "gpt2", "gptj",
                "granite", "groupvit", "hubert", "ibert", "layoutlm", "layoutlmv3", "levit", "llama", "longt5",
                "m2m-100", "marian", "mbart", "mistral", "mixtral", "mobilebert", "mobilevit", "modernbert", "mpnet",
                "mt5", "olmo", "opt", "owlvit", "perceiver", "phi", "phi3", "qwen2", "qwen3", "resnet", "roberta",
                "roformer", "sam", "segformer", "siglip", "squeezebert", "stablelm", "starcoder2", "swin", "t5", "vit",
                "wav2vec2", "wavlm", "whisper", "xlm", "xlm-roberta", "yolos"),
                ModelTypes.builtModelTypes());
        for (String modelType : ModelTypes.builtModelTypes()) {
            assertEquals(modelType, ModelTypes.architecture(modelType).modelType());
        }
    }

    @Test
    void configAndOptimumSpellingsInAnyCaseFindTheRow() {
        assertEquals("xlm-roberta", ModelTypes.architecture("XLM_Roberta").modelType());
        assertEquals("data2vec-text", ModelTypes.architecture("data2vec_text").modelType());
        assertEquals("bert", ModelTypes.architecture("bert").family());
        assertEquals("bert", ModelTypes.architecture("camembert").family());
        assertTrue(ModelTypes.builtModelTypes().contains("electra"));
        assertTrue(ModelTypes.find("Electra").isPresent());
        assertEquals("gpt-neo", ModelTypes.architecture("gpt_neo").modelType());
        assertEquals("gptj", ModelTypes.architecture("codegen").family());
        assertEquals("llama", ModelTypes.architecture("Qwen2").family());
        assertFalse(ModelTypes.find("mamba").isPresent());
    }

    @Test
    void anUnknownModelTypeNamesTheSupportedOnes() {
        ArchitectureException error = assertThrows(ArchitectureException.class,
                () -> ModelTypes.architecture("mamba"));
        assertTrue(error.getMessage().contains("'mamba'") && error.getMessage().contains("distilbert"),
                error.getMessage());
    }

    @Test
    void headsFollowTheClassesTransformersHas() {
        assertTrue(ModelTypes.architecture("bert").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertTrue(ModelTypes.architecture("electra").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertFalse(ModelTypes.architecture("ibert").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertFalse(ModelTypes.architecture("distilbert").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertFalse(ModelTypes.architecture("bert").variants().contains(Variant.withPast(Head.CAUSAL_LM)));
        assertTrue(ModelTypes.architecture("gpt2").variants().contains(Variant.withPast(Head.CAUSAL_LM)));
        assertTrue(ModelTypes.architecture("llama").variants().contains(Variant.withPast(Head.BASE)));
        assertFalse(ModelTypes.architecture("llama").variants().contains(Variant.of(Head.TOKEN_CLASSIFICATION)));
        assertTrue(ModelTypes.architecture("qwen2").variants().contains(Variant.of(Head.TOKEN_CLASSIFICATION)));
        assertTrue(ModelTypes.architecture("gptj").variants().contains(Variant.of(Head.QUESTION_ANSWERING)));
        assertEquals(6, ModelTypes.architecture("albert").variants().size());
        // XLMWithLMHeadModel is in AutoModelForCausalLM; FlaubertWithLMHeadModel is not (Transformers 4.25.1)
        assertTrue(ModelTypes.architecture("xlm").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertFalse(ModelTypes.architecture("flaubert").variants().contains(Variant.of(Head.CAUSAL_LM)));
        assertEquals("xlm", ModelTypes.architecture("flaubert").family());
        assertEquals("big-bird", ModelTypes.architecture("big_bird").modelType());
        assertFalse(ModelTypes.architecture("layoutlm").variants().contains(Variant.of(Head.MULTIPLE_CHOICE)));
        // Transformers 4.25.1 has DebertaV2ForMultipleChoice but no DebertaForMultipleChoice
        assertFalse(ModelTypes.architecture("deberta").variants().contains(Variant.of(Head.MULTIPLE_CHOICE)));
        assertTrue(ModelTypes.architecture("deberta-v2").variants().contains(Variant.of(Head.MULTIPLE_CHOICE)));
        assertEquals("deberta", ModelTypes.architecture("deberta_v2").family());
        assertEquals(6, ModelTypes.architecture("mobilebert").variants().size());
        assertEquals(6, ModelTypes.architecture("convbert").variants().size());
        assertEquals(Set.of(Variant.of(Head.BASE)), ModelTypes.architecture("owlvit").variants());
        assertEquals("clip", ModelTypes.architecture("owlvit").family());
        // WhisperForAudioClassification: Optimum 1.25.3's audio-classification (Optimum v1.5.2 had none)
        assertEquals(Set.of(Variant.of(Head.BASE), Variant.withPast(Head.BASE), Variant.of(Head.SPEECH2SEQ_LM),
                Variant.withPast(Head.SPEECH2SEQ_LM), Variant.of(Head.AUDIO_CLASSIFICATION)),
                ModelTypes.architecture("whisper").variants());
        assertEquals(Set.of(Variant.of(Head.MASKED_LM), Variant.of(Head.SEQUENCE_CLASSIFICATION),
                Variant.of(Head.IMAGE_CLASSIFICATION)), ModelTypes.architecture("perceiver").variants());
        assertFalse(ModelTypes.architecture("layoutlmv3").variants().contains(Variant.of(Head.MULTIPLE_CHOICE)));
    }

    @Test
    void anUnsupportedVariantIsRefusedBeforeAnythingIsBuilt() {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("distilbert--default"));
        Path checkpoint = fixture.checkpoint();
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            ArchitectureException error = assertThrows(ArchitectureException.class,
                    () -> ModelTypes.architecture("distilbert").build(
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
                    () -> ModelTypes.architecture("electra").build(
                            ModelConfig.read(fixture.checkpoint().resolve("config.json")), weights,
                            Variant.of(Head.BASE), asked));
            assertEquals("the electra base graph has no output 'pooler_output'; it produces last_hidden_state",
                    error.getMessage());
        }
    }
}
