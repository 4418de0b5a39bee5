package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 items 4 and 6: SIGTERM or Ctrl-C during an export, in a child JVM running the CLI. ONNX Runtime's own
 * shutdown hook frees its environment, so an exit while the validation session is created or run used to crash the
 * JVM (SIGSEGV, exit 134, an hs_err file). Each run ends with the signal's exit code, one line saying what the
 * output folder holds, no staging folder and no crash report. The waits are bounds against a hang, not timings.
 */
class StopSignalsTest {
    private static final long BOUND_SECONDS = 120;
    private static final Path PERL = Path.of("/usr/bin/perl");

    @TempDir
    Path folder;

    private record Stopped(int exitCode, String err, List<String> crashReports) {}

    /** Starts the CLI in a child JVM, sends {@code signal} once it reports {@code moment}, waits for its exit. */
    private Stopped stopAt(String moment, String signal, Path output, String... cliArgs) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path crashes = Files.createDirectories(folder.resolve("crashes"));
        List<String> command = new java.util.ArrayList<>();
        // a process started in the background by a non-interactive shell (`cmd &`, nohup) inherits SIGINT ignored,
        // and the JVM then installs no handler for it: the child's SIGINT and SIGTERM are reset to their defaults
        // first (perl can; a shell cannot reset what it inherited ignored), so the test means the same wherever it runs
        assumeTrue(Files.isExecutable(PERL), PERL + " resets the child's signals; it is part of every Debian system");
        command.addAll(List.of(PERL.toString(), "-e", "$SIG{INT} = 'DEFAULT'; $SIG{TERM} = 'DEFAULT'; exec @ARGV or "
                + "die \"exec: $!\""));
        command.addAll(List.of(java.toString(), "-Xmx512m",
                "-XX:ErrorFile=" + crashes.resolve("hs_err_%p.log"), "-cp", System.getProperty("java.class.path"),
                "org.exporters4j.export.StopSignalChild", moment, output.toString()));
        command.addAll(List.of(cliArgs));
        Process child = new ProcessBuilder(command).start();
        // the signal is sent by a shell started now and waiting for one line: forking `kill` only after READY took
        // longer, on a loaded machine, than the rest of a small export, which then finished before the signal came
        Process killer = new ProcessBuilder("sh", "-c", "read go && exec kill -" + signal + " " + child.pid())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(child.getErrorStream()));
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(BOUND_SECONDS, TimeUnit.SECONDS);
            assertEquals("READY", ready, () -> "the child ended before the " + moment + ": " + err.join());
            killer.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            killer.getOutputStream().flush();
            assertTrue(killer.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "kill -" + signal + " did not return");
            assertTrue(child.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "the child did not exit after SIG" + signal);
            try (Stream<Path> reports = Files.list(crashes)) {
                return new Stopped(child.exitValue(), err.get(BOUND_SECONDS, TimeUnit.SECONDS),
                        reports.map(path -> path.getFileName().toString()).toList());
            }
        } finally {
            killer.destroyForcibly();
            child.destroyForcibly();
        }
    }

    private static String readAll(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private Path checkpoint(String fixture) throws IOException {
        return ExportOnnxFixturesTest.copyCheckpoint(Fixture.read(SharedFiles.fixtures().resolve(fixture)),
                "model.safetensors", folder.resolve(fixture));
    }

    private List<String> names(Path directory) throws IOException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void sigtermDuringValidationExitsWith143AndLeavesNothing() throws Exception {
        Path output = folder.resolve("out");
        Stopped stopped = stopAt("validation", "TERM", output, "export", "onnx", "--model",
                checkpoint("bert--sequence-classification").toString(), output.toString());
        assertEquals(List.of(), stopped.crashReports(), stopped.err());
        assertEquals(143, stopped.exitCode(), stopped.err());
        assertEquals("stopped by SIGTERM: nothing was written to " + folder.toRealPath().resolve("out"),
                stopped.err().strip(), "one line, no stack trace");
        assertEquals(List.of("bert--sequence-classification", "crashes"), names(folder));
    }

    @Test
    void ctrlCWhileStagingExitsWith130AndKeepsThePreviousExport() throws Exception {
        Path output = Files.createDirectories(folder.resolve("out"));
        Files.writeString(output.resolve("model.onnx"), "previous");
        Files.writeString(output.resolve("notes.txt"), "mine");
        Stopped stopped = stopAt("staging", "INT", output, "export", "onnx", "--model",
                checkpoint("bert--default").toString(), output.toString());
        assertEquals(List.of(), stopped.crashReports(), stopped.err());
        assertEquals(130, stopped.exitCode(), stopped.err());
        assertEquals("stopped by SIGINT: " + output.toRealPath() + " keeps its previous export unchanged",
                stopped.err().strip(), "one line, no stack trace");
        assertEquals(List.of("model.onnx", "notes.txt"), names(output));
        assertEquals("previous", Files.readString(output.resolve("model.onnx")));
    }
}
