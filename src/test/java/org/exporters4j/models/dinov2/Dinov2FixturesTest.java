package org.exporters4j.models.dinov2;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.TodayFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every dinov2 fixture of fixtures-today (feature extraction, image classification) matches PyTorch within 1e-5. */
class Dinov2FixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return TodayFixtures.everyFixtureMatchesPyTorch(new Dinov2Architecture(), List.of("dinov2"), folder);
    }
}
