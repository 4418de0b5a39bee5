package org.exporters4j.models.levit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every levit fixture (base model, image classification), built straight from the checkpoint, gives PyTorch's outputs within 1e-5. */
class LevitFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("levit"), folder);
    }

    /**
     * hidden_sizes [12, 24, 36] (../shared/fixtures-options): the patch embedding widens through 12 // 8 = 1,
     * 12 // 4 = 3 and 12 // 2 = 6 channels, as Transformers builds it; the base model and the classifier match PyTorch.
     */
    @TestFactory
    Stream<DynamicTest> aFirstHiddenSizeNotAMultipleOfEightMatchesPyTorch() {
        return Fixture.ofOptions(List.of("levit")).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(),
                () -> {
                    assertEquals(List.of(12, 24, 36), ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                            .intList("hidden_sizes"));
                    ArchitectureFixtures.assertMatchesPyTorch(fixture, folder.resolve("options-" + fixture));
                }));
    }

    /**
     * The bias indices the graph computes equal the {@code attention_bias_idxs} buffers Transformers stored in the
     * checkpoint: attention on the 4×4, 2×2 and 1×1 grids, and subsampling 4×4 → 2×2 and 2×2 → 1×1 (stride 2).
     */
    @Test
    void gridOffsetsEqualTheStoredBiasIndices() throws Exception {
        Fixture fixture = Fixture.of(List.of("levit")).get(0);
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            String prefix = weights.contains("encoder.stages.0.layers.0.module.attention_bias_idxs") ? "" : "levit.";
            check(weights, prefix + "encoder.stages.0.layers.0.module.attention_bias_idxs",
                    LevitArchitecture.gridOffsets(4, 4, 1));
            check(weights, prefix + "encoder.stages.0.layers.2.attention_bias_idxs",
                    LevitArchitecture.gridOffsets(4, 2, 2));
            check(weights, prefix + "encoder.stages.1.layers.0.module.attention_bias_idxs",
                    LevitArchitecture.gridOffsets(2, 2, 1));
            check(weights, prefix + "encoder.stages.1.layers.2.attention_bias_idxs",
                    LevitArchitecture.gridOffsets(2, 1, 2));
            check(weights, prefix + "encoder.stages.2.layers.0.module.attention_bias_idxs",
                    LevitArchitecture.gridOffsets(1, 1, 1));
        }
    }

    private static void check(Weights weights, String name, LevitArchitecture.GridOffsets offsets) throws Exception {
        ByteBuffer stored = weights.bytes(name).order(ByteOrder.LITTLE_ENDIAN);
        long[] expected = new long[stored.remaining() / 8];
        stored.asLongBuffer().get(expected);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        offsets.indices().writeTo(Channels.newChannel(bytes));
        long[] actual = new long[expected.length];
        ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(actual);
        assertArrayEquals(expected, actual, name);
        assertEquals(weights.info(name).shape(), offsets.indices().dims(), name);
    }
}
