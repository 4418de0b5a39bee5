package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
    @TempDir
    Path folder;

    private List<String> names(Path directory) throws IOException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aNewOutputIsTheStagingFolderMovedIntoPlace() throws IOException {
        Path target = folder.resolve("out");
        try (OutputFolder output = OutputFolder.prepare(target)) {
            assertTrue(output.staging().getFileName().toString().startsWith(".out.partial-"));
            Files.writeString(output.staging().resolve("model.onnx"), "model");
            assertFalse(Files.exists(target));
            output.publish();
        }
        assertEquals(List.of("model.onnx"), names(target));
        assertEquals(List.of("out"), names(folder));
    }

    @Test
    void anExistingOutputKeepsOtherFilesAndLosesAStaleDataFile() throws IOException {
        Path target = Files.createDirectories(folder.resolve("out"));
        Files.writeString(target.resolve("notes.txt"), "mine");
        Files.writeString(target.resolve("model.onnx"), "old");
        Files.writeString(target.resolve("model.onnx_data"), "old data");
        try (OutputFolder output = OutputFolder.prepare(target)) {
            Files.writeString(output.staging().resolve("model.onnx"), "new");
            output.publish();
        }
        assertEquals(List.of("model.onnx", "notes.txt"), names(target));
        assertEquals("new", Files.readString(target.resolve("model.onnx")));
        assertEquals(List.of("out"), names(folder));
    }

    @Test
    void closingWithoutPublishingRemovesTheStagingFolderAndTheParentsItCreated() throws IOException {
        Path target = folder.resolve("a/b/out");
        try (OutputFolder output = OutputFolder.prepare(target)) {
            Files.writeString(output.staging().resolve("model.onnx"), "partial");
            output.close();
        }
        assertEquals(List.of(), names(folder));
    }

    @Test
    void anOutputThatIsAFileOrUnderAFileIsRefused() throws IOException {
        Path file = Files.writeString(folder.resolve("file"), "x");
        ExportException isFile = assertThrows(ExportException.class, () -> OutputFolder.prepare(file));
        assertTrue(isFile.getMessage().contains("is a file, not a folder"), isFile.getMessage());
        ExportException underFile = assertThrows(ExportException.class,
                () -> OutputFolder.prepare(file.resolve("out")));
        assertTrue(underFile.getMessage().contains("is not a folder"), underFile.getMessage());
        assertEquals(List.of("file"), names(folder));
    }
}
