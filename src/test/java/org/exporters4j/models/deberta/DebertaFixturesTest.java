package org.exporters4j.models.deberta;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every deberta and deberta-v2 fixture, built from the checkpoint, gives PyTorch's outputs within 1e-5. */
class DebertaFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("deberta", "deberta-v2"), folder);
    }
}
