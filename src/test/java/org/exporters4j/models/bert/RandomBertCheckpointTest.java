package org.exporters4j.models.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator of the example and benchmark checkpoints writes the same weights in both formats. */
class RandomBertCheckpointTest {
    @TempDir
    Path folder;

    @Test
    void bothFormatsHoldTheSameTensorsAndTheConfigMatchesThem() throws Exception {
        RandomBertCheckpoint.write(folder, RandomBertCheckpoint.Size.TINY,
                List.of(RandomBertCheckpoint.Format.SAFETENSORS, RandomBertCheckpoint.Format.PYTORCH), 7);
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        assertEquals(List.of("BertForSequenceClassification"), config.architectures());
        assertEquals(2, config.numLabels());
        try (Weights safetensors = Checkpoints.openWeights(folder, WeightsFormat.SAFETENSORS);
             Weights pytorch = Checkpoints.openWeights(folder, WeightsFormat.PYTORCH)) {
            assertEquals(safetensors.names(), pytorch.names());
            assertEquals(5 + 2 * 16 + 4, safetensors.names().size());
            for (String name : safetensors.names()) {
                assertEquals(safetensors.info(name).shape(), pytorch.info(name).shape(), name);
                assertEquals(safetensors.bytes(name), pytorch.bytes(name), name);
            }
            assertEquals(List.of(1000L, 32L), safetensors.info("bert.embeddings.word_embeddings.weight").shape());
            float first = safetensors.bytes("bert.encoder.layer.1.output.dense.weight")
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0);
            assertTrue(first != 0 && Math.abs(first) < 0.2, "normal(0, 0.02) weights, got " + first);
        }
    }
}
