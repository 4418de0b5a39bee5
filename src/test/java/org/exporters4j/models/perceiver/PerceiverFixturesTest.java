package org.exporters4j.models.perceiver;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every perceiver fixture (masked-lm, sequence and image classification), built by {@link PerceiverArchitecture}
 * straight from the checkpoint with Optimum's interface, gives PyTorch's logits in ONNX Runtime within 1e-5.
 */
class PerceiverFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("perceiver"), folder);
    }
}
