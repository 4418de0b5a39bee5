package org.exporters4j.models.vit;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureFixtures;
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
}
