package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordedWeightsTest {
    @TempDir
    Path folder;

    @Test
    void readsAreRecordedProbesAreNotAndTiedCopiesCountAsRead() throws IOException {
        Path file = new SafetensorsFileWriter()
                .add("embeddings.weight", DType.F32, List.of(2L, 2L), SafetensorsFileWriter.floats(1, 2, 3, 4))
                .add("lm_head.weight", DType.F32, List.of(2L, 2L), SafetensorsFileWriter.floats(1, 2, 3, 4))
                .add("other.weight", DType.F32, List.of(2L, 2L), SafetensorsFileWriter.floats(1, 2, 3, 5))
                .add("position_ids", DType.I64, List.of(2L), SafetensorsFileWriter.longs(0, 1))
                .add("bias", DType.F32, List.of(2L), SafetensorsFileWriter.floats(7, 8))
                .write(folder.resolve("model.safetensors"));
        try (Weights weights = Checkpoints.open(file)) {
            RecordedWeights recorded = new RecordedWeights(weights);
            assertTrue(recorded.contains("bias"));
            assertEquals(List.of(), List.copyOf(recorded.read()), "contains() is a probe, not a read");
            recorded.info("embeddings.weight");
            recorded.bytes("bias");
            assertEquals(List.of("bias", "embeddings.weight"), List.copyOf(recorded.read()));
            // lm_head.weight holds the same bytes as the read embeddings (a tied copy stored under its own name)
            assertEquals(List.of("other.weight", "position_ids"), List.copyOf(recorded.unread()));

            recorded.close();
            assertEquals(4, weights.info("bias").elementCount() * 2, "closing the view leaves the weights open");
        }
    }
}
