package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stop coordination on its own instance: when a stop exits at once, when it waits, what it leaves behind. */
class ExportStopTest {
    @TempDir
    Path folder;

    private List<String> names(Path directory) throws IOException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void withNoStepUnderWayAStopExitsAtOnceAndDiscardsTheUnpublishedExports() throws IOException {
        ExportStop stop = new ExportStop();
        Path existing = Files.createDirectories(folder.resolve("existing"));
        Files.writeString(existing.resolve("model.onnx"), "previous");
        try (OutputFolder fresh = OutputFolder.prepare(folder.resolve("new/out"), OutputFolder.Moves.ATOMIC, stop);
             OutputFolder old = OutputFolder.prepare(existing, OutputFolder.Moves.ATOMIC, stop)) {
            Files.writeString(fresh.staging().resolve("model.onnx"), "unfinished");
            ExportStop.Decision decision = stop.requestStop(StopSignal.SIGTERM);
            assertTrue(decision.exitNow());
            assertEquals("nothing was written to " + fresh.target() + "; " + old.target()
                    + " keeps its previous export unchanged", decision.outcome());
            assertEquals(List.of("existing"), names(folder), "the staging folder and the parent it created are gone");
            assertEquals(List.of("model.onnx"), names(existing));
            ExportInterruptedException refused = assertThrows(ExportInterruptedException.class, fresh::publish);
            assertEquals(StopSignal.SIGTERM, refused.signal());
        }
        assertEquals(List.of("existing"), names(folder));
        assertEquals(new ExportStop.Decision(true, ""), new ExportStop().requestStop(StopSignal.SIGINT));
    }

    @Test
    void aStopDuringAStepWaitsForItAndStopsTheThreadAtItsEnd() {
        ExportStop stop = new ExportStop();
        List<String> done = new java.util.ArrayList<>();
        ExportInterruptedException stopped = assertThrows(ExportInterruptedException.class,
                () -> stop.during(ExportStop.Step.VALIDATION, () -> {
                    ExportStop.Decision decision = stop.requestStop(StopSignal.SIGINT);
                    assertFalse(decision.exitNow());
                    assertEquals("stopping once the validation in ONNX Runtime under way returns", decision.outcome());
                    // a second signal while waiting changes nothing
                    assertFalse(stop.requestStop(StopSignal.SIGTERM).exitNow());
                    done.add("the step ran to its end");
                    return null;
                }));
        assertEquals(List.of("the step ran to its end"), done);
        assertEquals(StopSignal.SIGINT, stopped.signal());
        assertEquals(130, stopped.signal().exitCode());
        assertEquals(Optional.of(StopSignal.SIGINT), stop.requested());
        assertThrows(ExportInterruptedException.class, () -> stop.during(ExportStop.Step.PUBLISHING, () -> {
            done.add("a step started after the stop");
            return null;
        }));
        assertEquals(List.of("the step ran to its end"), done);
        assertTrue(stop.requestStop(StopSignal.SIGINT).exitNow(), "once the step is over, nothing holds the exit");
    }

    @Test
    void aStopDuringPublishingLetsThePublishCompleteAndSaysSo() throws IOException {
        ExportStop stop = new ExportStop();
        Path target = folder.resolve("out");
        OutputFolder.Moves stopMidway = (from, to) -> {
            assertFalse(stop.requestStop(StopSignal.SIGTERM).exitNow());
            OutputFolder.Moves.ATOMIC.move(from, to);
        };
        try (OutputFolder output = OutputFolder.prepare(target, stopMidway, stop)) {
            Files.writeString(output.staging().resolve("model.onnx"), "new");
            assertThrows(ExportInterruptedException.class, output::publish);
            assertEquals(target.toRealPath() + " holds the complete new export", output.outcome());
        }
        assertEquals("new", Files.readString(target.resolve("model.onnx")));
        assertEquals(List.of("out"), names(folder));
    }

    @Test
    void anExportPreparedAfterAStopIsRefusedAndCreatesNothing() throws IOException {
        ExportStop stop = new ExportStop();
        assertTrue(stop.requestStop(StopSignal.SIGTERM).exitNow());
        Path existing = Files.createDirectories(folder.resolve("existing"));
        ExportInterruptedException intoExisting = assertThrows(ExportInterruptedException.class,
                () -> OutputFolder.prepare(existing, OutputFolder.Moves.ATOMIC, stop));
        assertEquals("stopped by SIGTERM: " + existing.toRealPath() + " keeps its previous export unchanged",
                intoExisting.getMessage());
        ExportInterruptedException intoNew = assertThrows(ExportInterruptedException.class,
                () -> OutputFolder.prepare(folder.resolve("new/out"), OutputFolder.Moves.ATOMIC, stop));
        assertEquals("stopped by SIGTERM: nothing was written to " + folder.toRealPath().resolve("new/out"),
                intoNew.getMessage());
        assertEquals(List.of("existing"), names(folder));
        assertEquals(List.of(), names(existing));
    }

    @Test
    void exitCodesAreTheShellsForTheSignal() {
        assertEquals(143, StopSignal.SIGTERM.exitCode());
        assertEquals(130, StopSignal.SIGINT.exitCode());
        assertEquals("TERM", StopSignal.SIGTERM.shortName());
    }
}
