package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export onnx --optimize} (issue 11 §2): a family with a fused form is validated as usual and against its plain
 * graph, each comparison in the report; a family without one is written with its standard operators, says so in a
 * note, and gives the fixture's outputs.
 */
class ExportOptimizeTest {
    @TempDir
    Path folder;

    @Test
    void aFusedExportIsComparedWithThePlainGraphInTheReport() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("bert--sequence-classification"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors", folder.resolve("bert"));
        Path output = folder.resolve("bert-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "sequence-classification", "--optimize", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        assertTrue(run.err().contains("[ok] logits (fused operators vs. plain graph (batch_size=2, sequence_length=16))"),
                run.err());
        assertTrue(run.err().contains("[ok] logits (fused operators vs. plain graph (batch_size=3, sequence_length=9))"),
                run.err());
        assertTrue(!run.err().contains("no fused form"), run.err());
        byte[] model = java.nio.file.Files.readAllBytes(output.resolve("model.onnx"));
        assertTrue(new String(model, java.nio.charset.StandardCharsets.ISO_8859_1).contains("com.microsoft"),
                "the model imports ONNX Runtime's contrib operators");
        var outputs = OnnxRuntimeRun.run(output.resolve("model.onnx"), fixture.inputsFile());
        OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(),
                fixture.referenceOutputs().get("logits"));
        assertTrue(OnnxRuntimeRun.maxAbsDiff(expected.values(), outputs.get("logits").values())
                <= ExportOnnxFixturesTest.TOLERANCE);
    }

    /**
     * A Llama whose key/value heads are its query heads (the fixture's checkpoint with num_key_value_heads raised to
     * num_attention_heads and new random key and value projections) gets MultiHeadAttention over the cache in the
     * fused form, and validation holds it to the plain graph on both input sets, past included.
     */
    @Test
    void aLlamaWithoutGroupedHeadsUsesMultiHeadAttentionAndMatchesThePlainGraph() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixturesToday().resolve("llama--text-generation-with-past"));
        org.exporters4j.models.EditedCheckpoint edited = org.exporters4j.models.EditedCheckpoint.of(
                fixture.checkpoint());
        int heads = edited.config().get("num_attention_heads").asInt();
        long hidden = edited.config().get("hidden_size").asLong();
        edited.config().put("num_key_value_heads", heads);
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (String name : List.copyOf(edited.names())) {
            if (name.endsWith("self_attn.k_proj.weight") || name.endsWith("self_attn.v_proj.weight")) {
                edited.put(name, org.exporters4j.models.EditedCheckpoint.random(random, 0.2, hidden, hidden));
            }
        }
        Path checkpoint = edited.write(folder.resolve("llama-mha"));
        Path output = folder.resolve("llama-mha-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "text-generation-with-past", "--optimize", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        assertTrue(run.err().contains("[ok] logits (fused operators vs. plain graph (batch_size=2"), run.err());
        assertTrue(run.err().contains("[ok] present.0.key (fused operators vs. plain graph (batch_size=3"),
                run.err());
        String model = new String(java.nio.file.Files.readAllBytes(output.resolve("model.onnx")),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(model.contains("MultiHeadAttention") && model.contains("SkipSimplifiedLayerNormalization"),
                "the fused operators are in the model");
    }

    /**
     * The fixture's grouped-query Llama (4 query heads over 2 key/value heads) gets GroupQueryAttention in the fused
     * form; validation's inputs (batch 2 and 3, several tokens over a past: the steps ONNX Runtime's kernel refuses,
     * computed by the graph's plain attention) hold it to the plain graph, present cache included.
     */
    @Test
    void aGroupedQueryLlamaUsesGroupQueryAttentionAndMatchesThePlainGraph() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixturesToday().resolve("llama--text-generation-with-past"));
        Path checkpoint = org.exporters4j.models.EditedCheckpoint.of(fixture.checkpoint())
                .write(folder.resolve("llama-gqa"));
        Path output = folder.resolve("llama-gqa-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "text-generation-with-past", "--optimize", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        assertTrue(run.err().contains("[ok] logits (fused operators vs. plain graph (batch_size=2"), run.err());
        assertTrue(run.err().contains("[ok] present.1.value (fused operators vs. plain graph (batch_size=3"),
                run.err());
        String model = new String(java.nio.file.Files.readAllBytes(output.resolve("model.onnx")),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(model.contains("GroupQueryAttention") && !model.contains("MultiHeadAttention"),
                "GroupQueryAttention is in the model");
    }

    @Test
    void aFamilyWithoutAFusedFormExportsPlainOperatorsWithANote() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("vit--default"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, "model.safetensors", folder.resolve("vit"));
        Path output = folder.resolve("vit-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", "default",
                "--optimize", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("note: --optimize: the vit default graph has no fused form"), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        var outputs = OnnxRuntimeRun.run(output.resolve("model.onnx"), fixture.inputsFile());
        for (var named : fixture.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
            OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
            assertEquals(expected.shape(), actual.shape(), named.getKey());
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
            assertTrue(diff <= ExportOnnxFixturesTest.TOLERANCE, named.getKey() + ": max abs diff " + diff);
        }
    }
}
