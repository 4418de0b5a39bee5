package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.tasks.LocalHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code exporters4j inspect} through {@link Main#commandLine}: outputs, exit codes and one-line errors. */
class InspectCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> JSON_KEYS = List.of("model_type", "framework", "task", "model_class",
            "architecture", "weights", "dtype", "parameters", "supported_tasks", "fitting_tasks");

    @TempDir
    Path temp;

    record Run(int exitCode, String out, String err) {}

    private Run run(String... args) {
        return run(() -> HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "1"), temp.resolve("home")), args);
    }

    private static Run run(Supplier<HubSettings> hub, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine(hub);
        commandLine.setOut(Main.terminal(new PrintWriter(out, true)));
        commandLine.setErr(Main.terminal(new PrintWriter(err, true)));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    /** A copy of a fixture's checkpoint with config.json and the files named. */
    private Path checkpoint(String fixture, String... files) throws IOException {
        Path source = SharedFiles.fixtures().resolve(fixture).resolve("checkpoint");
        Path folder = Files.createDirectories(temp.resolve(fixture + "-" + files.length + "-" + String.join("+", files)));
        Files.copy(source.resolve("config.json"), folder.resolve("config.json"));
        for (String file : files) {
            Files.copy(source.resolve(file), folder.resolve(file));
        }
        return folder;
    }

    /** Exit 1, nothing on stdout, one line on stderr that contains every fragment, and no stack trace. */
    private static void assertOneLineError(Run run, String... fragments) {
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals("", run.out(), run.toString());
        String err = run.err();
        assertTrue(err.endsWith(System.lineSeparator()), err);
        String line = err.substring(0, err.length() - System.lineSeparator().length());
        assertFalse(line.contains("\n") || line.contains("\r"), "one line: " + err);
        assertFalse(line.contains("\tat ") || line.contains("Exception") || line.startsWith("internal error"), err);
        for (String fragment : fragments) {
            assertTrue(line.contains(fragment), "expected '" + fragment + "' in: " + line);
        }
    }

    @Test
    void jsonHasExactlyTheDocumentedKeysAndValues() throws IOException {
        Path folder = checkpoint("distilbert--sequence-classification", "pytorch_model.bin");
        Run run = run("inspect", folder.toString(), "--json");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.err());
        JsonNode json = JSON.readTree(run.out());
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(JSON_KEYS, keys);
        assertEquals("{\"model_type\": \"distilbert\", \"framework\": \"pt\", \"task\": \"sequence-classification\", "
                + "\"model_class\": \"AutoModelForSequenceClassification\", \"architecture\": "
                + "\"DistilBertForSequenceClassification\", \"weights\": [\"pytorch_model.bin\"], \"dtype\": "
                + "\"float32\", \"parameters\": " + manifestParameters("distilbert--sequence-classification")
                + ", \"supported_tasks\": [\"default\", \"masked-lm\", \"sequence-classification\", "
                + "\"multiple-choice\", \"token-classification\", \"question-answering\"], \"fitting_tasks\": "
                + "[{\"task\": \"sequence-classification\", \"model_class\": \"AutoModelForSequenceClassification\", "
                + "\"architecture\": \"DistilBertForSequenceClassification\"}]}" + System.lineSeparator(),
                run.out());
    }

    @Test
    void theReadableSummaryNamesEveryField() throws IOException {
        Path folder = checkpoint("gpt2--causal-lm-with-past", "model.safetensors");
        Run run = run("inspect", folder.toString());
        assertEquals(0, run.exitCode(), run.toString());
        String n = System.lineSeparator();
        assertEquals("model           local folder " + folder.toAbsolutePath().normalize() + n
                + "files           " + folder.toAbsolutePath().normalize() + n
                + "model type      gpt2" + n
                + "framework       pt" + n
                + "task            causal-lm" + n
                + "model class     AutoModelForCausalLM" + n
                + "architecture    GPT2LMHeadModel" + n
                + "weights         model.safetensors" + n
                + "dtype           float32" + n
                + "parameters      22,092" + n
                + "onnx tasks      default, default-with-past, causal-lm, causal-lm-with-past, "
                + "sequence-classification, token-classification" + n, run.out());
    }

    @Test
    void frameworkAndTaskOptionsApply() throws IOException {
        Path folder = checkpoint("xlm--causal-lm", "model.safetensors");
        Run run = run("inspect", folder.toString(), "--task", "text-generation", "--framework", "tf", "--json");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode json = JSON.readTree(run.out());
        assertEquals("tf", json.get("framework").asText());
        assertEquals("causal-lm", json.get("task").asText());
        assertEquals("TFAutoModelForCausalLM", json.get("model_class").asText());
        assertEquals("TFXLMWithLMHeadModel", json.get("architecture").asText());
    }

    /**
     * XLMWithLMHeadModel is the class of causal-lm and masked-lm: without --task, inspect prints the whole summary
     * and names both tasks with their auto classes, in the order inference finds them (an export still needs the
     * task named); --task resolves one.
     */
    @Test
    void aClassOfTwoTasksIsSummarisedWithTheTasksThatFit() throws IOException {
        for (String fixture : List.of("xlm--causal-lm", "xlm--masked-lm")) {
            Path folder = checkpoint(fixture, "model.safetensors");
            String n = System.lineSeparator();
            Run named = run("inspect", folder.toString(), "--task", "masked-lm", "--json");
            assertEquals(0, named.exitCode(), named.toString());
            JsonNode resolved = JSON.readTree(named.out());
            assertEquals("masked-lm", resolved.get("task").asText());
            assertEquals("AutoModelForMaskedLM", resolved.get("model_class").asText());
            assertEquals("[{\"task\":\"masked-lm\",\"model_class\":\"AutoModelForMaskedLM\","
                    + "\"architecture\":\"XLMWithLMHeadModel\"}]", resolved.get("fitting_tasks").toString());
            // the safetensors file stores the tied LM head again: Transformers' count plus that copy, whatever the task
            long parameters = resolved.get("parameters").asLong();
            assertEquals(manifestParameters(fixture) + tiedCopyElements(fixture, folder), parameters);

            Run text = run("inspect", folder.toString());
            assertEquals(0, text.exitCode(), text.toString());
            assertEquals("", text.err());
            assertEquals("model           local folder " + folder.toAbsolutePath().normalize() + n
                    + "files           " + folder.toAbsolutePath().normalize() + n
                    + "model type      xlm" + n
                    + "framework       pt" + n
                    + "task            several fit: causal-lm, masked-lm (pass --task with one of them)" + n
                    + "model class     AutoModelForCausalLM (causal-lm), AutoModelForMaskedLM (masked-lm)" + n
                    + "architecture    XLMWithLMHeadModel" + n
                    + "weights         model.safetensors" + n
                    + "dtype           float32" + n
                    + "parameters      " + String.format("%,d", parameters) + n
                    + "onnx tasks      default, masked-lm, causal-lm, sequence-classification, multiple-choice, "
                    + "token-classification, question-answering" + n, text.out());

            Run json = run("inspect", folder.toString(), "--json");
            assertEquals(0, json.exitCode(), json.toString());
            assertEquals("{\"model_type\": \"xlm\", \"framework\": \"pt\", \"task\": null, \"model_class\": null, "
                    + "\"architecture\": \"XLMWithLMHeadModel\", \"weights\": [\"model.safetensors\"], \"dtype\": "
                    + "\"float32\", \"parameters\": " + parameters + ", \"supported_tasks\": "
                    + "[\"default\", \"masked-lm\", \"causal-lm\", \"sequence-classification\", \"multiple-choice\", "
                    + "\"token-classification\", \"question-answering\"], \"fitting_tasks\": [{\"task\": \"causal-lm\", "
                    + "\"model_class\": \"AutoModelForCausalLM\", \"architecture\": \"XLMWithLMHeadModel\"}, "
                    + "{\"task\": \"masked-lm\", \"model_class\": \"AutoModelForMaskedLM\", \"architecture\": "
                    + "\"XLMWithLMHeadModel\"}]}" + n, json.out());
        }
    }

    @Test
    void aHubIdIsInspectedThroughTheHub() throws IOException {
        Path repo = checkpoint("electra--token-classification", "model.safetensors", "pytorch_model.bin");
        try (LocalHub hub = LocalHub.start()) {
            hub.add(new LocalHub.Repo("google/electra-tiny", "fedcba9876543210fedcba9876543210fedcba98", repo,
                    Optional.of("token-classification"), Optional.of("AutoModelForTokenClassification"),
                    Optional.of("token-classification")));
            Path cache = temp.resolve("cache");
            Run run = run(() -> hub.settings(temp.resolve("not-this-cache")), "inspect", "google/electra-tiny",
                    "--cache-dir", cache.toString(), "--revision", "main", "--json");
            assertEquals(0, run.exitCode(), run.toString());
            JsonNode json = JSON.readTree(run.out());
            assertEquals("electra", json.get("model_type").asText());
            assertEquals("token-classification", json.get("task").asText());
            assertEquals("ElectraForTokenClassification", json.get("architecture").asText());
            assertEquals("[\"model.safetensors\"]", json.get("weights").toString());
            assertTrue(Files.isDirectory(cache.resolve("models--google--electra-tiny/snapshots")), "--cache-dir used");
            assertFalse(Files.exists(temp.resolve("not-this-cache")));
            assertEquals(List.of("config.json", "model.safetensors"), hub.downloadedFiles());
        }
    }

    @Test
    void aTruncatedSafetensorsFileIsAOneLineError() throws IOException {
        Path folder = checkpoint("bert--default", "model.safetensors");
        Path weights = folder.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length / 2));
        assertOneLineError(run("inspect", folder.toString()), weights.toString());
    }

    @Test
    void aSafetensorsHeaderLongerThanTheFileIsAOneLineError() throws IOException {
        Path folder = checkpoint("bert--default");
        byte[] header = new byte[16];
        header[0] = (byte) 0xff;
        header[1] = (byte) 0xff;
        header[2] = (byte) 0xff; // header length 16 MiB in a 16-byte file
        Files.write(folder.resolve("model.safetensors"), header);
        assertOneLineError(run("inspect", folder.toString()), folder.resolve("model.safetensors").toString());
    }

    @Test
    void aPickleReferringToOsSystemIsRefusedWithoutRunningIt() throws IOException {
        Path folder = checkpoint("bert--default");
        Path marker = temp.resolve("pwned");
        // what torch.save of an object whose __reduce__ returns (os.system, ("touch <marker>",)) pickles
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.write(new byte[] {(byte) 0x80, 2});
        pickle.write("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
        byte[] command = ("touch " + marker).getBytes(StandardCharsets.UTF_8);
        pickle.write('X');
        pickle.write(new byte[] {(byte) command.length, 0, 0, 0});
        pickle.write(command);
        pickle.write(new byte[] {(byte) 0x85, 'R', '.'});
        writeStoredZip(folder.resolve("pytorch_model.bin"), Map.of("archive/data.pkl", pickle.toByteArray(),
                "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
        assertOneLineError(run("inspect", folder.toString()), "os.system", folder.resolve("pytorch_model.bin")
                .toString());
        assertFalse(Files.exists(marker), "the pickle never runs code");
    }

    @Test
    void aZipWithABadEntryIsAOneLineError() throws IOException {
        Path folder = checkpoint("bert--default", "pytorch_model.bin");
        Path weights = folder.resolve("pytorch_model.bin");
        byte[] bytes = Files.readAllBytes(weights);
        int second = indexOf(bytes, new byte[] {'P', 'K', 3, 4}, 1);
        assertTrue(second > 0, "a second local file header");
        bytes[second + 2] = 9; // not a local file header signature any more
        Files.write(weights, bytes);
        assertOneLineError(run("inspect", folder.toString()), weights.toString());
    }

    @Test
    void aConfigThatIsNotJsonIsAOneLineError() throws IOException {
        Path folder = checkpoint("bert--default", "model.safetensors");
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"bert\",\n  oops");
        assertOneLineError(run("inspect", folder.toString()), folder.resolve("config.json").toString(),
                "is not valid JSON");
    }

    @Test
    void otherBadInputsAreOneLineErrorsAndUsageErrorsExitTwo() throws IOException {
        assertOneLineError(run("inspect", temp.resolve("no/such/folder").toString()), "no folder named");
        Path folder = checkpoint("bert--default", "model.safetensors");
        for (String[] option : List.of(new String[] {"--framework", "jax", "unknown framework \"jax\""},
                new String[] {"--task", "translation-xx", "unknown task"},
                new String[] {"--revision", "../x", "not a valid revision"})) {
            Run bad = run("inspect", folder.toString(), option[0], option[1]);
            assertEquals(2, bad.exitCode(), bad.toString());
            assertEquals(1, bad.err().strip().lines().count(), bad.err());
            assertTrue(bad.err().startsWith("Invalid value for option '" + option[0] + "': ")
                    && bad.err().contains(option[2]), bad.err());
        }
        Path empty = checkpoint("bert--masked-lm");
        assertOneLineError(run("inspect", empty.toString()), "cannot determine the framework", "pytorch_model.bin");
        Run usage = run("inspect");
        assertEquals(2, usage.exitCode(), usage.toString());
        assertTrue(usage.err().contains("MODEL"), usage.err());
    }

    private static long manifestParameters(String fixture) throws IOException {
        return JSON.readTree(SharedFiles.fixtures().resolve(fixture).resolve("manifest.json").toFile())
                .at("/checkpoint/parameters").asLong();
    }

    /** Elements the safetensors file in {@code folder} stores again for the fixture's tied parameter groups. */
    private static long tiedCopyElements(String fixture, Path folder) throws IOException {
        JsonNode groups = JSON.readTree(SharedFiles.fixtures().resolve(fixture).resolve("manifest.json").toFile())
                .at("/checkpoint/tied_parameters");
        long copies = 0;
        try (Weights weights = Checkpoints.openWeights(folder)) {
            for (JsonNode group : groups) {
                List<String> saved = new ArrayList<>();
                group.forEach(name -> {
                    if (weights.contains(name.asText())) {
                        saved.add(name.asText());
                    }
                });
                if (saved.size() > 1) {
                    copies += (saved.size() - 1) * weights.info(saved.get(0)).elementCount();
                }
            }
        }
        return copies;
    }

    private static int indexOf(byte[] bytes, byte[] pattern, int skip) {
        int found = 0;
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length) && found++ == skip) {
                return i;
            }
        }
        return -1;
    }

    /** A zip of uncompressed (STORED) entries, as torch.save writes. */
    private static void writeStoredZip(Path file, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> entry : new java.util.TreeMap<>(entries).entrySet()) {
                ZipEntry zipEntry = new ZipEntry(entry.getKey());
                zipEntry.setMethod(ZipEntry.STORED);
                zipEntry.setSize(entry.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(entry.getValue());
                zipEntry.setCrc(crc.getValue());
                zip.putNextEntry(zipEntry);
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
    }
}
