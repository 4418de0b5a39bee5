package org.exporters4j.export;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.exporters4j.hub.ExportFiles;

/**
 * The output folder of one export, written through a staging folder beside it: everything is written into
 * {@code .<name>.partial-*} in the output's parent, and only a complete, validated export is moved into place. A
 * failure at any step deletes the staging folder, so no partial output is ever left (the output folder is not
 * created, or keeps its previous content).
 *
 * <p>{@link #close()} deletes the staging folder if it was not published; it is idempotent.
 */
final class OutputFolder implements AutoCloseable {
    /**
     * Files an export owns in its output folder: the model, its external data, config.json and every tokenizer,
     * processor and generation file an export may copy (hub.ExportFiles.COMPANION_FILES). A new export into the same
     * folder replaces them, and removes those it does not write, so no file of an earlier model (say, its
     * tokenizer.json beside a new model's vocab.txt) is left beside the new one.
     */
    private static final List<String> OWNED_FILES = ownedFiles();

    private static final SecureRandom RANDOM = new SecureRandom();

    private static List<String> ownedFiles() {
        List<String> owned = new ArrayList<>(List.of("model.onnx", "model.onnx_data", "config.json"));
        owned.addAll(ExportFiles.COMPANION_FILES);
        return List.copyOf(owned);
    }

    private final Path target;
    private final Path staging;
    /** Deletes the staging folder if the JVM is stopped (Ctrl-C, kill) before the export finishes. */
    private final Thread cleanupOnExit;
    /** The outermost parent folder this export created, removed again if the export fails; null if none. */
    private final Path createdParent;
    private boolean finished;

    private OutputFolder(Path target, Path staging, Path createdParent) {
        this.target = target;
        this.staging = staging;
        this.createdParent = createdParent;
        this.cleanupOnExit = new Thread(() -> deleteRecursively(createdParent != null ? createdParent : staging),
                "exporters4j-staging-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    }

    /**
     * Creates the staging folder for {@code target}; an output that is a file, or a parent that cannot be created
     * or written, is an error naming it.
     */
    static OutputFolder prepare(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new ExportException("the output folder cannot be the file-system root; pass a folder such as out/model");
        }
        if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
            throw new ExportException("the output " + absolute + " is a file, not a folder; pass a folder path "
                    + "(model.onnx and the tokenizer files are written into it)");
        }
        Path createdParent = null;
        for (Path ancestor = parent; ancestor != null && !Files.exists(ancestor); ancestor = ancestor.getParent()) {
            createdParent = ancestor;
        }
        try {
            Files.createDirectories(parent);
            Path staging = createStaging(parent, absolute.getFileName().toString());
            return new OutputFolder(absolute, staging, createdParent);
        } catch (IOException e) {
            if (createdParent != null) {
                deleteRecursively(createdParent);
            }
            throw cannotCreate(absolute, e);
        }
    }

    /** {@code .<name>.partial-<random>}, created with the default permissions (createTempDirectory's are owner-only). */
    private static Path createStaging(Path parent, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = parent.resolve("." + name + ".partial-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
            try {
                return Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100 || !Files.exists(candidate)) {
                    throw e;
                }
            }
        }
    }

    private static ExportException cannotCreate(Path target, IOException e) {
        Path parent = target.getParent();
        if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
            Path file = parent;
            while (file != null && !Files.exists(file)) {
                file = file.getParent();
            }
            return new ExportException("cannot create the output folder " + target + ": " + file + " is not a "
                    + "folder; choose an output path whose parents are folders", e);
        }
        if (e instanceof AccessDeniedException) {
            return new ExportException("cannot write into " + parent + " (permission denied); choose an "
                    + "output folder you can write to", e);
        }
        return new ExportException("cannot write into " + parent + " (" + reason(e) + "); choose an output "
                + "folder you can write to", e);
    }

    /** The operating system's reason for a failed file operation, without Java class names or internal paths. */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
            return fileSystem.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The folder to write into until {@link #publish()}. */
    Path staging() {
        return staging;
    }

    /** The final output folder. */
    Path target() {
        return target;
    }

    /**
     * Moves the staged files into the output folder: the staging folder itself becomes the output when it does not
     * exist yet; otherwise each staged file replaces its namesake, and a model.onnx_data the new export does not
     * have is removed (it belonged to the previous model.onnx).
     */
    void publish() {
        try {
            if (!Files.exists(target)) {
                move(staging, target);
            } else {
                List<Path> staged = list(staging);
                for (String owned : OWNED_FILES) {
                    if (!Files.exists(staging.resolve(owned))) {
                        Files.deleteIfExists(target.resolve(owned));
                    }
                }
                for (Path file : staged) {
                    move(file, target.resolve(file.getFileName().toString()));
                }
                Files.delete(staging);
            }
            finished = true;
        } catch (IOException e) {
            throw new ExportException("cannot move the export into " + target + " (" + reason(e)
                    + "); check the output folder's permissions and free space", e);
        }
    }

    @Override
    public void close() {
        removeCleanupOnExit();
        if (finished) {
            return;
        }
        finished = true;
        deleteRecursively(createdParent != null ? createdParent : staging);
    }

    private void removeCleanupOnExit() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already stopping: the hook runs (or ran) and deletes the staging folder
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static List<Path> list(Path folder) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            stream.forEach(files::add);
        }
        files.sort(Comparator.naturalOrder());
        return files;
    }

    static void deleteRecursively(Path folder) {
        Objects.requireNonNull(folder, "folder");
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // best effort: the export already failed or finished; a leftover hidden staging folder is harmless
        }
    }
}
