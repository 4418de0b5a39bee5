package org.exporters4j.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.onnx.WrittenModel;

/**
 * A hidden folder {@code .<kind>-reference-*} of the staging folder for the graphs an export is compared with (its
 * float32 or its plain graph, built from the same weights): written beside the export rather than in a RAM-backed
 * temporary folder, each removed once compared ({@link #compare}), the folder when closed.
 *
 * <p>Removal is strict: the staging folder is published whole, so a reference left in it would be published with the
 * export. A removal that fails throws {@link ExportException} naming the folder; the export fails before publishing
 * and {@link OutputFolder} discards its staging folder. When the comparison failed first, that failure stays the one
 * reported and the failed removal joins it as suppressed (try-with-resources). {@link #close()} is idempotent.
 */
final class ReferenceFolder implements AutoCloseable {
    private static final ModelWriter WRITER = new ModelWriter(WeightsLocation.AUTOMATIC);

    private final Path folder;
    private final String kind;
    private final OutputFolder.Removal removal;
    private boolean closed;

    private ReferenceFolder(Path folder, String kind, OutputFolder.Removal removal) {
        this.folder = folder;
        this.kind = kind;
        this.removal = removal;
    }

    /** A new folder in {@code staging} for references of {@code kind} ({@code "float32"}, {@code "plain"}). */
    static ReferenceFolder create(Path staging, String kind) {
        return create(staging, kind, OutputFolder.Removal.FILES);
    }

    /** As {@link #create(Path, String)}, removing files with {@code removal}. */
    static ReferenceFolder create(Path staging, String kind, OutputFolder.Removal removal) {
        Objects.requireNonNull(removal, "removal");
        try {
            return new ReferenceFolder(Files.createTempDirectory(staging, "." + kind + "-reference-"), kind, removal);
        } catch (IOException e) {
            throw new ExportException("cannot create a folder in " + staging + " for the " + kind + " graph the "
                    + "export is compared with: " + e + "; free some space there, or export with --no-validate", e);
        }
    }

    Path path() {
        return folder;
    }

    /**
     * Writes {@code reference} here as {@code fileName} (with its external data if it needs some; a failure to write
     * is the writer's {@link org.exporters4j.onnx.ModelWriteException}, naming the file), runs
     * {@code comparison} on the written model file, then removes the reference's files: the comparison's checks.
     */
    List<OutputCheck> compare(OnnxModel reference, String fileName, Function<Path, List<OutputCheck>> comparison) {
        WrittenModel written = WRITER.writeInto(reference, folder, fileName);
        List<OutputCheck> checks = comparison.apply(written.modelFile());
        try {
            removal.remove(written.modelFile());
            if (written.externalDataFile().isPresent()) {
                removal.remove(written.externalDataFile().get());
            }
        } catch (IOException e) {
            throw cannotRemove(e);
        }
        return checks;
    }

    /** Removes the folder and whatever is left in it; a failure is an {@link ExportException} (see the class). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            OutputFolder.removeTree(folder, removal);
        } catch (IOException | RuntimeException e) {
            throw cannotRemove(e);
        }
    }

    private ExportException cannotRemove(Exception e) {
        return new ExportException("cannot remove the " + kind + " reference graph from the staging folder: " + folder
                + ": " + e + "; the export is not published (the staging folder is published whole, and the "
                + "reference would have gone with it); check what holds files there, then export again", e);
    }
}
