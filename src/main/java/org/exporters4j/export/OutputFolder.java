package org.exporters4j.export;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.exporters4j.FileFailureReason;
import org.exporters4j.hub.ExportFiles;

/**
 * The output folder of one export, written through a staging folder {@code .<name>.partial-*} on the output's own
 * file system: beside the output when it does not exist yet (publishing is then one rename of the whole folder),
 * inside it when it exists (it may be a mount point, which no rename beside it can replace). Only a complete, validated
 * export is moved into place.
 *
 * <p>Contracts:
 * <ul>
 *   <li>the output is located by its real path (symbolic links resolved), and everything lands there;</li>
 *   <li>a failed, stopped or unpublished export removes its staging folder, and of the parent folders it created only
 *       those that are still the ones it created and hold nothing else;</li>
 *   <li>publishing into an existing folder renames on one file system only, never copies: the earlier export's files
 *       are first moved aside into the staging folder, then the new ones in; a failed rename puts everything back,
 *       and if even that fails, the error lists what the folder holds and where the rest is; the files of the earlier
 *       export the new one does not write are removed and named ({@link Published#removedFiles()});</li>
 *   <li>publishing is an {@link ExportStop} step, and the JVM shutdown hook that discards an unpublished staging
 *       folder waits for a publish under way: a stop never cuts it;</li>
 *   <li>a staging folder records its owner ({@link StagingOwner}); preparing removes the staging folders, beside and
 *       inside the output, whose owner is provably dead, and names them ({@link #removedStaging()}).</li>
 * </ul>
 *
 * <p>{@link #close()} discards the staging folder if it was not published; it is idempotent.
 */
final class OutputFolder implements AutoCloseable {
    /**
     * Files an export owns in its output folder: the model, its external data, config.json and every tokenizer,
     * processor and generation file an export may copy (hub.ExportFiles.COMPANION_FILES). A new export into the same
     * folder replaces them, and removes those it does not write, so no file of an earlier model (say, its
     * tokenizer.json beside a new model's vocab.txt) is left beside the new one.
     */
    private static final List<String> OWNED_FILES = ownedFiles();
    /** The folder inside the staging folder that holds the earlier export's files while publishing. */
    private static final String PREVIOUS = ".previous";
    private static final String STAGING_INFIX = ".partial-";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** How a file or folder is renamed; tests inject failures (a full disk, a rename across file systems). */
    @FunctionalInterface
    interface Moves {
        /** Renames {@code from} to {@code to}, which does not exist, atomically; never copies. */
        void move(Path from, Path to) throws IOException;

        Moves ATOMIC = (from, to) -> Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A folder this export created, with its file key (device and inode), so that a folder removed and created again
     * by someone else meanwhile is not taken for it.
     */
    private record CreatedFolder(Path path, Object fileKey) {}

    /** A killed export's staging folder removed before this export started, and the bytes it held. */
    record RemovedStaging(Path folder, long bytes) {
        RemovedStaging {
            Objects.requireNonNull(folder, "folder");
        }
    }

    /**
     * A completed publish.
     *
     * @param removedFiles files of an earlier export in the output folder that the new export does not write, now
     *     removed, sorted
     */
    record Published(List<String> removedFiles) {
        Published {
            removedFiles = List.copyOf(removedFiles);
        }
    }

    private enum State {
        /** Writing into the staging folder. */
        STAGING,
        /** Renaming into the output folder; a stop or the shutdown hook waits. */
        PUBLISHING,
        PUBLISHED,
        /** The staging folder was removed (failure, close without publishing, stop). */
        DISCARDED,
        /** A publish failed and could not be undone: the staging folder holds files that are kept. */
        KEPT
    }

    private static List<String> ownedFiles() {
        // onnx/: the model folder of the transformers.js layout (Layout.TRANSFORMERS_JS), replaced as a whole
        List<String> owned = new ArrayList<>(List.of("model.onnx", "model.onnx_data", "config.json", "onnx"));
        owned.addAll(ExportFiles.COMPANION_FILES);
        return List.copyOf(owned);
    }

