package org.exporters4j.models.mpnet;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exporters4j.checkpoint.ModelConfig;
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
 * MPNet's options beyond the fixtures' values: Transformers 4.51 computes 32 relative position buckets whatever
 * {@code relative_attention_num_buckets} says (so a larger table gives PyTorch's outputs unchanged and a smaller one is
 * refused), and an untied decoder is read from {@code lm_head.decoder.weight}.
 */
class MpnetOptionsTest {
    @TempDir
    Path folder;

    private static Fixture fixture(String task) {
        return Fixture.ofToday(List.of("mpnet")).stream().filter(f -> f.task().equals(task)).findFirst()
                .orElseThrow();
    }

    @Test
    void aLargerBucketTableKeepsTheThirtyTwoBucketsTransformersComputes() throws Exception {
        Fixture fixture = fixture("feature-extraction");
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        edited.config().put("relative_attention_num_buckets", 40);
        String name = "encoder.relative_attention_bias.weight";
        Tensor table = edited.tensor(name);
        float[] grown = new float[40 * 4];
        System.arraycopy(table.values(), 0, grown, 0, table.values().length);
        float[] extra = EditedCheckpoint.random(new SplittableRandom(7), 5.0, 8, 4).values();
        System.arraycopy(extra, 0, grown, table.values().length, extra.length);
        edited.put(name, new Tensor(List.of(40L, 4L), grown));
        Path checkpoint = edited.write(folder.resolve("grown"));
        TodayFixtures.assertMatchesPyTorch(new MpnetArchitecture(), fixture, checkpoint,
                folder.resolve("out"));
    }

    @Test
    void fewerThanThirtyTwoBucketsAreRefusedNamingTheOption() {
        Fixture fixture = fixture("feature-extraction");
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(java.util.Map.of("relative_attention_num_buckets", 16));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            UnsupportedConfigException refusal = assertThrows(UnsupportedConfigException.class,
                    () -> new MpnetArchitecture().build(config, weights, fixture.variant(),
                            fixture.graphInterface(fixture.defaultOpset())));
            assertTrue(refusal.getMessage().contains("relative_attention_num_buckets 16"), refusal.getMessage());
            assertTrue(refusal.getMessage().contains("32"), refusal.getMessage());
        }
    }

    @Test
    void anUntiedDecoderIsReadFromItsOwnWeight() throws Exception {
        Fixture fixture = fixture("fill-mask");
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        edited.config().put("tie_word_embeddings", false);
        Tensor embeddings = edited.tensor("mpnet.embeddings.word_embeddings.weight");
        edited.put("lm_head.decoder.weight", embeddings);
        // the input table's row 99 (a token no input row holds) moves; the decoder keeps it: a graph that tied the
        // decoder to the input table would move logit 99 of every token, the untied one keeps PyTorch's
        float[] shifted = embeddings.values().clone();
        for (int column = 0; column < 32; column++) {
            shifted[99 * 32 + column] += 1.0f;
        }
        edited.put("mpnet.embeddings.word_embeddings.weight", new Tensor(embeddings.shape(), shifted));
        Path checkpoint = edited.write(folder.resolve("untied"));
        TodayFixtures.assertMatchesPyTorch(new MpnetArchitecture(), fixture, checkpoint,
                folder.resolve("out"));
    }
}
