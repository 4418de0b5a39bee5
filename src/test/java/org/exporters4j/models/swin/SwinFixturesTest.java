package org.exporters4j.models.swin;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.TodayFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every swin fixture of fixtures-today (feature extraction, image classification, masked image modelling: shifted
 * windows with their region mask in the first stage, a grid of one window in the second) matches PyTorch within
 * 1e-5.
 */
class SwinFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return TodayFixtures.everyFixtureMatchesPyTorch(new SwinArchitecture(), List.of("swin"), folder);
    }
}
