package org.exporters4j.models.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fixture of the ViT family (vit, deit, yolos: base model, image classification, masked image modelling,
 * object detection), built straight from the checkpoint, gives PyTorch's outputs within 1e-5.
 */
class VitFamilyFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("deit", "vit", "yolos"), folder);
    }

    /**
     * YOLOS with {@code use_mid_position_embeddings: true} and a non-square {@code image_size} [32, 40]
     * (../shared/fixtures-options): the mid-layer tables are interpolated like the first to the 4×5 patch grid, and
     * the base model and the detector match PyTorch with Optimum's output names.
     */
    @TestFactory
    Stream<DynamicTest> midPositionEmbeddingsOnANonSquareImageMatchPyTorch() {
        return Fixture.ofOptions(List.of("yolos")).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(),
                () -> {
                    ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"));
                    assertEquals(List.of(32, 40), config.intList("image_size"));
                    assertTrue(config.optionalBoolean("use_mid_position_embeddings").orElseThrow());
                    ArchitectureFixtures.assertMatchesPyTorch(fixture, folder.resolve("options-" + fixture));
                }));
    }
}
