package org.exporters4j.models.bart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.onnx.TensorData;
import org.junit.jupiter.api.Test;

/**
 * The computed sinusoidal tables against the tables Transformers 4.25.1 computed and saved in the fixtures'
 * checkpoints (Marian's causal-lm saves its decoder table, M2M-100 saves both), and against the formulas at a size
 * the fixtures do not have.
 */
class SinusoidalPositionsTest {

    @Test
    void marianTableEqualsTheOneTransformersSaved() throws Exception {
        float[] saved = savedTable("marian--causal-lm", "model.decoder.embed_positions.weight");
        float[] computed = values(SinusoidalPositions.MARIAN.table(32, 24, -1), 32 * 24);
        assertEquals(0.0, maxAbsDiff(saved, computed), 1e-7);
    }

    @Test
    void fairseqTableEqualsTheOneTransformersSaved() throws Exception {
        // M2M-100 fixture: max_position_embeddings 32 + offset 2 rows, d_model 24, pad_token_id 1 (a zero row)
        for (String name : List.of("model.encoder.embed_positions.weights", "model.decoder.embed_positions.weights")) {
            float[] saved = savedTable("m2m-100--seq2seq-lm", name);
            float[] computed = values(SinusoidalPositions.FAIRSEQ.table(34, 24, 1), 34 * 24);
            assertEquals(0.0, maxAbsDiff(saved, computed), 1e-7, name);
        }
    }

    @Test
    void oddWidthsFollowTheFormulas() {
        // Marian, dim 5: sentinel 3; columns sin(p/10000^(0/5)), sin(p/10000^(2/5)), sin(p/10000^(4/5)),
        // then cos of the odd columns' angles: cos(p/10000^(0/5)), cos(p/10000^(2/5))
        float[] marian = values(SinusoidalPositions.MARIAN.table(4, 5, -1), 20);
        int p = 3;
        assertEquals((float) Math.sin(p), marian[p * 5], 0f);
        assertEquals((float) Math.sin(p / Math.pow(10000, 0.4)), marian[p * 5 + 1], 0f);
        assertEquals((float) Math.sin(p / Math.pow(10000, 0.8)), marian[p * 5 + 2], 0f);
        assertEquals((float) Math.cos(p), marian[p * 5 + 3], 0f);
        assertEquals((float) Math.cos(p / Math.pow(10000, 0.4)), marian[p * 5 + 4], 0f);
        // fairseq, dim 7: half 3, columns [sin × 3 | cos × 3 | 0], padding row 2 all zero
        float[] fairseq = values(SinusoidalPositions.FAIRSEQ.table(5, 7, 2), 35);
        float step = (float) -(Math.log(10000) / 2);
        for (int i = 0; i < 3; i++) {
            float angle = 4f * (float) Math.exp((float) i * step);
            assertEquals((float) Math.sin(angle), fairseq[4 * 7 + i], 0f);
            assertEquals((float) Math.cos(angle), fairseq[4 * 7 + 3 + i], 0f);
        }
        assertEquals(0f, fairseq[4 * 7 + 6]);
        for (int column = 0; column < 7; column++) {
            assertEquals(0f, fairseq[2 * 7 + column]);
        }
        assertEquals(1f, fairseq[3], 0f); // position 0: cos(0)
    }

    @Test
    void emptyTablesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SinusoidalPositions.MARIAN.table(0, 8, -1));
    }

    private static float[] savedTable(String fixture, String name) throws Exception {
        Path checkpoint = SharedFiles.fixtures().resolve(fixture).resolve("checkpoint");
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            ByteBuffer bytes = weights.bytes(name).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / 4];
            bytes.asFloatBuffer().get(values);
            return values;
        }
    }

    private static float[] values(TensorData data, int count) {
        float[] values = new float[count];
        data.bytes().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static double maxAbsDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }
}
