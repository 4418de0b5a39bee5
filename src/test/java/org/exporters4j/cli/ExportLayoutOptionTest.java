package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.tasks.ExportTask;
import org.exporters4j.tasks.Layout;
import org.exporters4j.tasks.ModelTypes;
import org.exporters4j.tasks.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export onnx --layout}: an unknown value and a layout the model type does not have are refused naming the
 * option, the value and the choices; {@code optimum-1.5} is the default of Optimum v1.5.2's types and writes exactly
 * what exporters4j wrote before the option existed (the bytes of model.onnx recorded from that build);
 * {@code transformers.js} puts the model under {@code onnx/} and the tokenizer files at the top, notes the one it
 * misses, and a later export in another layout replaces {@code onnx/}.
 */
class ExportLayoutOptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * SHA-256 of model.onnx of fixtures/gpt2--causal-lm-with-past exported with {@code --task causal-lm-with-past}
     * and no other option, run from unpackaged classes (producer version "dev"): what main wrote at 673ca0a (before
     * --layout), with the one deliberate change since, issue 11 §1's graph (fused-norm decomposition, the key cache
     * read in place, presents without Identity); before that change the digest was
     * c9133151717c27394e2dbfcee30194886c1cf17c176706225297abfb6c414996.
     */
    private static final String GPT2_WITH_PAST_BEFORE_LAYOUTS = "4825a7dbad76ae850ba7fbfcdc4dd97ab4ccca62fa1af4fad0248b1691b60968";

    @TempDir
    Path folder;

    @Test
    void anUnknownLayoutIsAUsageErrorNamingTheChoices() {
        MainTest.Run run = MainTest.run("export", "onnx", "--model", gpt2().toString(), "--layout", "onnx-genai",
                folder.resolve("out").toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--layout \"onnx-genai\" is not a layout; the layouts are optimum-1.5, optimum, "
                + "transformers.js"), run.err());
        assertFalse(Files.exists(folder.resolve("out")));
    }

    @Test
    void aLayoutTheTypeDoesNotHaveIsRefusedNamingItsLayouts() {
        Path llama = SharedFiles.require("fixtures-layout/llama--text-generation/checkpoint");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", llama.toString(), "--task", "text-generation",
                "--layout", "optimum-1.5", folder.resolve("llama").toString());
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("--layout optimum-1.5 is not available for llama"), run.err());
        assertTrue(run.err().contains("its layouts are optimum, transformers.js; pass --layout optimum or leave "
                + "--layout out"), run.err());
        Path bert = SharedFiles.fixtures().resolve("bert--default/checkpoint");
        run = MainTest.run("export", "onnx", "--model", bert.toString(), "--task", "default", "--layout",
                "transformers.js", folder.resolve("bert").toString());
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("--layout transformers.js is not available for bert"), run.err());
        assertTrue(run.err().contains("its layouts are optimum-1.5; pass --layout optimum-1.5"), run.err());
        assertFalse(Files.exists(folder.resolve("llama")));
        assertFalse(Files.exists(folder.resolve("bert")));
    }

    /**
     * A task Optimum 1.25.3 added to a v1.5.2 type (whisper's audio-classification) has Optimum 1.25.3's layouts
     * only: without --layout it is written as {@code optimum}, and {@code optimum-1.5} is refused naming its layouts,
     * while the type's v1.5.2 tasks keep {@code optimum-1.5} as their default.
     */
    @Test
    void aTaskOnlyOptimum1253RegistersDefaultsToOptimumAndRefusesOptimum15() throws Exception {
        Path whisper = SharedFiles.require("fixtures-layout/whisper--audio-classification/checkpoint");
        MainTest.Run refused = MainTest.run("export", "onnx", "--model", whisper.toString(), "--task",
                "audio-classification", "--layout", "optimum-1.5", folder.resolve("whisper-15").toString());
        assertEquals(1, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("--layout optimum-1.5 is not available for whisper audio-classification: "
                + "Optimum 1.25.3 registers audio-classification for whisper and Optimum v1.5.2 did not"),
                refused.err());
        assertTrue(refused.err().contains("its layouts are optimum, transformers.js; pass --layout optimum or leave "
                + "--layout out"), refused.err());
        assertFalse(Files.exists(folder.resolve("whisper-15")));
        MainTest.Run byDefault = MainTest.run("export", "onnx", "--model", whisper.toString(), "--task",
                "audio-classification", folder.resolve("whisper").toString());
        assertEquals(0, byDefault.exitCode(), byDefault.err());
        MainTest.Run optimum = MainTest.run("export", "onnx", "--model", whisper.toString(), "--task",
                "audio-classification", "--layout", "optimum", folder.resolve("whisper-optimum").toString());
        assertEquals(0, optimum.exitCode(), optimum.err());
        assertArrayEquals(Files.readAllBytes(folder.resolve("whisper-optimum/model.onnx")),
                Files.readAllBytes(folder.resolve("whisper/model.onnx")));
        assertEquals(Layout.OPTIMUM_1_5, ModelTypes.find("whisper").orElseThrow()
                .defaultLayout(ExportTask.of(Task.SPEECH2SEQ_LM)));
    }

    /**
     * m2m-100 generates text only as an encoder-decoder: neither Optimum registers its causal LM (Transformers has
     * no M2M100ForCausalLM), so text-generation is refused in today's layouts as in Optimum v1.5.2's, writing nothing.
     */
    @Test
    void m2m100HasNoTextGenerationInTodaysLayouts() {
        Path m2m100 = SharedFiles.fixtures().resolve("m2m-100--default/checkpoint");
        for (String task : List.of("text-generation", "text-generation-with-past", "causal-lm")) {
            for (String layout : List.of("optimum", "transformers.js")) {
                Path out = folder.resolve("m2m-100-" + task + "-" + layout);
                MainTest.Run run = MainTest.run("export", "onnx", "--model", m2m100.toString(), "--task", task,
                        "--layout", layout, out.toString());
                assertEquals(1, run.exitCode(), run.err());
                assertTrue(run.err().contains("AutoModelForCausalLM has no class for model type m2m_100"),
                        run.err());
                assertFalse(Files.exists(out), out.toString());
            }
        }
    }

    @Test
    void optimum15IsTheDefaultAndWritesWhatExporters4jWroteBefore() throws Exception {
        Path byDefault = folder.resolve("default");
        Path named = folder.resolve("named");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", gpt2().toString(), "--task",
                "causal-lm-with-past", byDefault.toString());
        assertEquals(0, run.exitCode(), run.err());
        run = MainTest.run("export", "onnx", "--model", gpt2().toString(), "--task", "causal-lm-with-past",
                "--layout", "optimum-1.5", named.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(new TreeSet<>(List.of("config.json", "model.onnx")), names(byDefault));
        assertEquals(names(byDefault), names(named));
        for (String name : names(byDefault)) {
            assertArrayEquals(Files.readAllBytes(byDefault.resolve(name)), Files.readAllBytes(named.resolve(name)),
                    name);
        }
        assertEquals(GPT2_WITH_PAST_BEFORE_LAYOUTS, sha256(byDefault.resolve("model.onnx")));
    }

    /**
     * The encoder-decoders' one file in optimum-1.5, byte for byte as main wrote it at d31002d, before their
     * encoder/decoder split in today's layouts (SHA-256 of model.onnx with {@code --task <the fixture's task>
     * --no-validate}, from unpackaged classes): the split's parts did not change the whole model's graph. The one
     * deliberate change since is issue 11 §1's graph (fused-norm decomposition, self-attention keys appended so the
     * cache is read in place, BART's presents without Identity); at d31002d the digests were t5 fe8c4d1d…d5c8,
     * bart 0ce3e543…818f, whisper ead27fac…0c0a.
     */
    @Test
    void theEncoderDecodersWholeGraphsAreWhatMainWroteBeforeTheSplit() throws Exception {
        Map<String, String> before = Map.of(
                "t5--seq2seq-lm-with-past", "e7b3e98693468387882118c0235d293d5c81f353cb905288d65077d18e9c487d",
                "bart--seq2seq-lm-with-past", "462e747104095ed216093fb75aeb19d65fe251ac3760ceba73145dfb76cc0a90",
                "whisper--speech2seq-lm-with-past", "7c9676f3fc634e3d86dd7b450b14e74b269949f7fe85ae11b76149a1a94cdf66");
        Map<String, String> written = new java.util.TreeMap<>();
        for (String fixture : before.keySet()) {
            Path output = folder.resolve(fixture);
            MainTest.Run run = MainTest.run("export", "onnx", "--model",
                    SharedFiles.require("fixtures/" + fixture + "/checkpoint").toString(), "--task",
                    fixture.split("--")[1], "--no-validate", output.toString());
            assertEquals(0, run.exitCode(), run.err());
            written.put(fixture, sha256(output.resolve("model.onnx")));
        }
        assertEquals(new java.util.TreeMap<>(before), written);
    }

    @Test
    void transformersJsPutsTheModelUnderOnnxAndTheTokenizerAtTheTop() throws Exception {
        Path checkpoint = folder.resolve("checkpoint");
        Path layoutCheckpoint = SharedFiles.require("fixtures-layout/gpt2--text-generation-with-past/checkpoint");
        Files.createDirectories(checkpoint);
        for (String name : List.of("config.json", "generation_config.json", "model.safetensors")) {
            Files.copy(layoutCheckpoint.resolve(name), checkpoint.resolve(name));
        }
        Files.writeString(checkpoint.resolve("tokenizer.json"), "{\"version\": \"1.0\"}", StandardCharsets.UTF_8);
        Files.writeString(checkpoint.resolve("vocab.json"), "{\"a\": 0}", StandardCharsets.UTF_8);
        Files.writeString(checkpoint.resolve("merges.txt"), "#version: 0.2\n", StandardCharsets.UTF_8);
        Path output = folder.resolve("js");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "text-generation-with-past", "--layout", "transformers.js", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains(output.resolve("onnx").resolve("model.onnx").toString()), run.out());
        assertEquals(new TreeSet<>(List.of("config.json", "generation_config.json", "merges.txt", "onnx",
                "tokenizer.json", "vocab.json")), names(output));
        assertEquals(new TreeSet<>(List.of("model.onnx")), names(output.resolve("onnx")));
        assertEquals("{\"version\": \"1.0\"}", Files.readString(output.resolve("tokenizer.json")));
        assertTrue(run.err().contains("note: the checkpoint has no tokenizer_config.json: transformers.js' "
                + "AutoTokenizer"), run.err());
        assertFalse(run.err().contains("no tokenizer.json"), run.err());
        // fp32 on every device (transformers.js loads <name>_quantized.onnx on wasm by default), no external data
        assertEquals(JSON.readTree("{\"dtype\": \"fp32\"}"),
                JSON.readTree(output.resolve("config.json").toFile()).get("transformers.js_config"));
        // the same folder in the optimum layout: model.onnx at the top, the earlier onnx/ removed
        run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", "text-generation-with-past",
                "--layout", "optimum", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(new TreeSet<>(List.of("config.json", "generation_config.json", "merges.txt", "model.onnx",
                "tokenizer.json", "vocab.json")), names(output));
        assertTrue(run.err().contains("note: removed onnx from"), run.err());
        assertFalse(run.err().contains("tokenizer_config.json"), run.err());
        assertFalse(JSON.readTree(output.resolve("config.json").toFile()).has("transformers.js_config"));
    }

    @Test
    void transformersJsNamesTheExternalDataFileInConfig() throws Exception {
        Path checkpoint = SharedFiles.require("fixtures-layout/gpt2--text-generation-with-past/checkpoint");
        Path output = folder.resolve("js-external");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "text-generation-with-past", "--layout", "transformers.js", "--external-data", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(new TreeSet<>(List.of("model.onnx", "model.onnx_data")), names(output.resolve("onnx")));
        // without use_external_data_format transformers.js (3.x and 4.x getModelDataFiles) never reads the data file
        assertEquals(JSON.readTree("{\"dtype\": \"fp32\", \"use_external_data_format\": {\"model.onnx\": 1}}"),
                JSON.readTree(output.resolve("config.json").toFile()).get("transformers.js_config"));
    }

    private static Path gpt2() {
        return SharedFiles.fixtures().resolve("gpt2--causal-lm-with-past/checkpoint");
    }

    private static TreeSet<String> names(Path folder) throws Exception {
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.map(file -> file.getFileName().toString()).forEach(names::add);
        }
        return names;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
