package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hidden folder of the staging folder that holds reference graphs: written, compared, removed strictly. */
class ReferenceFolderTest {
    @TempDir
    Path folder;

    private static final OutputCheck PASSED = new OutputCheck(Kind.COMPARISON, "vs. plain graph", "y", "1 values",
            "1 values", 0, 1e-5, Verdict.PASSED);

    /** y = relu(x): a graph small enough to write in a test. */
    private static OnnxModel relu() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, Shape.of(Dim.symbolic("batch_size"), Dim.unknown()));
        g.output("y", g.relu(x), ElementType.FLOAT, Shape.of(Dim.symbolic("batch_size"), Dim.unknown()));
        return g.build();
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aReferenceIsWrittenHiddenInTheStagingFolderComparedAndRemoved() throws IOException {
        Path staging = Files.createDirectories(folder.resolve("staging"));
        List<Path> compared = new ArrayList<>();
        try (ReferenceFolder references = ReferenceFolder.create(staging, "float32")) {
            assertTrue(references.path().getFileName().toString().startsWith(".float32-reference-"),
                    references.path().toString());
            List<OutputCheck> checks = references.compare(relu(), "decoder_model.onnx", file -> {
                assertTrue(Files.isRegularFile(file), file + " is written before the comparison");
                compared.add(file);
                return List.of(PASSED);
            });
            assertEquals(List.of(PASSED), checks);
            assertEquals(List.of(references.path().resolve("decoder_model.onnx")), compared);
            assertEquals(List.of(), names(references.path()), "the reference is removed once compared");
        }
        assertEquals(List.of(), names(staging), "the folder is removed when closed");
    }

    @Test
    void aFailedRemovalFailsTheExportAndNothingIsPublished() throws IOException {
        Path target = folder.resolve("out");
        OutputFolder.Removal refusing = path -> {
            throw new AccessDeniedException(path.toString());
        };
        ExportException failure = assertThrows(ExportException.class, () -> {
            try (OutputFolder output = OutputFolder.prepare(target)) {
                Files.writeString(output.staging().resolve("model.onnx"), "the export");
                try (ReferenceFolder references = ReferenceFolder.create(output.staging(), "plain", refusing)) {
                    references.compare(relu(), "model.onnx", file -> List.of(PASSED));
                }
                output.publish();
            }
        });
        assertTrue(failure.getMessage().startsWith("cannot remove the plain reference graph from the staging folder: "),
                failure.getMessage());
        assertTrue(failure.getMessage().contains(".plain-reference-"), failure.getMessage());
        assertTrue(failure.getMessage().contains("the export is not published"), failure.getMessage());
        assertFalse(Files.exists(target), "nothing is published");
        assertEquals(List.of(), names(folder), "the staging folder is discarded");
    }

    @Test
    void aFailedComparisonStaysTheFailureReportedAndAFailedRemovalJoinsIt() throws IOException {
        Path staging = Files.createDirectories(folder.resolve("staging"));
        OutputFolder.Removal refusing = path -> {
            throw new AccessDeniedException(path.toString());
        };
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
            try (ReferenceFolder references = ReferenceFolder.create(staging, "float32", refusing)) {
                references.compare(relu(), "model.onnx", file -> {
                    throw new IllegalStateException("ONNX Runtime failed");
                });
            }
        });
        assertEquals("ONNX Runtime failed", failure.getMessage());
        assertEquals(1, failure.getSuppressed().length);
        assertTrue(failure.getSuppressed()[0].getMessage().startsWith("cannot remove the float32 reference graph"),
                failure.getSuppressed()[0].getMessage());
    }

    @Test
    void closingTwiceRemovesOnce() throws IOException {
        Path staging = Files.createDirectories(folder.resolve("staging"));
        List<Path> removed = new ArrayList<>();
        ReferenceFolder references = ReferenceFolder.create(staging, "float32", path -> {
            removed.add(path);
            Files.deleteIfExists(path);
        });
        references.close();
        references.close();
        assertEquals(1, removed.size(), removed.toString());
        assertEquals(List.of(), names(staging));
    }
}
