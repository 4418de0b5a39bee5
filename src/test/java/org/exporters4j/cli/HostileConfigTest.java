package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile config.json files the test builds, given to {@code config --config}: each ends in exit 1 with one line on
 * stderr naming the file and the problem, no stack trace and no "internal error".
 */
class HostileConfigTest {
    @TempDir
    Path folder;

    /** Runs {@code config --config file} and returns its one-line error after checking the contract. */
    static String refused(Path file, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "config";
        args[1] = "--config";
        args[2] = file.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        MainTest.Run run = MainTest.run(args);
        assertOneLineError(run, 1);
        return run.err().strip();
    }

    /** Exit {@code code}, nothing on stdout, one line on stderr, no stack trace, no internal error. */
    static void assertOneLineError(MainTest.Run run, int code) {
        assertEquals(code, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertFalse(run.err().contains("internal error"), run.err());
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
    }

    @Test
    void specialAndOversizedFilesAreRefusedUnread() throws Exception {
        Path dir = Files.createDirectory(folder.resolve("config.json"));
        assertEquals(dir + " is a folder; a config file must be a regular file", refused(dir));
        Path sparse = folder.resolve("big.json");
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(3L << 30);
        }
        assertTrue(refused(sparse).startsWith(sparse + " is 3221225472 bytes, over the 16777216-byte cap on a config"
                + " file"));
        // the 20 MB string of the probe: over the cap before Jackson sees it
        Path longString = Files.writeString(folder.resolve("string.json"),
                "{\"model_type\": \"gpt2\", \"x\": \"" + "a".repeat(20_000_000) + "\"}");
        assertTrue(refused(longString).contains("over the 16777216-byte cap on a config file"));
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertEquals("/dev/zero is not a regular file (a FIFO, socket or device); a config file must be a regular"
                    + " file", refused(zero));
        }
        Path fifo = folder.resolve("fifo.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed");
        assertTrue(refused(fifo).startsWith(fifo + " is not a regular file"));
    }

    @Test
    void textThatIsNotOneUtf8JsonObjectIsRefused() throws IOException {
        Path latin1 = Files.write(folder.resolve("latin1.json"),
                "{\"model_type\": \"gpt2\", \"name\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(latin1 + " is not UTF-8 text: byte 0xE9 at offset 35 is not valid UTF-8 (Transformers reads it "
                + "as UTF-8); re-save it as UTF-8", refused(latin1));
        Path two = Files.writeString(folder.resolve("two.json"), "{\"model_type\": \"gpt2\"}{\"n_layer\": 1}");
        assertEquals(two + " is not valid JSON: more follows its first JSON value (line 1, column 23), which Python's"
                + " json refuses (\"Extra data\"); keep one JSON object in the file", refused(two));
        Path deep = Files.writeString(folder.resolve("deep.json"),
                "{\"model_type\": \"gpt2\", \"x\": " + "[".repeat(1500) + "]".repeat(1500) + "}");
        assertTrue(refused(deep).startsWith(deep + " is not a JSON file exporters4j reads: Document nesting depth "
                + "(1001) exceeds the maximum allowed (1000)"));
    }
}
