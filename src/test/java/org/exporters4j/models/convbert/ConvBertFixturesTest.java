package org.exporters4j.models.convbert;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every convbert fixture, built from the checkpoint, gives PyTorch's outputs within 1e-5. */
class ConvBertFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("convbert"), folder);
    }
}
