package org.exporters4j.models.whisper;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every whisper fixture (default and speech2seq-lm, each with and without the cache), built by
 * {@link WhisperArchitecture} straight from the checkpoint with Optimum's interface, gives PyTorch's hidden states,
 * logits and caches in ONNX Runtime within 1e-5.
 */
class WhisperFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("whisper"), folder);
    }
}
