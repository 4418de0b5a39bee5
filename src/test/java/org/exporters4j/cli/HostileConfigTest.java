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
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.Fixture;
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

    @Test
    void absurdLayerCountsAreRefusedBeforeTheInterfaceIsExpanded() throws IOException {
        // 100000000 layers would expand 200 million cache tensors: refused from the value alone, at its read
        Path gpt2 = Files.writeString(folder.resolve("gpt2.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 100000000}");
        assertEquals(gpt2 + ": the layer count (n_layer) must be at most 4096 (exporters4j's cap on layers; the largest"
                + " published models have under 200), got 100000000", refused(gpt2, "--task", "causal-lm-with-past"));
        // T5 derives num_decoder_layers from num_layers: the error names the attribute the file sets
        Path t5 = Files.writeString(folder.resolve("t5.json"), "{\"model_type\": \"t5\", \"num_layers\": 1e8}");
        assertEquals(t5 + ": the layer count (num_layers) must be at most 4096 (exporters4j's cap on layers; the largest"
                + " published models have under 200), got 1.0E8", refused(t5, "--task", "seq2seq-lm-with-past"));
        Path bart = Files.writeString(folder.resolve("bart.json"), "{\"model_type\": \"bart\", \"decoder_layers\": 0}");
        assertEquals(bart + ": the layer count (decoder_layers) must be positive, got 0",
                refused(bart, "--task", "seq2seq-lm-with-past"));
        Path largest = Files.writeString(folder.resolve("largest.json"),
                "{\"model_type\": \"gpt2\", \"n_layer\": 4096}");
        MainTest.Run run = MainTest.run("config", "--config", largest.toString(), "--task", "causal-lm-with-past");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("present.4095.value"), "the cap itself is valid");
    }

    /** The fixture checkpoint {@code fixture} copied, with {@code key} set to the JSON {@code value} in its config. */
    private Path checkpointWith(String fixture, String key, String value) throws IOException {
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(Fixture.read(SharedFiles.fixtures().resolve(fixture)),
                "model.safetensors", folder.resolve(fixture + "-" + key));
        Path config = checkpoint.resolve("config.json");
        ObjectNode node = (ObjectNode) new ObjectMapper().readTree(config.toFile());
        node.set(key, new ObjectMapper().readTree(value));
        Files.writeString(config, node.toString());
        return checkpoint;
    }

    @Test
    void outOfRangeValuesFailTheExportNamingTheAttribute() throws IOException {
        Path zeroLayers = checkpointWith("bert--default", "num_hidden_layers", "0");
        MainTest.Run zero = MainTest.run("export", "onnx", "--model", zeroLayers.toString(),
                folder.resolve("out-zero").toString());
        assertOneLineError(zero, 1);
        assertEquals(zeroLayers.resolve("config.json") + ": the layer count (num_hidden_layers) must be positive, got 0",
                zero.err().strip(), "not \"Mul node '/Mul' is dangling\"");
        Path negativeEpsilon = checkpointWith("bert--default", "layer_norm_eps", "-1");
        MainTest.Run epsilon = MainTest.run("export", "onnx", "--model", negativeEpsilon.toString(),
                folder.resolve("out-eps").toString());
        assertOneLineError(epsilon, 1);
        assertEquals(negativeEpsilon.resolve("config.json") + ": the layer norm epsilon (layer_norm_eps) must be "
                + "positive, got -1", epsilon.err().strip());
        Path zeroWidth = checkpointWith("bert--default", "hidden_size", "0");
        MainTest.Run width = MainTest.run("export", "onnx", "--model", zeroWidth.toString(),
                folder.resolve("out-width").toString());
        assertOneLineError(width, 1);
        assertEquals(zeroWidth.resolve("config.json") + ": the width (hidden_size) must be positive, got 0",
                width.err().strip(), "not an internal error on splitting 0 into heads");
        assertFalse(Files.exists(folder.resolve("out-zero")) || Files.exists(folder.resolve("out-eps"))
                || Files.exists(folder.resolve("out-width")));
    }

    /** An image size that no weight pins (ResNet's convolutions take any size) only sizes the validation inputs. */
    @Test
    void anAbsurdImageSizeEndsInOneLineNotAHugeValidationInput() throws IOException {
        Path checkpoint = checkpointWith("resnet--image-classification", "image_size", "100000");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(),
                folder.resolve("out").toString());
        assertOneLineError(run, 1);
        assertEquals(checkpoint.resolve("config.json") + ": the validation input pixel_values would have shape "
                + "[2, 3, 100000, 100000], more than exporters4j's cap of 67108864 elements per validation input; the "
                + "config's sizes (image_size, num_channels, num_mel_bins, max_source_positions, head counts) are "
                + "implausible: check config.json, or pass --no-validate to export without validating",
                run.err().strip());
        assertFalse(Files.exists(folder.resolve("out")));
    }

    /** A huge name quoted back is shortened in the one line printed; the rest of the message stays whole. */
    @Test
    void aHugeNameIsShortenedInTheMessage() throws IOException {
        Path config = Files.writeString(folder.resolve("long.json"), "{\"model_type\": \"" + "a".repeat(100_000)
                + "\"}");
        assertEquals("unknown model type \"" + "a".repeat(159) + "…[99803 characters]…" + "a".repeat(38) + "\": no "
                + "export configuration is registered for it; run `./exporters4j tasks` to list all "
                + org.exporters4j.tasks.TasksManager.getSupportedModelTypes("onnx").size() + " supported model types",
                refused(config));
        MainTest.Run task = MainTest.run("export", "onnx", "--model", folder.toString(), "--task", "x".repeat(50_000),
                folder.resolve("out").toString());
        assertOneLineError(task, 2);
        assertTrue(task.err().length() < 1500, task.err().length() + " characters");
        assertTrue(task.err().contains("x…["), task.err());
        // paths and names of real messages are far below the limit and stay whole
        String path = "/" + "d".repeat(Main.LONGEST_WORD - 1);
        assertEquals("cannot read " + path, Main.oneLine("cannot read " + path));
    }

    @Test
    void controlCharactersFromAConfigReachTheTerminalEscaped() throws IOException {
        // an ANSI colour sequence, a bell, a C1 control and a right-to-left override inside config.json's model_type
        Path config = Files.writeString(folder.resolve("ansi.json"),
                "{\"model_type\": \"gp\\u001b[31mt2\\u0007\\u009b\\u202e\"}");
        assertEquals("unknown model type \"gp\\u001b[31mt2\\u0007\\u009b\\u202e\": no export configuration is "
                + "registered for it; run `./exporters4j tasks` to list all 78 supported model types", refused(config));
        // the same escape for everything printed, stdout included; line feeds and tabs are layout and stay
        assertEquals("a\\u001b[2Jb\\u0000\\u007f\tc\n\\u2066d", TerminalWriter.escape("a\u001b[2Jb\u0000\u007f\tc\n\u2066d"));
        assertEquals("plain text, caf\u00e9, \u65e5\u672c", TerminalWriter.escape("plain text, caf\u00e9, \u65e5\u672c"));
        String once = TerminalWriter.escape("x\u001by");
        assertEquals(once, TerminalWriter.escape(once), "escaping twice changes nothing");
        java.io.StringWriter out = new java.io.StringWriter();
        try (java.io.PrintWriter terminal = Main.terminal(new java.io.PrintWriter(out))) {
            terminal.print("tensor \u001b]0;title\u0007");
            terminal.print('\u001b');
        }
        assertEquals("tensor \\u001b]0;title\\u0007\\u001b", out.toString());
    }

    @Test
    void aCacheDirThatIsAFileIsAUsageError() throws IOException {
        Path file = Files.writeString(folder.resolve("not-a-folder"), "x");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", "org/model", "--cache-dir", file.toString(),
                folder.resolve("out").toString());
        assertOneLineError(run, 2);
        assertEquals("Invalid value for option '--cache-dir': " + file + " is a file, not a folder; --cache-dir names"
                + " the Hugging Face Hub cache folder (created when missing) (see `exporters4j export onnx --help`)",
                run.err().strip());
        MainTest.Run inspect = MainTest.run("inspect", "org/model", "--cache-dir", file.toString());
        assertOneLineError(inspect, 2);
        assertFalse(Files.exists(folder.resolve("out")));
    }
}
