package org.exporters4j.models.modernbert;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.TodayFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every modernbert fixture of fixtures-today (its four tasks; a global and a local layer with their two RoPE bases,
 * the decoder tied to the embeddings) matches PyTorch within 1e-5.
 */
class ModernBertFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return TodayFixtures.everyFixtureMatchesPyTorch(new ModernBertArchitecture(), List.of("modernbert"), folder);
    }
}
