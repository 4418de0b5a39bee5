package org.exporters4j.models.siglip;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.TodayFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both siglip fixtures of fixtures-today (feature extraction and zero-shot image classification, both SiglipModel:
 * 3 texts and 2 images, the attention-pooling vision head, logit scale and bias) match PyTorch within 1e-5.
 */
class SiglipFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return TodayFixtures.everyFixtureMatchesPyTorch(new SiglipArchitecture(), List.of("siglip"), folder);
    }
}
