package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.Opset;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;

/**
 * Config options the vision families do not build, and requests they cannot serve, are refused before anything is
 * built, naming the option, its value and the fix.
 */
class VisionConfigRefusalsTest {

    @Test
    void segformerSegmentationRefusesTokensFromTheLastStage() {
        String message = refusal("segformer--semantic-segmentation", Map.of("reshape_last_stage", false));
        assertTrue(message.contains("reshape_last_stage false") && message.contains("\"reshape_last_stage\": true"),
                message);
    }

    @Test
    void yolosNeedsDetectionTokens() {
        String message = refusal("yolos--object-detection", Map.of("num_detection_tokens", 0));
        assertTrue(message.contains("num_detection_tokens 0") && message.contains("1 or more"), message);
    }

    @Test
    void resnetNamesItsLayerTypes() {
        String message = refusal("resnet--default", Map.of("layer_type", "preactivation"));
        assertTrue(message.contains("layer_type \"preactivation\"") && message.contains("\"bottleneck\""), message);
    }

    @Test
    void vitRefusesAnImageSmallerThanAPatch() {
        String message = refusal("vit--default", Map.of("image_size", 4));
        assertTrue(message.contains("image_size 4 holds no whole patch of patch_size 8"), message);
    }

    @Test
    void levitRefusesSubsamplingAfterTheLastStage() {
        String message = refusal("levit--default", Map.of("down_ops", List.of(List.of(""), List.of(""),
                List.of("Subsample", 8, 4, 4, 2, 2))));
        assertTrue(message.contains("down_ops[2]") && message.contains("lead into a next stage"), message);
    }

    @Test
    void levitRefusesAPatchEmbeddingWithoutChannels() {
        String message = refusal("levit--default", Map.of("hidden_sizes", List.of(4, 12, 16)));
        assertTrue(message.contains("hidden_sizes[0] 4") && message.contains("// 8 = 0 channels")
                && message.contains("at least 8"), message);
    }

    @Test
    void mobilevitNeedsSevenNeckSizes() {
        String message = refusal("mobilevit--default", Map.of("neck_hidden_sizes", List.of(8, 8, 12)));
        assertTrue(message.contains("neck_hidden_sizes [8, 8, 12]") && message.contains("7"), message);
    }

    @Test
    void anUnknownActivationListsTheKnownOnes() {
        String message = refusal("convnext--default", Map.of("hidden_act", "swiglu"));
        assertTrue(message.contains("hidden_act \"swiglu\"") && message.contains("gelu_new"), message);
    }

    @Test
    void aHeadTheFamilyLacksIsRefused() {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("vit--default"));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            ArchitectureException error = assertThrows(ArchitectureException.class, () -> ModelTypes.architecture("vit").build(config(fixture, Map.of()), weights, Variant.of(Head.OBJECT_DETECTION),
                            fixture.graphInterface(11)));
            assertEquals("vit has no object-detection graph; it builds base, image-classification, masked-im",
                    error.getMessage());
        }
    }

    @Test
    void yolosChecksItsClassCountAgainstTheConfig() {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("yolos--object-detection"));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            ArchitectureException error = assertThrows(ArchitectureException.class, () -> ModelTypes.architecture("yolos").build(config(fixture, Map.of("id2label", Map.of("0", "cat"))), weights,
                            fixture.variant(), fixture.graphInterface(12)));
            assertTrue(error.getMessage().contains("scores 4 classes") && error.getMessage().contains("declares 1 "
                    + "labels"), error.getMessage());
        }
    }

    @Test
    void aVisionGraphTakesPixelValuesOnly() {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("resnet--default"));
        GraphInterface asked = new GraphInterface(List.of(InterfaceTensor.of("input_ids", ElementType.INT64,
                Map.of(0, "batch_size"))), fixture.graphInterface(11).outputs(), Opset.of(11));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            ArchitectureException error = assertThrows(ArchitectureException.class, () -> ModelTypes.architecture("resnet").build(config(fixture, Map.of()), weights, fixture.variant(), asked));
            assertEquals("the resnet base graph has no input 'input_ids'; it takes pixel_values only",
                    error.getMessage());
        }
    }

    private static String refusal(String fixtureName, Map<String, ?> overrides) {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve(fixtureName));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class, () -> ModelTypes.architecture(fixture.modelType()).build(config(fixture, overrides), weights, fixture.variant(),
                            fixture.graphInterface(fixture.defaultOpset())));
            assertTrue(error.getMessage().contains("config.json"), error.getMessage());
            return error.getMessage();
        }
    }

    private static ModelConfig config(Fixture fixture, Map<String, ?> overrides) {
        return ModelConfig.read(fixture.checkpoint().resolve("config.json")).withOverrides(overrides);
    }
}
