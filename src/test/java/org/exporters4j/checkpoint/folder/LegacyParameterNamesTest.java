package org.exporters4j.checkpoint.folder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.WeightBytes;
import org.exporters4j.checkpoint.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints converted from the original TensorFlow BERT store LayerNorm.gamma / LayerNorm.beta; Transformers reads
 * them as weight / bias, and so does Checkpoints.open.
 */
class LegacyParameterNamesTest {
    @TempDir
    Path folder;

    @Test
    void gammaAndBetaAreReadAsWeightAndBias() throws IOException {
        Path file = new SafetensorsFileWriter()
                .add("bert.embeddings.LayerNorm.gamma", DType.F32, List.of(2L), SafetensorsFileWriter.floats(1, 2))
                .add("bert.embeddings.LayerNorm.beta", DType.F32, List.of(2L), SafetensorsFileWriter.floats(3, 4))
                .add("bert.pooler.dense.weight", DType.F32, List.of(1L), SafetensorsFileWriter.floats(5))
                .write(folder.resolve("model.safetensors"));
        try (Weights weights = Checkpoints.open(file)) {
            assertEquals(List.of("bert.embeddings.LayerNorm.bias", "bert.embeddings.LayerNorm.weight",
                    "bert.pooler.dense.weight"), weights.names());
            assertFalse(weights.contains("bert.embeddings.LayerNorm.gamma"));
            assertEquals(new TensorInfo("bert.embeddings.LayerNorm.weight", DType.F32, List.of(2L)),
                    weights.info("bert.embeddings.LayerNorm.weight"));
            assertArrayEquals(SafetensorsFileWriter.floats(3, 4),
                    WeightBytes.toArray(weights.bytes("bert.embeddings.LayerNorm.bias")));
        }
    }

    @Test
    void aStoredModernNameWinsAndNothingElseIsRenamed() throws IOException {
        Path file = new SafetensorsFileWriter()
                .add("norm.gamma", DType.F32, List.of(1L), SafetensorsFileWriter.floats(1))
                .add("norm.weight", DType.F32, List.of(1L), SafetensorsFileWriter.floats(2))
                .write(folder.resolve("model.safetensors"));
        try (Weights weights = Checkpoints.open(file)) {
            assertEquals(List.of("norm.gamma", "norm.weight"), weights.names());
            assertArrayEquals(SafetensorsFileWriter.floats(2), WeightBytes.toArray(weights.bytes("norm.weight")));
        }
        try (Weights fixture = Checkpoints.openWeights(SharedFiles.fixtures().resolve("bert--default/checkpoint"))) {
            Weights same = LegacyParameterNames.of(fixture);
            assertSame(fixture, same, "a checkpoint with today's names is not wrapped");
            assertTrue(fixture.contains("embeddings.LayerNorm.weight")
                    || fixture.contains("bert.embeddings.LayerNorm.weight"));
        }
        assertEquals("a.LayerNorm.bias", LegacyParameterNames.loadedName("a.LayerNorm.beta"));
        assertEquals("a.LayerNorm.weight", LegacyParameterNames.loadedName("a.LayerNorm.gamma"));
        assertEquals("a.dense.weight", LegacyParameterNames.loadedName("a.dense.weight"));
    }
}
