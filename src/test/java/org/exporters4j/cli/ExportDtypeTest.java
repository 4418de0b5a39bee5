package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.export.Exporter;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.gpt2.RandomGpt2Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code export onnx --dtype fp16} (issue 11 §3): fixtures of four families (BERT, gpt2 with its cache, Llama,
 * T5's merged decoder in {@code --layout optimum}) export, validate against their float32 graph in the same process
 * (every file, both input sizes) and run in ONNX Runtime within the half-precision tolerance of the PyTorch outputs
 * the fixtures hold; a larger checkpoint's file is half the float32 one; bf16 and unsupported combinations are
 * refused naming the fix.
 */
class ExportDtypeTest {
    /** A line of the report comparing one output with the float32 graph's. */
    private static final Pattern REFERENCE_LINE = Pattern.compile(
            "\\[ok] (\\S+) \\((\\S+) float16 vs float32 graph, [^)]*\\): max abs diff (\\S+) \\(tolerance (\\S+)\\), "
                    + "cosine (\\S+),");

    @TempDir
    Path folder;

    @ParameterizedTest
    @CsvSource({
            "fixtures/bert--sequence-classification, sequence-classification, optimum-1.5, model.onnx",
            "fixtures/gpt2--causal-lm-with-past, causal-lm-with-past, optimum-1.5, model.onnx",
            "fixtures-today/llama--text-generation-with-past, text-generation-with-past, optimum, model.onnx",
            "fixtures-layout/t5--text2text-generation-with-past, text2text-generation-with-past, optimum, "
                    + "encoder_model.onnx decoder_model.onnx decoder_with_past_model.onnx"})
    void exportsValidatedAgainstTheFloat32GraphOfEveryFile(String fixturePath, String task, String layout,
                                                           String comparedFiles) throws Exception {
        Path fixture = SharedFiles.require(fixturePath);
        Path output = folder.resolve("fp16");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", fixture.resolve("checkpoint").toString(),
                "--task", task, "--layout", layout, "--dtype", "fp16", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        assertFalse(run.err().contains("[x]"), run.err());
        List<String> compared = new ArrayList<>();
        Matcher line = REFERENCE_LINE.matcher(run.err());
        while (line.find()) {
            compared.add(line.group(2));
            double diff = Double.parseDouble(line.group(3));
            assertTrue(diff > 0 && diff <= Double.parseDouble(line.group(4)), line.group());
            assertTrue(Double.parseDouble(line.group(5)) >= 0.9999, "cosine of " + line.group());
        }
        assertEquals(List.of(comparedFiles.split(" ")), compared.stream().distinct().toList(), run.err());
        if (task.equals("text2text-generation-with-past")) {
            // the merged decoder is checked on both branches against the two decoders, at the same tolerance
            assertTrue(Files.isRegularFile(output.resolve("decoder_model_merged.onnx")));
            assertTrue(run.err().contains("decoder_model_merged.onnx"), run.err());
            return;
        }
        // the PyTorch outputs of the fixture, within float16's tolerance of the outputs' scale
        Fixture reference = Fixture.read(fixture);
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(output.resolve("model.onnx"),
                reference.inputsFile());
        for (var named : reference.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(reference.outputsFile(), named.getValue());
            OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
            assertEquals(expected.shape(), actual.shape(), named.getKey());
            double scale = 1;
            for (float value : expected.values()) {
                scale = Math.max(scale, Math.abs(value));
            }
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
            assertTrue(diff > 0 && diff <= Exporter.HALF_PRECISION_ATOL * scale, named.getKey() + ": max abs diff "
                    + diff + " against PyTorch's, scale " + scale);
        }
    }

    @Test
    void theFloat16FileIsHalfTheFloat32One() throws Exception {
        Path checkpoint = folder.resolve("gpt2");
        RandomGpt2Checkpoint.write(checkpoint, new RandomGpt2Checkpoint.Size(4096, 128, 256, 2, 4), 11);
        long[] sizes = new long[2];
        String[] dtypes = {"fp32", "fp16"};
        for (int i = 0; i < 2; i++) {
            Path output = folder.resolve(dtypes[i]);
            MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                    "causal-lm-with-past", "--dtype", dtypes[i], output.toString());
            assertEquals(0, run.exitCode(), run.err());
            try (Stream<Path> files = Files.list(output)) {
                assertEquals(List.of("model.onnx"), files.map(f -> f.getFileName().toString())
                        .filter(name -> name.contains("onnx")).toList(), "no reference file is left behind");
            }
            sizes[i] = Files.size(output.resolve("model.onnx"));
        }
        double ratio = (double) sizes[1] / sizes[0];
        assertTrue(ratio > 0.49 && ratio < 0.51, sizes[1] + " / " + sizes[0] + " = " + ratio);
    }

    @Test
    void bfloat16IsRefusedNamingTheFix() {
        Path fixture = SharedFiles.require("fixtures/bert--sequence-classification/checkpoint");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", fixture.toString(), "--dtype", "bf16",
                folder.resolve("bf16").toString());
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("--dtype bf16 is not supported: ONNX Runtime's CPU execution provider has no "
                + "bfloat16 kernel for MatMul"), run.err());
        assertTrue(run.err().contains("export with --dtype fp16"), run.err());
        assertFalse(Files.exists(folder.resolve("bf16")), "nothing is written");
    }

    @Test
    void unknownDtypesAndCombinationsAreRefused() {
        Path fixture = SharedFiles.require("fixtures/bert--sequence-classification/checkpoint");
        MainTest.Run unknown = MainTest.run("export", "onnx", "--model", fixture.toString(), "--dtype", "int8",
                folder.resolve("int8").toString());
        assertEquals(2, unknown.exitCode(), unknown.err());
        assertTrue(unknown.err().contains("'int8' is not a dtype; choose fp32 (the default) or fp16 (bf16 is refused: "
                + "ONNX Runtime's CPU provider cannot run it)"),
                unknown.err());
        MainTest.Run fused = MainTest.run("export", "onnx", "--model", fixture.toString(), "--dtype", "fp16",
                "--optimize", folder.resolve("fused").toString());
        assertEquals(1, fused.exitCode(), fused.err());
        assertTrue(fused.err().contains("--dtype fp16 with --optimize is not supported yet"), fused.err());
    }
}
