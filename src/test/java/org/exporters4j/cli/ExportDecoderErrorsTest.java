package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoder config options exporters4j does not build are refused by name through {@code export onnx}: exit 1, one
 * line naming the option, its value and what is supported, and no output.
 */
class ExportDecoderErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    private int exports;

    private MainTest.Run exportWith(String fixture, String task, Map<String, Object> changes) throws IOException {
        // a fixture of fixtures/, else of fixtures-today/ (today's model types)
        Path source = Files.isDirectory(SharedFiles.fixtures().resolve(fixture)) ? SharedFiles.fixtures()
                .resolve(fixture) : SharedFiles.fixturesToday().resolve(fixture);
        Path model = ExportOnnxFixturesTest.copyCheckpoint(Fixture.read(source), "model.safetensors",
                folder.resolve(fixture + "-" + ++exports));
        Path config = model.resolve("config.json");
        ObjectNode node = (ObjectNode) JSON.readTree(config.toFile());
        changes.forEach((key, value) -> node.set(key, JSON.valueToTree(value)));
        Files.writeString(config, JSON.writeValueAsString(node));
        return MainTest.run("export", "onnx", "--model", model.toString(), "--task", task,
                folder.resolve("out").toString());
    }

    private void assertRefused(MainTest.Run run, String... fragments) {
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        for (String fragment : fragments) {
            assertTrue(run.err().contains(fragment), "expected '" + fragment + "' in: " + run.err());
        }
        assertFalse(Files.exists(folder.resolve("out")));
    }

    @Test
    void ropeScalingTypesItDoesNotBuildAndMalformedOnesAreRefused() throws IOException {
        assertRefused(exportWith("llama--text-generation", "causal-lm",
                        Map.of("rope_scaling", Map.of("type", "mrope", "factor", 2.0))),
                "rope_scaling", "mrope", "default, linear, dynamic, yarn, longrope, su, llama3");
        assertRefused(exportWith("llama--text-generation-with-past", "causal-lm-with-past",
                        Map.of("rope_scaling", Map.of("rope_type", "llama3", "factor", 8.0))),
                "rope_scaling", "low_freq_factor", "llama3");
        assertRefused(exportWith("llama--text-generation", "causal-lm",
                        Map.of("rope_scaling", Map.of("type", "linear", "factor", 0.5))),
                "rope_scaling", "factor", "at least 1");
        assertRefused(exportWith("llama--text-generation", "causal-lm",
                        Map.of("rope_scaling", Map.of("type", "longrope", "short_factor", List.of(1.0),
                                "long_factor", List.of(1.0)))),
                "rope_scaling", "short_factor", "list of 4 numbers");
    }

    @Test
    void llamaOptionsItDoesNotBuildAreRefused() throws IOException {
        assertRefused(exportWith("llama--text-generation", "causal-lm", Map.of("partial_rotary_factor", 0.5)),
                "partial_rotary_factor", "0.5");
        assertRefused(exportWith("llama--text-generation", "causal-lm", Map.of("sliding_window", 4)),
                "sliding_window", "mistral, qwen2");
        assertRefused(exportWith("llama--feature-extraction", "default", Map.of("num_key_value_heads", 3)),
                "num_attention_heads 4", "num_key_value_heads 3");
    }

    @Test
    void llamaFlavourOptionsThatCannotBeBuiltAreRefused() throws IOException {
        Map<String, Object> noWindow = new java.util.HashMap<>();
        noWindow.put("sliding_window", null);
        assertRefused(exportWith("gemma2--text-generation", "text-generation", noWindow),
                "layer 0 uses sliding-window attention", "sliding_window is null");
        assertRefused(exportWith("gemma3-text--text-generation", "text-generation",
                Map.of("sliding_window_pattern", 0)), "sliding_window_pattern 0", "positive");
        assertRefused(exportWith("granite--text-generation", "text-generation", Map.of("logits_scaling", 0.0)),
                "logits_scaling 0.0", "positive");
        assertRefused(exportWith("qwen3--text-generation", "text-generation", Map.of("partial_rotary_factor", 0.5)),
                "partial_rotary_factor 0.5", "whole heads");
    }

    @Test
    void codegenNeedsHeadsInFourBlocks() throws IOException {
        assertRefused(exportWith("codegen--causal-lm", "causal-lm", Map.of("n_head", 6)), "n_head 6", "4");
    }

    @Test
    void gpt2CrossAttentionIsRefused() throws IOException {
        assertRefused(exportWith("gpt2--causal-lm", "causal-lm", Map.of("add_cross_attention", true)),
                "add_cross_attention");
    }

    @Test
    void gptNeoNeedsOneAttentionTypePerLayer() throws IOException {
        assertRefused(exportWith("gpt-neo--default", "default",
                        Map.of("attention_layers", List.of("global", "sparse"))),
                "sparse", "global and local");
    }
}
