package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export onnx --optimize} (issue 11 §2): a family without a fused form is written with its standard operators,
 * says so in a note, and gives the fixture's outputs.
 */
class ExportOptimizeTest {
    @TempDir
    Path folder;

    @Test
    void aFamilyWithoutAFusedFormExportsPlainOperatorsWithANote() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("vit--default"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors", folder.resolve("vit"));
        Path output = folder.resolve("vit-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", "default",
                "--optimize", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("note: --optimize: the vit graph has no fused form"), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        var outputs = OnnxRuntimeRun.run(output.resolve("model.onnx"), fixture.inputsFile());
        for (var named : fixture.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
            OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
            assertEquals(expected.shape(), actual.shape(), named.getKey());
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
            assertTrue(diff <= ExportOnnxFixturesTest.TOLERANCE, named.getKey() + ": max abs diff " + diff);
        }
    }
}
