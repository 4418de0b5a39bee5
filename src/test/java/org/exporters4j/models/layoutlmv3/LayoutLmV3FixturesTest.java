package org.exporters4j.models.layoutlmv3;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every layoutlmv3 fixture (default, token and sequence classification, question answering), built by
 * {@link LayoutLmV3Architecture} straight from the checkpoint with Optimum's interface, gives PyTorch's hidden
 * states and logits in ONNX Runtime within 1e-5.
 */
class LayoutLmV3FixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("layoutlmv3"), folder);
    }
}
