package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code export onnx}: exit 1 with one line on stderr that names the problem, and no partial output
 * (no output folder, no staging folder left beside it); usage errors exit 2. Also: an existing output folder keeps
 * its other files, external data, a higher opset.
 */
class ExportOnnxErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    private Path checkpoint(String fixture) throws IOException {
        return ExportOnnxFixturesTest.copyCheckpoint(Fixture.read(SharedFiles.fixtures().resolve(fixture)),
                "model.safetensors", folder.resolve(fixture));
    }

    private MainTest.Run export(Path model, Path output, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("export", "onnx", "--model", model.toString()));
        args.addAll(List.of(options));
        args.add(output.toString());
        return MainTest.run(args.toArray(String[]::new));
    }

    /** Exit 1, one line naming every {@code fragments}, nothing written beside or at the output. */
    private void assertFailsCleanly(MainTest.Run run, Path output, String... fragments) throws IOException {
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        for (String fragment : fragments) {
            assertTrue(run.err().contains(fragment), "expected '" + fragment + "' in: " + run.err());
        }
        assertNoPartialOutput(output);
    }

    private static void assertNoPartialOutput(Path output) throws IOException {
        assertFalse(Files.exists(output), output + " must not exist");
        Path parent = output.getParent();
        if (Files.isDirectory(parent)) {
            try (Stream<Path> children = Files.list(parent)) {
                assertEquals(List.of(), children.map(p -> p.getFileName().toString())
                        .filter(name -> name.contains(".partial-")).toList());
            }
        }
    }

    private static void editConfig(Path checkpoint, Map<String, Object> changes) throws IOException {
        Path config = checkpoint.resolve("config.json");
        ObjectNode node = (ObjectNode) JSON.readTree(config.toFile());
        changes.forEach((key, value) -> node.set(key, JSON.valueToTree(value)));
        Files.writeString(config, JSON.writeValueAsString(node));
    }

    @Test
    void aTaskTheModelTypeDoesNotSupportIsRefused() throws IOException {
        Path output = folder.resolve("out");
        assertFailsCleanly(export(checkpoint("bert--default"), output, "--task", "image-classification"), output,
                "image-classification", "bert", "masked-lm");
    }

    @Test
    void anUnknownTaskNameIsAUsageError() throws IOException {
        Path output = folder.resolve("out");
        MainTest.Run run = export(checkpoint("bert--default"), output, "--task", "sequence-clasification");
        assertEquals(2, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("Invalid value for option '--task': unknown task \"sequence-clasification\" "
                + "(did you mean sequence-classification"), run.err());
        assertTrue(run.err().strip().endsWith("(see `exporters4j export onnx --help`)"), run.err());
        assertNoPartialOutput(output);
    }

    @Test
    void relativePositionEmbeddingsAreRefusedByName() throws IOException {
        Path model = checkpoint("bert--default");
        editConfig(model, Map.of("position_embedding_type", "relative_key"));
        Path output = folder.resolve("out");
        assertFailsCleanly(export(model, output, "--task", "default"), output,
                "position_embedding_type", "relative_key", "absolute");
    }

    @Test
    void ibertQuantModeIsRefusedByName() throws IOException {
        Path model = checkpoint("ibert--default");
        editConfig(model, Map.of("quant_mode", true));
        Path output = folder.resolve("out");
        assertFailsCleanly(export(model, output), output, "quant_mode", "false");
    }

    @Test
    void anUnknownActivationIsRefusedWithTheChoices() throws IOException {
        Path model = checkpoint("distilbert--default");
        editConfig(model, Map.of("activation", "gelu_tanh"));
        Path output = folder.resolve("out");
        assertFailsCleanly(export(model, output), output, "activation", "gelu_tanh", "gelu_new");
    }

    @Test
    void weightsMissingForTheHeadAreNamed() throws IOException {
        Path output = folder.resolve("out");
        assertFailsCleanly(export(checkpoint("bert--default"), output, "--task", "sequence-classification"), output,
                "classifier.weight", "sequence-classification");
    }

    @Test
    void anOutputUnderAFileIsAnError() throws IOException {
        Path file = Files.writeString(folder.resolve("not-a-folder"), "x");
        Path output = file.resolve("out");
        MainTest.Run run = export(checkpoint("bert--default"), output);
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("not a folder"), run.err());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void outputParentsCreatedForAFailedExportAreRemoved() throws IOException {
        Path output = folder.resolve("new/parents/out");
        assertFailsCleanly(export(checkpoint("bert--default"), output, "--task", "question-answering"), output,
                "qa_outputs.weight");
        assertFalse(Files.exists(folder.resolve("new")));
    }

    @Test
    void aMissingModelFolderIsNamed() throws IOException {
        Path output = folder.resolve("out");
        assertFailsCleanly(export(folder.resolve("no-such-model"), output), output, "no-such-model",
                "no folder");
    }

    @Test
    void anOpsetBelowTheModelTypesDefaultIsRefusedAsOptimumRefusesIt() throws IOException {
        Path output = folder.resolve("out");
        assertFailsCleanly(export(checkpoint("bert--default"), output, "--opset", "10"), output,
                "opset 10", "at least 11");
    }

    @Test
    void frameworkTfReadsThePyTorchWeightsWhenOnlyThoseExistAsFromPtDoes() throws IOException {
        Path output = folder.resolve("out");
        MainTest.Run run = export(checkpoint("bert--default"), output, "--framework", "tf");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(Files.isRegularFile(output.resolve("model.onnx")));
    }

    @Test
    void usageErrorsExitWithTwo() throws IOException {
        MainTest.Run missingOutput = MainTest.run("export", "onnx", "--model", checkpoint("bert--default").toString());
        assertEquals(2, missingOutput.exitCode());
        assertTrue(missingOutput.err().contains("OUTPUT_DIR"), missingOutput.err());
        MainTest.Run badFramework = MainTest.run("export", "onnx", "--model", "x", "--framework", "jax",
                folder.resolve("out").toString());
        assertEquals(2, badFramework.exitCode());
        assertTrue(badFramework.err().contains("jax"), badFramework.err());
        assertEquals(2, MainTest.run("export").exitCode());
    }

    @Test
    void aModelThatFailsValidationIsReportedAndNotPublished() throws IOException {
        Path model = checkpoint("bert--sequence-classification");
        poison(model.resolve("model.safetensors"), "bert.encoder.layer.1.output.dense.bias");
        Path output = folder.resolve("out");
        MainTest.Run run = export(model, output);
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("[x] logits (batch_size=2, sequence_length=16)"), run.err());
        assertTrue(run.err().contains("not finite"), run.err());
        String last = run.err().strip().lines().reduce((first, second) -> second).orElseThrow();
        assertTrue(last.contains("validation") && last.contains("--no-validate"), last);
        assertNoPartialOutput(output);

        MainTest.Run unvalidated = export(model, output, "--no-validate");
        assertEquals(0, unvalidated.exitCode(), unvalidated.err());
        assertTrue(unvalidated.out().contains("not validated"), unvalidated.out());
        assertTrue(Files.isRegularFile(output.resolve("model.onnx")));
    }

    @Test
    void anExistingOutputFolderKeepsItsOtherFilesAndLosesAStaleDataFile() throws Exception {
        Path output = Files.createDirectories(folder.resolve("out"));
        Files.writeString(output.resolve("README.md"), "mine");
        Files.writeString(output.resolve("model.onnx_data"), "stale");
        Path model = checkpoint("bert--token-classification");
        Files.writeString(model.resolve("vocab.txt"), "[PAD]\n[UNK]\n");
        MainTest.Run run = export(model, output);
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("mine", Files.readString(output.resolve("README.md")));
        assertFalse(Files.exists(output.resolve("model.onnx_data")));
        assertEquals("[PAD]\n[UNK]\n", Files.readString(output.resolve("vocab.txt")));
        assertTrue(run.out().contains("vocab.txt"), run.out());
        JSON.readTree(output.resolve("config.json").toFile()).get("use_cache").asBoolean(true);
        assertFalse(JSON.readTree(output.resolve("config.json").toFile()).get("use_cache").asBoolean(true),
                "config.json is written with Optimum's values_override (use_cache false)");

        MainTest.Run failed = export(model, output, "--task", "question-answering");
        assertEquals(1, failed.exitCode());
        assertTrue(Files.isRegularFile(output.resolve("model.onnx")), "a failed export keeps the previous model");
    }

    @Test
    void externalDataAndAHigherOpsetGiveTheSameNumbers() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("roberta--masked-lm"));
        Path output = folder.resolve("out");
        MainTest.Run run = export(checkpoint("roberta--masked-lm"), output, "--external-data", "--opset", "17",
                "--atol", "1e-5");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(Files.size(output.resolve("model.onnx_data")) > 0);
        assertTrue(run.out().contains("opset 17"), run.out());
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(output.resolve("model.onnx"),
                fixture.inputsFile());
        OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), "logits");
        double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), outputs.get("logits").values());
        assertTrue(diff <= 1e-5, "max abs diff " + diff);
    }

    /** Rewrites a safetensors file with one tensor's first value set to NaN. */
    private static void poison(Path file, String tensor) throws IOException {
        SafetensorsFileWriter writer = new SafetensorsFileWriter();
        try (Weights weights = Checkpoints.open(file)) {
            for (String name : weights.names()) {
                TensorInfo info = weights.info(name);
                ByteBuffer source = weights.bytes(name);
                byte[] bytes = new byte[source.remaining()];
                source.get(bytes);
                if (name.equals(tensor)) {
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN);
                }
                writer.add(name, info.dtype(), info.shape(), bytes);
            }
        }
        Path poisoned = file.resolveSibling("poisoned.safetensors");
        writer.write(poisoned);
        Files.move(poisoned, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void tensorsTheGraphLeavesOutAreNotedOnStderr() throws IOException {
        Path model = checkpoint("bert--masked-lm");
        Path base = folder.resolve("base");
        MainTest.Run run = export(model, base, "--task", "default", "--no-validate");
        assertEquals(0, run.exitCode(), run.err());
        // cls.predictions.decoder.weight is tied to the word embeddings the graph reads, so it is not listed
        assertTrue(run.err().lines().anyMatch(line -> line.equals("note: 7 checkpoint tensors are not part of the "
                + "default graph (another head's weights or buffers the graph computes itself): "
                + "bert.embeddings.position_ids, cls.predictions.bias, cls.predictions.decoder.bias, "
                + "cls.predictions.transform.LayerNorm.bias, cls.predictions.transform.LayerNorm.weight, "
                + "cls.predictions.transform.dense.bias, cls.predictions.transform.dense.weight")), run.err());

        MainTest.Run head = export(model, folder.resolve("head"), "--task", "masked-lm", "--no-validate");
        assertEquals(0, head.exitCode(), head.err());
        assertTrue(head.err().lines().anyMatch(line -> line.equals("note: 1 checkpoint tensor is not part of the "
                + "masked-lm graph (another head's weights or buffers the graph computes itself): "
                + "bert.embeddings.position_ids")), head.err());
    }

    @Test
    void aNewExportRemovesTheTokenizerAndConfigFilesOfTheModelBeforeIt() throws IOException {
        Path output = folder.resolve("shared-output");
        Path llamaFixture = SharedFiles.fixturesToday().resolve("llama--text-generation");
        Path llamaCheckpoint = ExportOnnxFixturesTest.copyCheckpoint(Fixture.read(llamaFixture), "model.safetensors",
                folder.resolve("llama--text-generation"));
        Files.copy(llamaFixture.resolve("checkpoint/generation_config.json"),
                llamaCheckpoint.resolve("generation_config.json"));
        MainTest.Run llama = export(llamaCheckpoint, output, "--no-validate");
        assertEquals(0, llama.exitCode(), llama.err());
        assertTrue(Files.exists(output.resolve("generation_config.json")));
        Files.writeString(output.resolve("tokenizer.json"), "{}");
        Files.writeString(output.resolve("README.txt"), "mine");

        MainTest.Run bert = export(checkpoint("bert--default"), output, "--no-validate");
        assertEquals(0, bert.exitCode(), bert.err());
        assertFalse(Files.exists(output.resolve("generation_config.json")), "llama's generation config stayed");
        assertFalse(Files.exists(output.resolve("tokenizer.json")), "an earlier model's tokenizer stayed");
        assertTrue(Files.readString(output.resolve("config.json")).contains("\"bert\""));
        assertEquals("mine", Files.readString(output.resolve("README.txt")), "files an export does not own stay");
    }

    @Test
    void theCheckpointFolderItselfIsRefusedAsOutput() throws IOException {
        Path model = checkpoint("gpt2--causal-lm");
        String config = Files.readString(model.resolve("config.json"));
        MainTest.Run run = export(model, model, "--no-validate");
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("is the checkpoint folder itself") && run.err().contains(
                model.toAbsolutePath().normalize().resolve("onnx").toString()), run.err());
        assertEquals(config, Files.readString(model.resolve("config.json")), "the checkpoint must stay as it was");
        assertFalse(Files.exists(model.resolve("model.onnx")));
    }

    /** Issue 12 item 2: a symbolic link to the checkpoint folder, or to one of its parents, is the checkpoint folder. */
    @Test
    void theCheckpointFolderReachedThroughASymbolicLinkIsRefusedAsOutput() throws IOException {
        Path model = checkpoint("gpt2--causal-lm");
        Map<String, Long> before = sizes(model);
        String config = Files.readString(model.resolve("config.json"));
        Path linkToFolder = Files.createSymbolicLink(folder.resolve("link"), model);
        Path linkToParent = Files.createSymbolicLink(folder.resolve("parent-link"), model.getParent());
        List<List<Path>> modelAndOutput = List.of(List.of(model, linkToFolder),
                List.of(model, linkToParent.resolve(model.getFileName().toString())),
                List.of(linkToFolder, model));
        for (List<Path> pair : modelAndOutput) {
            MainTest.Run run = export(pair.get(0), pair.get(1), "--no-validate");
            assertEquals(1, run.exitCode(), run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertTrue(run.err().contains("is the checkpoint folder ") && run.err().contains("choose another "
                    + "OUTPUT_DIR"), run.err());
        }
        assertEquals(config, Files.readString(model.resolve("config.json")), "the checkpoint must stay as it was");
        assertEquals(before, sizes(model), "nothing written into the checkpoint folder, no staging folder");
    }

    private static Map<String, Long> sizes(Path folder) throws IOException {
        Map<String, Long> sizes = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                sizes.put(file.getFileName().toString(), Files.size(file));
            }
        }
        return sizes;
    }

    /**
     * Issue 12 item 5: the files an earlier export wrote and this one does not, and the staging folders of killed
     * exports, are removed and named on stderr.
     */
    @Test
    void theRemovedFilesOfAnEarlierExportAndOfKilledExportsAreNamed() throws Exception {
        Path output = folder.resolve("out");
        Files.createDirectories(output);
        Files.writeString(output.resolve("tokenizer.json"), "{}");
        Files.writeString(output.resolve("model.onnx_data"), "stale");
        Process ended = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version").redirectErrorStream(true).start();
        ended.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        ended.waitFor();
        Path killed = Files.createDirectories(folder.resolve(".out.partial-killed"));
        Files.writeString(killed.resolve("model.onnx"), "half");
        Files.writeString(killed.resolve(".exporters4j-owner"), "exporters4j staging folder\nhost="
                + Files.readString(Path.of("/proc/sys/kernel/hostname")).strip() + "\npid=" + ended.pid()
                + "\nstart=\nphase=writing\n");
        MainTest.Run run = export(checkpoint("bert--default"), output, "--no-validate");
        assertEquals(0, run.exitCode(), run.err());
        String removedFiles = "note: removed model.onnx_data, tokenizer.json from " + output.toRealPath()
                + ": written by an earlier export, not by this one";
        String removedStaging = "note: removed the staging folder " + folder.toRealPath().resolve(killed.getFileName())
                + " of killed exports (their process is gone)";
        assertTrue(run.err().lines().anyMatch(removedFiles::equals), run.err());
        assertTrue(run.err().lines().anyMatch(removedStaging::equals), run.err());
        assertFalse(Files.exists(killed));
        assertFalse(Files.exists(output.resolve("tokenizer.json")));
    }

    @Test
    void emptyArgumentsAreUsageErrors() throws IOException {
        Path model = checkpoint("bert--default");
        Path output = folder.resolve("never");
        for (String[] args : List.of(
                new String[] {"export", "onnx", "--model", "", output.toString()},
                new String[] {"export", "onnx", "--model", model.toString(), "--task", "", output.toString()},
                new String[] {"export", "onnx", "--model", model.toString(), ""},
                new String[] {"export", "onnx", "--model", model.toString(), "--cache-dir", "", output.toString()})) {
            MainTest.Run run = MainTest.run(args);
            assertEquals(2, run.exitCode(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.err().contains("must not be empty"), run.err());
            assertFalse(run.err().contains("internal error"), run.err());
        }
        assertNoPartialOutput(output);
    }

    @Test
    void aCheckpointWithTensorFlowEraLayerNormNamesExportsWithPyTorchsOutputs() throws Exception {
        // bert-base-uncased's pytorch_model.bin stores LayerNorm.gamma / .beta; Transformers loads them as weight/bias
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("bert--sequence-classification"));
        Path legacy = Files.createDirectories(folder.resolve("legacy-names"));
        Files.copy(fixture.checkpoint().resolve("config.json"), legacy.resolve("config.json"));
        SafetensorsFileWriter writer = new SafetensorsFileWriter();
        int renamed = 0;
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint(), WeightsFormat.SAFETENSORS)) {
            for (String name : weights.names()) {
                String stored = name.endsWith("LayerNorm.weight") ? name.replace("LayerNorm.weight", "LayerNorm.gamma")
                        : name.endsWith("LayerNorm.bias") ? name.replace("LayerNorm.bias", "LayerNorm.beta") : name;
                renamed += stored.equals(name) ? 0 : 1;
                TensorInfo info = weights.info(name);
                ByteBuffer bytes = weights.bytes(name);
                byte[] data = new byte[bytes.remaining()];
                bytes.duplicate().get(data);
                writer.add(stored, info.dtype(), info.shape(), data);
            }
        }
        assertTrue(renamed >= 4, "renamed " + renamed);
        writer.write(legacy.resolve("model.safetensors"));
        Path output = folder.resolve("legacy-onnx");
        MainTest.Run run = export(legacy, output);
        assertEquals(0, run.exitCode(), run.err());
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(output.resolve("model.onnx"),
                fixture.inputsFile());
        for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), outputs.get(named.getKey()).values());
            assertTrue(diff <= 1e-5, named.getKey() + ": max abs diff " + diff);
        }
    }
}
