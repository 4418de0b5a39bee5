package org.exporters4j.models.mobilebert;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every mobilebert fixture, built from the checkpoint, gives PyTorch's outputs within 1e-5. */
class MobileBertFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("mobilebert"), folder);
    }
}
