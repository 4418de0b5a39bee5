package org.exporters4j.models.modernbert;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.EditedCheckpoint.Tensor;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.TodayFixtures;
import org.exporters4j.models.UnsupportedConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModernBERT's options beyond the fixtures' values: an untied decoder is read from {@code decoder.weight} (the tied
 * one from the token embeddings, which the fixtures cover), and values ModernBertConfig does not define are refused
 * naming the option.
 */
class ModernBertOptionsTest {
    @TempDir
    Path folder;

    private static Fixture fixture(String task) {
        return Fixture.ofToday(List.of("modernbert")).stream().filter(f -> f.task().equals(task)).findFirst()
                .orElseThrow();
    }

    @Test
    void anUntiedDecoderIsReadFromItsOwnWeight() throws Exception {
        Fixture fixture = fixture("fill-mask");
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        edited.config().put("tie_word_embeddings", false);
        Tensor embeddings = edited.tensor("model.embeddings.tok_embeddings.weight");
        edited.put("decoder.weight", embeddings);
        // row 99 is no input token: moving it in the input table changes only what a tied decoder would score
        float[] shifted = embeddings.values().clone();
        for (int column = 0; column < 32; column++) {
            shifted[99 * 32 + column] += 1.0f;
        }
        edited.put("model.embeddings.tok_embeddings.weight", new Tensor(embeddings.shape(), shifted));
        TodayFixtures.assertMatchesPyTorch(new ModernBertArchitecture(), fixture, edited.write(folder.resolve("c")),
                folder.resolve("out"));
    }

    @Test
    void undefinedValuesAreRefusedNamingTheOption() {
        Fixture fixture = fixture("text-classification");
        assertRefused(UnsupportedConfigException.class, fixture, Map.of("classifier_pooling", "max"),
                "classifier_pooling \"max\"");
        assertRefused(ModelConfigException.class, fixture, Map.of("global_attn_every_n_layers", 0),
                "global_attn_every_n_layers 0");
    }

    private static void assertRefused(Class<? extends RuntimeException> type, Fixture fixture,
                                      Map<String, ?> overrides, String named) {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json")).withOverrides(overrides);
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            RuntimeException refusal = assertThrows(type,
                    () -> new ModernBertArchitecture().build(config, weights, fixture.variant(),
                            fixture.graphInterface(fixture.defaultOpset())));
            assertTrue(refusal.getMessage().contains(named), refusal.getMessage());
        }
    }
}
