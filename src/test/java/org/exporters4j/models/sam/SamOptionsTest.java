package org.exporters4j.models.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.EditedCheckpoint.Tensor;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAM's vision options the fixture does not set, each against an identity of Transformers' computation: an option
 * off equals its tensors zero ({@code use_abs_pos}, {@code use_rel_pos}, {@code qkv_bias}), and a window as large as
 * the grid equals global attention; options it refuses name the option, the value and the fix.
 */
class SamOptionsTest {
    @TempDir
    Path folder;

    @Test
    void absolutePositionsOffEqualZeroPositions() throws Exception {
        Fixture fixture = fixture();
        EditedCheckpoint zero = EditedCheckpoint.of(fixture.checkpoint());
        zero.put("vision_encoder.pos_embed", new Tensor(List.of(1L, 8L, 8L, 32L), new float[8 * 8 * 32]));
        assertSame(embeddings(zero.write(folder.resolve("zero-positions")), Map.of(), "zero"),
                embeddings(fixture.checkpoint(), Map.of("use_abs_pos", false), "off"),
                embeddings(fixture.checkpoint(), Map.of(), "on"));
    }

    @Test
    void relativePositionsOffEqualZeroTables() throws Exception {
        Fixture fixture = fixture();
        EditedCheckpoint zero = EditedCheckpoint.of(fixture.checkpoint());
        // layer 0 is windowed (4 × 4: 7 rows), layer 1 global (8 × 8: 15 rows)
        for (int layer = 0; layer < 2; layer++) {
            long rows = layer == 0 ? 7 : 15;
            for (String table : List.of("rel_pos_h", "rel_pos_w")) {
                zero.put("vision_encoder.layers." + layer + ".attn." + table,
                        new Tensor(List.of(rows, 8L), new float[Math.toIntExact(rows * 8)]));
            }
        }
        assertSame(embeddings(zero.write(folder.resolve("zero-tables")), Map.of(), "zero"),
                embeddings(fixture.checkpoint(), Map.of("use_rel_pos", false), "off"),
                embeddings(fixture.checkpoint(), Map.of(), "on"));
    }

    @Test
    void noQueryKeyValueBiasEqualsAZeroBias() throws Exception {
        Fixture fixture = fixture();
        EditedCheckpoint zero = EditedCheckpoint.of(fixture.checkpoint());
        EditedCheckpoint none = EditedCheckpoint.of(fixture.checkpoint());
        for (int layer = 0; layer < 2; layer++) {
            String bias = "vision_encoder.layers." + layer + ".attn.qkv.bias";
            zero.put(bias, new Tensor(List.of(96L), new float[96]));
            none.remove(bias);
        }
        assertSame(embeddings(zero.write(folder.resolve("zero-bias")), Map.of(), "zero"),
                embeddings(none.write(folder.resolve("no-bias")), Map.of("qkv_bias", false), "off"),
                embeddings(fixture.checkpoint(), Map.of(), "on"));
    }

    /** Without relative positions, one window of the whole 8 × 8 grid is global attention. */
    @Test
    void aWindowOfTheWholeGridIsGlobalAttention() throws Exception {
        Fixture fixture = fixture();
        float[] windowed = embeddings(fixture.checkpoint(), Map.of("use_rel_pos", false, "window_size", 8,
                "global_attn_indexes", List.of()), "windowed");
        float[] global = embeddings(fixture.checkpoint(), Map.of("use_rel_pos", false, "global_attn_indexes",
                List.of(0, 1)), "global");
        assertTrue(OnnxRuntimeRun.maxAbsDiff(windowed, global) <= 1e-6, "max abs diff "
                + OnnxRuntimeRun.maxAbsDiff(windowed, global));
        float[] smallWindows = embeddings(fixture.checkpoint(), Map.of("use_rel_pos", false), "small");
        assertTrue(OnnxRuntimeRun.maxAbsDiff(smallWindows, global) > 1e-3, "4 × 4 windows differ from global");
    }

    @Test
    void inconsistentSizesAreRefused() {
        Fixture fixture = fixture();
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(Map.of("vision_config", Map.of("output_channels", 24, "hidden_size", 32,
                        "num_attention_heads", 4, "image_size", 64, "patch_size", 8, "window_size", 4,
                        "global_attn_indexes", List.of(1), "num_pos_feats", 8, "num_hidden_layers", 2)));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                    () -> new SamArchitecture().build(config, weights, fixture.variant(),
                            fixture.graphInterface(fixture.defaultOpset())));
            assertTrue(error.getMessage().contains("output_channels 24") && error.getMessage().contains(
                    "must be equal"), error.getMessage());
        }
    }

    private static void assertSame(float[] zeroTensors, float[] optionOff, float[] fixtureOutput) {
        assertEquals(zeroTensors.length, optionOff.length);
        assertTrue(OnnxRuntimeRun.maxAbsDiff(zeroTensors, optionOff) <= 1e-6, "max abs diff "
                + OnnxRuntimeRun.maxAbsDiff(zeroTensors, optionOff));
        assertTrue(OnnxRuntimeRun.maxAbsDiff(fixtureOutput, optionOff) > 1e-4, "the option changes the output");
    }

    private static Fixture fixture() {
        return Fixture.ofToday(List.of("sam")).get(0);
    }

    /** The vision encoder's image embeddings, the vision config edited by {@code overrides}. */
    private float[] embeddings(Path checkpoint, Map<String, Object> overrides, String name) throws Exception {
        Fixture fixture = fixture();
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
        if (!overrides.isEmpty()) {
            Map<String, Object> vision = new java.util.LinkedHashMap<>(config.optionalObject("vision_config")
                    .orElseThrow());
            vision.putAll(overrides);
            config = config.withOverrides(Map.of("vision_config", vision));
        }
        Fixture.Submodel encoder = fixture.submodels().get(0);
        Path out = folder.resolve(name + "-model");
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            OnnxModel model = new SamArchitecture().build(config, weights, fixture.variant(),
                    encoder.graphInterface(fixture, fixture.defaultOpset()));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        return OnnxRuntimeRun.run(out.resolve("model.onnx"), fixture.inputsFile()).get("image_embeddings").values();
    }
}
