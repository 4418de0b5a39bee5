package org.exporters4j.models.beit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.blocks.ImageSize;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fixture of the BEiT family (beit, data2vec-vision; relative position bias, layer scale, mean pooling) gives
 * PyTorch's outputs within 1e-5; the relative position index equals BeitRelativePositionBias's.
 */
class BeitFamilyFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return ArchitectureFixtures.everyFixtureMatchesPyTorch(List.of("beit", "data2vec-vision"), folder);
    }

    /** The index the graph computes equals the relative_position_index buffer Transformers stored (4 × 4 window). */
    @Test
    void relativePositionIndexEqualsTheStoredBuffer() throws Exception {
        Fixture fixture = Fixture.of(List.of("beit")).get(0);
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            String name = "encoder.layer.0.attention.attention.relative_position_bias.relative_position_index";
            if (!weights.contains(name)) {
                name = "beit." + name;
            }
            ByteBuffer stored = weights.bytes(name).order(ByteOrder.LITTLE_ENDIAN);
            long[] expected = new long[stored.remaining() / 8];
            stored.asLongBuffer().get(expected);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BeitArchitecture.relativePositionIndex(new ImageSize(4, 4)).writeTo(Channels.newChannel(bytes));
            long[] actual = new long[expected.length];
            ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(actual);
            assertArrayEquals(expected, actual);
        }
    }

    /** A 2 × 3 window: 7 tokens, (3·5) + 3 = 18 table rows, values worked out by hand from Transformers' formula. */
    @Test
    void relativePositionIndexOfARectangularWindow() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BeitArchitecture.relativePositionIndex(new ImageSize(2, 3)).writeTo(Channels.newChannel(bytes));
        ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        long[] index = new long[49];
        buffer.asLongBuffer().get(index);
        long[] firstRow = new long[7];
        System.arraycopy(index, 0, firstRow, 0, 7);
        assertArrayEquals(new long[] {17, 15, 15, 15, 15, 15, 15}, firstRow);
        // patch (0,0) to patches (0,0) (0,1) (0,2) (1,0) (1,1) (1,2): (dh + 1) · 5 + (dw + 2)
        long[] secondRow = new long[7];
        System.arraycopy(index, 7, secondRow, 0, 7);
        assertArrayEquals(new long[] {16, 7, 6, 5, 2, 1, 0}, secondRow);
        // patch (1,2) to patch (0,0): dh = 1, dw = 2 → 2 · 5 + 4 = 14
        long[] lastRow = new long[7];
        System.arraycopy(index, 42, lastRow, 0, 7);
        assertArrayEquals(new long[] {16, 14, 13, 12, 9, 8, 7}, lastRow);
    }
}
