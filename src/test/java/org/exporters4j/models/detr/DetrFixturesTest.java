package org.exporters4j.models.detr;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.TodayFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every detr fixture of fixtures-today (feature extraction, object detection, image segmentation; Transformers'
 * ResNet backbone) matches PyTorch within 1e-5.
 */
class DetrFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return TodayFixtures.everyFixtureMatchesPyTorch(new DetrArchitecture(), List.of("detr"), folder);
    }
}