    private final Path target;
    private final boolean targetExisted;
    private final Path staging;
    private final List<CreatedFolder> createdParents;
    private final List<RemovedStaging> removedStaging;
    private final Moves moves;
    private final ExportStop stop;
    /** Discards the staging folder if the JVM stops (Ctrl-C, kill) before the export is published. */
    private final Thread discardOnExit;
    /** Guarded by this. */
    private State state = State.STAGING;

    private OutputFolder(Path target, boolean targetExisted, Path staging, List<CreatedFolder> createdParents,
                         List<RemovedStaging> removedStaging, Moves moves, ExportStop stop) {
        this.target = target;
        this.targetExisted = targetExisted;
        this.staging = staging;
        this.createdParents = List.copyOf(createdParents);
        this.removedStaging = List.copyOf(removedStaging);
        this.moves = moves;
        this.stop = stop;
        this.discardOnExit = new Thread(this::discardForExit, "exporters4j-staging-cleanup");
        Runtime.getRuntime().addShutdownHook(discardOnExit);
        stop.opened(this);
    }

    /**
     * Creates the staging folder for {@code target}; an output that is a file, or a parent that cannot be created
     * or written, is an error naming it.
     */
    static OutputFolder prepare(Path target) {
        return prepare(target, Moves.ATOMIC, ExportStop.JVM);
    }

    /**
     * As {@link #prepare(Path)}, with the renames and the stop coordination given. Preparing is an
     * {@link ExportStop} step: a stop requested meanwhile finds the staging folder registered and removes it.
     */
    static OutputFolder prepare(Path target, Moves moves, ExportStop stop) {
        List<OutputFolder> prepared = new ArrayList<>(1);
        try {
            return stop.during(ExportStop.Step.PREPARING, () -> {
                OutputFolder folder = prepareNow(target, moves, stop);
                prepared.add(folder);
                return folder;
            });
        } catch (ExportInterruptedException e) {
            String outcome;
            if (prepared.isEmpty()) {
                Path location = realLocation(target);
                outcome = Files.isDirectory(location) ? location + " keeps its previous export unchanged"
                        : "nothing was written to " + location;
            } else {
                prepared.get(0).close();
                outcome = prepared.get(0).outcome();
            }
            throw new ExportInterruptedException(e.signal(), "stopped by " + e.signal() + ": " + outcome);
        }
    }

    private static OutputFolder prepareNow(Path target, Moves moves, ExportStop stop) {
        Path absolute = target.toAbsolutePath().normalize();
        if (absolute.getParent() == null) {
            throw new ExportException("the output folder cannot be the file-system root; pass a folder such as out/model");
        }
        if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
            throw new ExportException("the output " + absolute + " is a file, not a folder; pass a folder path "
                    + "(model.onnx and the tokenizer files are written into it)");
        }
        if (Files.isSymbolicLink(absolute) && !Files.exists(absolute)) {
            throw new ExportException("the output " + absolute + " is a symbolic link to a missing folder; create "
                    + "the folder it points to, or pass another output folder");
        }
        Path location = realLocation(absolute);
        boolean existed = Files.isDirectory(location);
        List<CreatedFolder> created = new ArrayList<>();
        try {
            if (!existed) {
                createParents(location, created);
            }
            List<RemovedStaging> removed = new ArrayList<>(removeDeadStaging(location.getParent()));
            if (existed) {
                removed.addAll(removeDeadStaging(location));
            }
            Path staging = createStaging(existed ? location : location.getParent(),
                    location.getFileName().toString());
            try {
                return new OutputFolder(location, existed, staging, created, removed, moves, stop);
            } catch (IllegalStateException shuttingDown) {
                deleteRecursively(staging);
                removeCreated(created);
                throw new ExportException("the JVM is stopping; nothing was written to " + location, shuttingDown);
            }
        } catch (IOException e) {
            removeCreated(created);
            throw cannotCreate(location, e);
        }
    }

