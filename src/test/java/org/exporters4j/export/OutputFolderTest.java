package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

    /** A writer that runs after the shutdown hook discarded the staging folder must not bring it back. */
    @Test
    void aDiscardedStagingFolderIsNeverRecreatedForAWriter() throws IOException {
        Path target = folder.resolve("out");
        try (OutputFolder output = OutputFolder.prepare(target)) {
            Path onnx = output.stagedFolder("onnx");
            assertEquals(output.staging().resolve("onnx"), onnx);
            assertTrue(Files.isDirectory(onnx));
            assertEquals(output.staging(), output.stagedFolder(""));
            assertThrows(IllegalArgumentException.class, () -> output.stagedFolder("../elsewhere"));
            assertEquals("nothing was written to " + output.target(), output.discardForExit());
            ExportException late = assertThrows(ExportException.class, () -> output.stagedFolder("onnx"));
            assertTrue(late.getMessage().startsWith("cannot write into "), late.getMessage());
            assertTrue(late.getMessage().contains("the export was already discarded"), late.getMessage());
            assertFalse(Files.exists(output.staging()));
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

    /** Every regular file under {@code root} (hidden ones too) by relative path, with its content. */
    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(path).toString(), Files.readString(path));
            }
        }
        return files;
    }

    /** An earlier export's files and one of the user's in {@code target}. */
    private static void writePreviousExport(Path target) throws IOException {
        Files.createDirectories(target);
        Files.writeString(target.resolve("model.onnx"), "old model");
        Files.writeString(target.resolve("config.json"), "old config");
        Files.writeString(target.resolve("tokenizer.json"), "old tokenizer");
        Files.writeString(target.resolve("notes.txt"), "mine");
    }

    private static void stageNewExport(OutputFolder output) throws IOException {
        Files.writeString(output.staging().resolve("model.onnx"), "new model");
        Files.writeString(output.staging().resolve("config.json"), "new config");
        Files.writeString(output.staging().resolve("vocab.txt"), "new vocab");
    }

    /** Item 1: a failed export removes only the parents it created, and only while they hold nothing else. */
    @Test
    void aFailedExportKeepsAParentItCreatedOnceOthersPutFilesInIt() throws IOException {
        Path parent = folder.resolve("P");
        try (OutputFolder a = OutputFolder.prepare(parent.resolve("a"))) {
            Files.writeString(a.staging().resolve("model.onnx"), "a, never validated");
            try (OutputFolder b = OutputFolder.prepare(parent.resolve("b"))) {
                Files.writeString(b.staging().resolve("model.onnx"), "b");
                b.publish();
            }
            Files.writeString(parent.resolve("notes.txt"), "the user's");
        } // a fails: closed unpublished
        assertEquals(List.of("b", "notes.txt"), names(parent));
        assertEquals("b", Files.readString(parent.resolve("b/model.onnx")));
        assertEquals("the user's", Files.readString(parent.resolve("notes.txt")));
    }

    @Test
    void aParentReplacedMeanwhileIsNotTakenForTheOneTheExportCreated() throws IOException {
        Path parent = folder.resolve("P");
        try (OutputFolder output = OutputFolder.prepare(parent.resolve("out"))) {
            // someone moves the folder the export created away and makes their own (empty, for now) in its place
            Files.move(parent, folder.resolve("P-moved"));
            Files.createDirectory(parent);
        }
        assertTrue(Files.isDirectory(parent), "a folder the export did not create must stay");
        assertEquals(List.of(), names(parent));
    }

    /** Item 2: the real location resolves symbolic links to the folder and to its parents. */
    @Test
    void aSymbolicLinkHasTheRealLocationOfItsTarget() throws IOException {
        Path checkpoint = Files.createDirectories(folder.resolve("models/bert"));
        Path linkToFolder = Files.createSymbolicLink(folder.resolve("link"), checkpoint);
        Path linkToParent = Files.createSymbolicLink(folder.resolve("parent-link"), folder.resolve("models"));
        Path real = checkpoint.toRealPath();
        assertEquals(real, OutputFolder.realLocation(linkToFolder));
        assertEquals(real, OutputFolder.realLocation(linkToParent.resolve("bert")));
        assertEquals(real, OutputFolder.realLocation(linkToParent.resolve("x/../bert")));
        assertEquals(real.resolve("onnx/new"), OutputFolder.realLocation(linkToFolder.resolve("onnx/new")));
    }

    @Test
    void anOutputThatIsASymbolicLinkIsPublishedIntoTheFolderItNames() throws IOException {
        Path real = folder.resolve("volume/out");
        writePreviousExport(real);
        Path link = Files.createSymbolicLink(folder.resolve("out"), real);
        try (OutputFolder output = OutputFolder.prepare(link)) {
            assertEquals(real.toRealPath(), output.target());
            stageNewExport(output);
            output.publish();
        }
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals("new model", Files.readString(real.resolve("model.onnx")));
        assertEquals(List.of("config.json", "model.onnx", "notes.txt", "vocab.txt"), names(real));
    }

    /**
     * Item 3: an existing output (a mounted volume, say) is staged inside itself, on its own file system, and
     * published by renames only; the earlier export's files it does not write are named.
     */
    @Test
    void anExistingOutputIsStagedInsideItselfAndTheRemovedFilesAreNamed() throws IOException {
        Path target = folder.resolve("out");
        writePreviousExport(target);
        List<String> moved = new ArrayList<>();
        OutputFolder.Moves recording = (from, to) -> {
            assertTrue(from.startsWith(target) && to.startsWith(target),
                    "every rename stays inside the output folder, on its file system: " + from + " -> " + to);
            moved.add(target.relativize(from) + " -> " + target.relativize(to));
            OutputFolder.Moves.ATOMIC.move(from, to);
        };
        try (OutputFolder output = OutputFolder.prepare(target, recording, new ExportStop())) {
            assertEquals(target, output.staging().getParent());
            stageNewExport(output);
            OutputFolder.Published published = output.publish();
            assertEquals(List.of("tokenizer.json"), published.removedFiles());
        }
        assertEquals(Map.of("config.json", "new config", "model.onnx", "new model", "notes.txt", "mine",
                "vocab.txt", "new vocab"), contents(target));
        assertEquals(6, moved.size(), moved.toString());
    }

    /**
     * Item 3: a rename that fails halfway (a full disk, or a rename the file system refuses as across devices) puts
     * the previous export back: the folder never holds a mix, and the error says what it holds.
     */
    @Test
    void aPublishThatFailsHalfwayLeavesThePreviousExportAsItWas() throws IOException {
        Path target = folder.resolve("out");
        writePreviousExport(target);
        Map<String, String> before = contents(target);
        AtomicInteger moves = new AtomicInteger();
        OutputFolder.Moves failingFifth = (from, to) -> {
            if (moves.incrementAndGet() == 5) {
                throw new AtomicMoveNotSupportedException(from.toString(), to.toString(), "Invalid cross-device link");
            }
            OutputFolder.Moves.ATOMIC.move(from, to);
        };
        try (OutputFolder output = OutputFolder.prepare(target, failingFifth, new ExportStop())) {
            stageNewExport(output);
            ExportException failed = assertThrows(ExportException.class, output::publish);
            assertTrue(failed.getMessage().contains("invalid cross-device link")
                    && failed.getMessage().contains(target + " keeps its previous export unchanged "
                            + "(model.onnx, config.json, tokenizer.json)"), failed.getMessage());
        }
        assertEquals(before, contents(target), "nothing lost, nothing new, no staging folder left");
    }

    @Test
    void aPublishThatCannotBeUndoneSaysWhereEveryFileIsAndLosesNone() throws IOException {
        Path target = folder.resolve("out");
        writePreviousExport(target);
        AtomicInteger moves = new AtomicInteger();
        OutputFolder.Moves failingFromTheFifth = (from, to) -> {
            if (moves.incrementAndGet() >= 5) {
                throw new IOException("No space left on device");
            }
            OutputFolder.Moves.ATOMIC.move(from, to);
        };
        Path staging;
        try (OutputFolder output = OutputFolder.prepare(target, failingFromTheFifth, new ExportStop())) {
            staging = output.staging();
            stageNewExport(output);
            ExportException failed = assertThrows(ExportException.class, output::publish);
            assertTrue(failed.getMessage().contains(target + " now holds the new config.json beside the previous "
                    + "export's other files; the previous model.onnx, config.json, tokenizer.json are in "
                    + staging.resolve(".previous") + " and the rest of the new export in " + staging),
                    failed.getMessage());
        }
        Map<String, String> after = contents(target);
        String stagingName = staging.getFileName().toString();
        assertEquals("new config", after.get("config.json"));
        assertEquals("old model", after.get(stagingName + "/.previous/model.onnx"));
        assertEquals("old config", after.get(stagingName + "/.previous/config.json"));
        assertEquals("old tokenizer", after.get(stagingName + "/.previous/tokenizer.json"));
        assertEquals("new model", after.get(stagingName + "/model.onnx"));
        assertEquals("new vocab", after.get(stagingName + "/vocab.txt"));
        assertEquals("mine", after.get("notes.txt"));
    }

    /** Item 4: the shutdown hook waits for a publish under way instead of deleting files from under it. */
    @Test
    void theShutdownCleanupWaitsForAPublishUnderWay() throws Exception {
        Path target = folder.resolve("out");
        writePreviousExport(target);
        CountDownLatch publishing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger moves = new AtomicInteger();
        OutputFolder.Moves pausing = (from, to) -> {
            if (moves.incrementAndGet() == 4) {
                publishing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            OutputFolder.Moves.ATOMIC.move(from, to);
        };
        try (OutputFolder output = OutputFolder.prepare(target, pausing, new ExportStop())) {
            stageNewExport(output);
            Thread publisher = new Thread(output::publish);
            publisher.start();
            publishing.await();
            AtomicReference<String> outcome = new AtomicReference<>();
            Thread hook = new Thread(() -> outcome.set(output.discardForExit()));
            hook.start();
            while (hook.getState() != Thread.State.WAITING && hook.isAlive()) {
                Thread.onSpinWait();
            }
            assertTrue(hook.isAlive(), "the cleanup must wait for the publish");
            release.countDown();
            publisher.join();
            hook.join();
            assertEquals(target + " holds the complete new export", outcome.get());
        }
        assertEquals(Map.of("config.json", "new config", "model.onnx", "new model", "notes.txt", "mine",
                "vocab.txt", "new vocab"), contents(target));
    }

    @Test
    void aPublishAfterTheShutdownCleanupIsRefusedAndTouchesNothing() throws IOException {
        Path target = folder.resolve("out");
        writePreviousExport(target);
        Map<String, String> before = contents(target);
        try (OutputFolder output = OutputFolder.prepare(target)) {
            stageNewExport(output);
            assertEquals(target + " keeps its previous export unchanged", output.discardForExit());
            ExportException refused = assertThrows(ExportException.class, output::publish);
            assertTrue(refused.getMessage().contains("the export was already discarded"), refused.getMessage());
        }
        assertEquals(before, contents(target));
    }

    /** A process that has ended: its id names no process, or one started at another time. */
    private static StagingOwner deadOwner() throws Exception {
        Process ended = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).start();
        Optional<Instant> start = ended.info().startInstant();
        ended.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        long pid = ended.pid();
        ended.waitFor();
        return new StagingOwner(StagingOwner.localHost(), pid, start.isPresent() ? start
                : Optional.of(Instant.EPOCH), StagingOwner.Phase.WRITING);
    }

    private Path staging(String name, Optional<StagingOwner> owner) throws IOException {
        Path staging = Files.createDirectories(folder.resolve(name));
        Files.writeString(staging.resolve("model.onnx"), "killed");
        if (owner.isPresent()) {
            owner.get().writeInto(staging);
        }
        return staging;
    }

    /** Item 5: killed exports' staging folders are removed when provably dead, and only then. */
    @Test
    void stagingFoldersOfDeadExportsAreRemovedAndLiveOrUnprovenOnesKept() throws Exception {
        StagingOwner dead = deadOwner();
        assertTrue(dead.provablyDead());
        Path deadBeside = staging(".out.partial-dead1", Optional.of(dead)).toRealPath();
        Path deadOther = staging(".other.partial-dead2", Optional.of(dead)).toRealPath();
        long bytes = Files.size(deadBeside.resolve("model.onnx")) + Files.size(deadBeside.resolve(StagingOwner.FILE_NAME));
        staging(".out.partial-live", Optional.of(StagingOwner.current(StagingOwner.Phase.WRITING)));
        staging(".out.partial-norecord", Optional.empty());
        staging(".out.partial-otherhost", Optional.of(new StagingOwner("another-host-" + StagingOwner.localHost(),
                dead.pid(), dead.start(), StagingOwner.Phase.WRITING)));
        staging(".out.partial-publishing", Optional.of(new StagingOwner(dead.host(), dead.pid(), dead.start(),
                StagingOwner.Phase.PUBLISHING)));
        Files.writeString(folder.resolve(".out.partial-file"), "not a folder");
        try (OutputFolder output = OutputFolder.prepare(folder.resolve("out"))) {
            assertEquals(List.of(deadOther, deadBeside),
                    output.removedStaging().stream().map(OutputFolder.RemovedStaging::folder).toList());
            assertEquals(List.of(bytes, bytes), output.removedStaging().stream()
                    .map(OutputFolder.RemovedStaging::bytes).toList());
            Files.writeString(output.staging().resolve("model.onnx"), "new");
            output.publish();
        }
        assertEquals(List.of(".out.partial-file", ".out.partial-live", ".out.partial-norecord",
                ".out.partial-otherhost", ".out.partial-publishing", "out"), names(folder));
    }

    @Test
    void aLiveExportIntoTheSameFolderIsNeverTouched() throws IOException {
        Path target = folder.resolve("out");
        try (OutputFolder first = OutputFolder.prepare(target);
             OutputFolder second = OutputFolder.prepare(target)) {
            assertEquals(List.of(), second.removedStaging());
            assertTrue(Files.isRegularFile(first.staging().resolve(StagingOwner.FILE_NAME)));
            Files.writeString(first.staging().resolve("model.onnx"), "first");
            Files.writeString(second.staging().resolve("model.onnx"), "second");
            second.publish();
            first.publish();
        }
        assertEquals(Map.of("model.onnx", "first"), contents(target));
        assertEquals(List.of("out"), names(folder));
    }

    @Test
    void aMalformedOrOversizedOwnerRecordProvesNothing() throws IOException {
        Path staging = Files.createDirectories(folder.resolve(".out.partial-x"));
        Files.writeString(staging.resolve(StagingOwner.FILE_NAME), "host=h\npid=notanumber\nstart=\nphase=writing\n");
        assertEquals(Optional.empty(), StagingOwner.readFrom(staging));
        Files.writeString(staging.resolve(StagingOwner.FILE_NAME), "host=h\npid=1\nstart=\nphase=writing\n"
                + "x".repeat(5000));
        assertEquals(Optional.empty(), StagingOwner.readFrom(staging));
        StagingOwner written = StagingOwner.current(StagingOwner.Phase.WRITING);
        written.writeInto(staging);
        assertEquals(Optional.of(written), StagingOwner.readFrom(staging));
        assertFalse(written.provablyDead());
    }
}
