package org.exporters4j.models.groupvit;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The groupvit fixture, built by {@link GroupVitArchitecture} straight from the checkpoint with Optimum's
 * interface, gives PyTorch's logits and normalized embeddings in ONNX Runtime within 1e-5.
 */
class GroupVitFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("groupvit"), folder);
    }
}
