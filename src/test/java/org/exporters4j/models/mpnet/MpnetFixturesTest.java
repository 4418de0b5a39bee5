package org.exporters4j.models.mpnet;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.TodayFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every mpnet fixture of fixtures-today (its six tasks) matches PyTorch within 1e-5. */
class MpnetFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return TodayFixtures.everyFixtureMatchesPyTorch(new MpnetArchitecture(), List.of("mpnet"), folder);
    }
}
