package org.exporters4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's "every config Transformers accepts": each fixture of ../shared/fixtures-options (config options the dev
 * sizes leave at their defaults, see its README) exports through the CLI from model.safetensors (task inferred where
 * a checkpoint can tell it) and from pytorch_model.bin (task named), with Optimum's interface and PyTorch's outputs
 * within 1e-5, exactly as {@link ExportOnnxFixturesTest} checks the dev fixtures.
 */
class ExportOnnxOptionsFixturesTest {
    /**
     * levit: hidden_sizes[0] not a multiple of 8; longt5: transient-global attention; yolos:
     * use_mid_position_embeddings on a non-square image_size.
     */
    private static final List<String> OPTIONS = List.of("levit", "longt5", "yolos");

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyOptionsFixtureExportsFromEitherWeightsFile() {
        return Fixture.ofOptions(OPTIONS).stream().flatMap(fixture -> Stream.of(
                DynamicTest.dynamicTest(fixture + " from model.safetensors, task "
                                + ExportOnnxFixturesTest.inferableTask(fixture),
                        () -> ExportOnnxFixturesTest.exportAndCompare(fixture, "model.safetensors",
                                ExportOnnxFixturesTest.inferableTask(fixture), folder)),
                DynamicTest.dynamicTest(fixture + " from pytorch_model.bin",
                        () -> ExportOnnxFixturesTest.exportAndCompare(fixture, "pytorch_model.bin", fixture.task(),
                                folder))));
    }
}