    /**
     * The real path {@code path} has or will have: the real path of its deepest existing ancestor (symbolic links
     * resolved) with the missing names appended. Two paths naming the same folder through different links have the
     * same real location.
     */
    static Path realLocation(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
        } catch (IOException e) {
            return absolute;
        }
    }

    /** Creates the missing parents of {@code location} one by one, recording each one this call created. */
    private static void createParents(Path location, List<CreatedFolder> created) throws IOException {
        List<Path> missing = new ArrayList<>();
        Path ancestor = location.getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            missing.add(ancestor);
            ancestor = ancestor.getParent();
        }
        if (ancestor != null && !Files.isDirectory(ancestor)) {
            throw new FileAlreadyExistsException(ancestor.toString());
        }
        Collections.reverse(missing);
        for (Path folder : missing) {
            try {
                Files.createDirectory(folder);
                created.add(new CreatedFolder(folder, fileKey(folder)));
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(folder)) {
                    throw e;
                }
                // created by someone else meanwhile: theirs, not this export's
            }
        }
    }

    private static Object fileKey(Path folder) throws IOException {
        return Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /**
     * Removes the folders this export created, innermost first, while each is still the folder it created (same
     * file key) and empty; stops at the first that is not (its parents then hold it).
     */
    private static void removeCreated(List<CreatedFolder> created) {
        for (int index = created.size() - 1; index >= 0; index--) {
            CreatedFolder folder = created.get(index);
            try {
                if (!Files.isDirectory(folder.path(), LinkOption.NOFOLLOW_LINKS)
                        || !Objects.equals(fileKey(folder.path()), folder.fileKey())) {
                    return;
                }
                Files.delete(folder.path());
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (IOException e) {
                return;
            }
        }
    }

    /**
     * Removes the staging folders {@code .<name>.partial-*} directly in {@code folder} whose owner record proves the
     * export that made them dead; returns those removed.
     */
    private static List<RemovedStaging> removeDeadStaging(Path folder) {
        List<RemovedStaging> removed = new ArrayList<>();
        if (folder == null || !Files.isDirectory(folder)) {
            return removed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, ".*" + STAGING_INFIX + "*")) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        && StagingOwner.readFrom(entry).filter(StagingOwner::provablyDead).isPresent()) {
                    long bytes = size(entry);
                    deleteRecursively(entry);
                    if (!Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
                        removed.add(new RemovedStaging(entry, bytes));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a folder this export cannot list or clean is left as it is
        }
        removed.sort(Comparator.comparing(RemovedStaging::folder));
        return removed;
    }

    private static long size(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            return paths.filter(path -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)).mapToLong(path -> {
                try {
                    return Files.size(path);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * {@code .<name>.partial-<random>} with its owner record, created with the default permissions
     * (createTempDirectory's are owner-only).
     */
    private static Path createStaging(Path parent, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = parent.resolve("." + name + STAGING_INFIX
                    + Long.toUnsignedString(RANDOM.nextLong(), 36));
            Path staging;
            try {
                staging = Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100 || !Files.exists(candidate)) {
                    throw e;
                }
                continue;
            }
            try {
                StagingOwner.current(StagingOwner.Phase.WRITING).writeInto(staging);
            } catch (IOException | RuntimeException e) {
                deleteRecursively(staging);
                throw e;
            }
            return staging;
        }
    }

    private static ExportException cannotCreate(Path target, IOException e) {
        Path parent = target.getParent();
        if (e instanceof FileAlreadyExistsException) {
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
        return new ExportException("cannot write into " + parent + " (" + FileFailureReason.of(e) + "); choose an output "
                + "folder you can write to", e);
    }

    /** The folder to write into until {@link #publish()}. */
    Path staging() {
        return staging;
    }

    /**
     * The folder {@code relative} of the staging folder ({@code ""}: the staging folder), created when missing. Only
     * while staging: once a stop or the shutdown hook has discarded the staging folder, nothing may bring it back as
     * a folder no export owns, so writers are given folders that exist and never create them.
     *
     * @throws ExportException when the export was already discarded
     */
    synchronized Path stagedFolder(String relative) {
        if (state != State.STAGING) {
            throw new ExportException("cannot write into " + target + ": the export was already "
                    + state.name().toLowerCase(Locale.ROOT) + " (the JVM is stopping); " + outcome());
        }
        Path folder = staging.resolve(relative).normalize();
        if (!folder.startsWith(staging)) {
            throw new IllegalArgumentException("a staged folder must lie inside the staging folder, got " + relative);
        }
        try {
            return Files.createDirectories(folder);
        } catch (IOException e) {
            throw new ExportException("cannot create " + folder + " in the export's staging folder: " + e.getMessage()
                    + "; check that " + staging.getParent() + " is writable and has free space", e);
        }
    }

    /** The final output folder, by its real path. */
    Path target() {
        return target;
    }

    /** Staging folders of killed exports that preparing removed. */
    List<RemovedStaging> removedStaging() {
        return removedStaging;
    }

    /**
     * Moves the staged files into the output folder (see the class comment), as an {@link ExportStop} step: a stop
     * requested meanwhile takes effect once the output holds the complete new export.
     *
     * @throws ExportException naming what the output folder holds when a rename fails
     */
    Published publish() {
        return stop.during(ExportStop.Step.PUBLISHING, this::publishNow);
    }

    private Published publishNow() {
        synchronized (this) {
            if (state != State.STAGING) {
                throw new ExportException("cannot publish into " + target + ": the export was already "
                        + state.name().toLowerCase(Locale.ROOT) + " (the JVM is stopping); " + outcome());
            }
            state = State.PUBLISHING;
        }
        State after = State.STAGING;
        try {
            Published published = targetExisted ? swapInto() : moveIntoPlace();
            after = State.PUBLISHED;
            return published;
        } catch (KeptStaging e) {
            after = State.KEPT;
            throw e.failure;
        } finally {
            synchronized (this) {
                state = after;
                notifyAll();
            }
        }
    }

    /** A publish that failed and could not be undone: the staging folder must be kept. */
    private static final class KeptStaging extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ExportException failure;

        KeptStaging(ExportException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    /** A new output: the staging folder becomes it by one rename. */
    private Published moveIntoPlace() {
        try {
            Files.delete(staging.resolve(StagingOwner.FILE_NAME));
        } catch (IOException e) {
            throw new ExportException("cannot publish into " + target + " (" + FileFailureReason.of(e) + " removing "
                    + staging.resolve(StagingOwner.FILE_NAME) + "); nothing was written to " + target, e);
        }
        try {
            moves.move(staging, target);
            return new Published(List.of());
        } catch (IOException e) {
            restoreOwnerRecord();
            if (Files.isDirectory(target)) {
                // created meanwhile (another export published it): publish into it as into any existing folder
                return swapInto();
            }
            throw new ExportException("cannot move the export into " + target + " (" + FileFailureReason.of(e)
                    + "); nothing was written to " + target + "; check the output folder's permissions and free "
                    + "space", e);
        }
    }

    private void restoreOwnerRecord() {
        try {
            StagingOwner.current(StagingOwner.Phase.WRITING).writeInto(staging);
        } catch (IOException | RuntimeException e) {
            // the staging folder is discarded by close(); without its record a later export would only keep it
        }
    }

    /**
     * An existing output: its earlier export's files are moved aside into {@code staging/.previous}, the new files
     * in; on a failure every rename done is undone in reverse.
     */
    private Published swapInto() {
        List<Path> newFiles;
        Path previous;
        try {
            newFiles = list(staging).stream()
                    .filter(file -> !file.getFileName().toString().startsWith(StagingOwner.FILE_NAME)).toList();
            StagingOwner.current(StagingOwner.Phase.PUBLISHING).writeInto(staging);
            previous = Files.createDirectory(staging.resolve(PREVIOUS));
        } catch (IOException e) {
            throw new ExportException("cannot publish into " + target + " (" + FileFailureReason.of(e) + " in " + staging
                    + "); " + target + " keeps its previous export unchanged; check its free space and permissions",
                    e);
        }
        List<String> aside = new ArrayList<>();
        List<String> placed = new ArrayList<>();
        try {
            for (String owned : OWNED_FILES) {
                if (Files.exists(target.resolve(owned), LinkOption.NOFOLLOW_LINKS)) {
                    moves.move(target.resolve(owned), previous.resolve(owned));
                    aside.add(owned);
                }
            }
            for (Path file : newFiles) {
                String name = file.getFileName().toString();
                moves.move(file, target.resolve(name));
                placed.add(name);
            }
        } catch (IOException e) {
            throw undo(e, aside, placed, previous);
        }
        restoreOwnerRecord();
        Set<String> written = new TreeSet<>(placed);
        List<String> removed = aside.stream().filter(name -> !written.contains(name)).sorted().toList();
        deleteRecursively(staging);
        return new Published(removed);
    }

    /** Undoes a partial publish: the new files back into staging, the earlier ones back into the output. */
    private RuntimeException undo(IOException failure, List<String> aside, List<String> placed, Path previous) {
        String what = "cannot publish into " + target + " (" + FileFailureReason.of(failure) + ")";
        Set<String> newInTarget = new LinkedHashSet<>(placed);
        Set<String> previousAside = new LinkedHashSet<>(aside);
        try {
            for (int index = placed.size() - 1; index >= 0; index--) {
                String name = placed.get(index);
                moves.move(target.resolve(name), staging.resolve(name));
                newInTarget.remove(name);
            }
            for (int index = aside.size() - 1; index >= 0; index--) {
                String name = aside.get(index);
                moves.move(previous.resolve(name), target.resolve(name));
                previousAside.remove(name);
            }
        } catch (IOException undoFailure) {
            ExportException kept = new ExportException(what + ", and putting the previous export back failed ("
                    + FileFailureReason.of(undoFailure) + "): " + target + " now holds the new " + namesOrNone(newInTarget)
                    + " beside the previous export's other files; the previous " + namesOrNone(previousAside)
                    + " are in " + previous + " and the rest of the new export in " + staging
                    + "; move them back by hand", failure);
            return new KeptStaging(kept);
        }
        restoreOwnerRecord();
        return new ExportException(what + "; " + target + " keeps its previous export unchanged ("
                + (aside.isEmpty() ? "it held none" : String.join(", ", aside)) + "); check its free space and "
                + "permissions", failure);
    }

    private static String namesOrNone(Set<String> names) {
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }

    /** What the output folder holds, as a clause for a message. */
    synchronized String outcome() {
        return switch (state) {
            case PUBLISHED -> target + " holds the complete new export";
            case KEPT -> target + " holds part of the new export (see the publish error); the rest is in " + staging;
            case STAGING, PUBLISHING, DISCARDED -> targetExisted
                    ? target + " keeps its previous export unchanged"
                    : "nothing was written to " + target;
        };
    }

    /**
     * Discards the staging folder unless it was published, waiting first for a publish under way; returns
     * {@link #outcome()}. Run by the shutdown hook and by {@link ExportStop#request}.
     */
    synchronized String discardForExit() {
        boolean interrupted = false;
        while (state == State.PUBLISHING) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        discardIfStaging();
        return outcome();
    }

    private synchronized void discardIfStaging() {
        if (state == State.STAGING) {
            deleteRecursively(staging);
            removeCreated(createdParents);
            state = State.DISCARDED;
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(discardOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already stopping: the hook runs (or ran) and discards the staging folder
        }
        stop.closed(this);
        discardIfStaging();
    }

    private static List<Path> list(Path folder) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            stream.forEach(files::add);
        }
        files.sort(Comparator.naturalOrder());
        return files;
    }

    /** Removes {@code folder} and everything in it, best effort (see {@link #removeTree} for the strict removal). */
    static void deleteRecursively(Path folder) {
        try {
            removeTree(folder, Removal.FILES);
        } catch (IOException | RuntimeException e) {
            // best effort: the export already failed or finished; a leftover hidden staging folder is harmless
        }
    }

    /** How a file or an empty folder is removed; tests inject failures (a file another process holds). */
    @FunctionalInterface
    interface Removal {
        /** Removes {@code path} if it exists. */
        void remove(Path path) throws IOException;

        Removal FILES = Files::deleteIfExists;
    }

    /** Removes {@code folder} and everything in it (links are removed, not followed); nothing when it is absent. */
    static void removeTree(Path folder, Removal removal) throws IOException {
        Objects.requireNonNull(folder, "folder");
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                removal.remove(path);
            }
        }
    }
}
