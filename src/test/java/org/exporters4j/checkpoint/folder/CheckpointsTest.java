package org.exporters4j.checkpoint.folder;

import static org.exporters4j.checkpoint.SafetensorsFileWriter.ramp;
import static org.exporters4j.checkpoint.WeightBytes.toArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.MissingTensorException;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.WeightBytes;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a folder's weights come from, sharded checkpoints, and recognising a single file by content. */
class CheckpointsTest {
    @TempDir
    Path dir;

    @Test
    void prefersSafetensorsAsTransformersDoesAndOpensAChosenFormat() throws IOException {
        new SafetensorsFileWriter().add("w", DType.F32, List.of(1L), ramp(1, 5)).write(dir.resolve("model.safetensors"));
        // a pytorch_model.bin that is really safetensors: open(file) goes by content, the format by folder file name
        new SafetensorsFileWriter().add("v", DType.F32, List.of(1L), ramp(1, 6)).write(dir.resolve("other.bin"));
        try (Weights weights = Checkpoints.openWeights(dir)) {
            assertEquals(WeightsFormat.SAFETENSORS, weights.format());
            assertEquals(List.of(dir.resolve("model.safetensors")), weights.files());
            assertEquals(List.of("w"), weights.names());
        }
        try (Weights weights = Checkpoints.open(dir.resolve("other.bin"))) {
            assertEquals(WeightsFormat.SAFETENSORS, weights.format());
            assertEquals(6f, weights.bytes("v").getFloat(0));
        }
        CheckpointException missing = assertThrows(CheckpointException.class,
                () -> Checkpoints.openWeights(dir, WeightsFormat.PYTORCH));
        assertEquals("no PYTORCH weights in " + dir + ": looked for pytorch_model.bin, pytorch_model.bin.index.json;"
                + " the folder has SAFETENSORS weights: open those instead; the folder holds model.safetensors,"
                + " other.bin", missing.getMessage());
    }

    @Test
    void aFolderWithoutWeightsNamesEveryFileLookedFor() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.write(dir.resolve("flax_model.msgpack"), new byte[] {(byte) 0x80});
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.openWeights(dir));
        assertEquals("no weights in " + dir + ": looked for model.safetensors, model.safetensors.index.json,"
                + " pytorch_model.bin, pytorch_model.bin.index.json, tf_model.h5, tf_model.h5.index.json; it has"
                + " flax_model.msgpack, which exporters4j does not read yet: load the model in Transformers with"
                + " from_flax=True and save_pretrained it to write model.safetensors; the folder holds config.json,"
                + " flax_model.msgpack. Point at the folder save_pretrained wrote, or download the model's weights into"
                + " it", e.getMessage());
        assertThrows(CheckpointException.class, () -> Checkpoints.openWeights(dir.resolve("absent")));
        CheckpointException notFolder = assertThrows(CheckpointException.class,
                () -> Checkpoints.openWeights(dir.resolve("config.json")));
        assertTrue(notFolder.getMessage().contains("is a file, not a checkpoint folder"), notFolder.getMessage());
    }

    @Test
    void tensorFlowWeightsAreTheLastChoiceAndReadAsPyTorchWeights() throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "bert", "architectures": ["BertForSequenceClassification"]}""");
        try (io.jhdf.WritableHdfFile hdf = io.jhdf.HdfFile.write(dir.resolve("tf_model.h5"))) {
            hdf.putAttribute("layer_names", new String[] {"classifier"});
            io.jhdf.api.WritableGroup classifier = hdf.putGroup("classifier");
            classifier.putAttribute("weight_names", new String[] {"tf_bert_for_sequence_classification/classifier/kernel:0"});
            classifier.putGroup("tf_bert_for_sequence_classification").putGroup("classifier")
                    .putDataset("kernel:0", new float[][] {{1, 2, 3}, {4, 5, 6}});
        }
        try (Weights weights = Checkpoints.openWeights(dir)) {
            assertEquals(WeightsFormat.TF_H5, weights.format());
            assertEquals(List.of("classifier.weight"), weights.names());
            assertEquals(List.of(3L, 2L), weights.info("classifier.weight").shape());
            assertEquals(4f, weights.bytes("classifier.weight").getFloat(4)); // weight[0][1] == kernel[1][0]
        }
        try (Weights weights = Checkpoints.open(dir.resolve("tf_model.h5"))) {
            assertEquals(WeightsFormat.TF_H5, weights.format());
        }
        new SafetensorsFileWriter().add("w", DType.F32, List.of(1L), ramp(1, 5)).write(dir.resolve("model.safetensors"));
        try (Weights weights = Checkpoints.openWeights(dir)) {
            assertEquals(WeightsFormat.SAFETENSORS, weights.format());
        }
        try (Weights weights = Checkpoints.openWeights(dir, WeightsFormat.TF_H5)) {
            assertEquals(List.of("classifier.weight"), weights.names());
        }
    }

    @Test
    void damagedAndShardedTensorFlowWeightsSayWhatIsWrong() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
        Files.write(dir.resolve("tf_model.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
        CorruptCheckpointException damaged = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.openWeights(dir));
        assertTrue(damaged.getMessage().startsWith(dir.resolve("tf_model.h5") + " is not a readable HDF5 file"),
                damaged.getMessage());
        Files.delete(dir.resolve("tf_model.h5"));
        Files.writeString(dir.resolve("tf_model.h5.index.json"), "{\"weight_map\": {}}");
        CheckpointException sharded = assertThrows(CheckpointException.class, () -> Checkpoints.openWeights(dir));
        assertTrue(sharded.getMessage().contains("sharded TensorFlow checkpoint"), sharded.getMessage());
    }

    @Test
    void aSafetensorsHeaderWhoseLengthLooksLikeAPickleProtocolIsStillSafetensors() throws IOException {
        // 640 = 0x0280: the file starts 0x80 0x02, a pickle's protocol-2 opcode (fixtures-today's step inputs do)
        String tensor = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path file = SafetensorsFileWriter.writeRaw(dir.resolve("inputs.bin"), tensor + " ".repeat(640 - tensor.length()),
                SafetensorsFileWriter.floats(7f));
        assertEquals(0x80, Files.readAllBytes(file)[0] & 0xff);
        try (Weights weights = Checkpoints.open(file)) {
            assertEquals(WeightsFormat.SAFETENSORS, weights.format());
            assertEquals(7f, weights.bytes("x").order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0));
        }
    }

    @Test
    void anUnrecognisedFileShowsItsFirstBytes() throws IOException {
        Path file = Files.writeString(dir.resolve("weights.dat"), "hello world");
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        assertEquals(file + " is neither safetensors nor a PyTorch checkpoint (it starts with bytes"
                + " 68656c6c6f20776f72 \"hello wor\"); pass model.safetensors or pytorch_model.bin as save_pretrained"
                + " writes them", e.getMessage());
        CheckpointException absent = assertThrows(CheckpointException.class,
                () -> Checkpoints.open(dir.resolve("nothing.safetensors")));
        assertEquals("weight file not found: " + dir.resolve("nothing.safetensors"), absent.getMessage());
    }

    @Test
    void readsAShardedSafetensorsCheckpointAsOneStateDict() throws IOException {
        new SafetensorsFileWriter().add("a", DType.F32, List.of(2L), ramp(2, 0)).add("b", DType.F32, List.of(1L),
                ramp(1, 10)).write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsFileWriter().add("c", DType.F32, List.of(3L), ramp(3, 20))
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        index("model.safetensors.index.json", "\"a\": \"model-00001-of-00002.safetensors\","
                + " \"b\": \"model-00001-of-00002.safetensors\", \"c\": \"model-00002-of-00002.safetensors\"");
        try (Weights weights = Checkpoints.openWeights(dir)) {
            assertEquals(WeightsFormat.SAFETENSORS, weights.format());
            assertEquals(List.of("a", "b", "c"), weights.names());
            assertEquals(List.of(dir.resolve("model.safetensors.index.json"),
                    dir.resolve("model-00001-of-00002.safetensors").toAbsolutePath(),
                    dir.resolve("model-00002-of-00002.safetensors").toAbsolutePath()), weights.files());
            assertArrayEquals(ramp(3, 20), toArray(weights.bytes("c")));
            assertArrayEquals(ramp(3, 20), WeightBytes.streamed(weights, "c"));
            assertEquals(new TensorInfo("b", DType.F32, List.of(1L)), weights.info("b"));
            MissingTensorException e = assertThrows(MissingTensorException.class, () -> weights.info("d"));
            assertTrue(e.getMessage().contains("no tensor 'd' in the shards of"), e.getMessage());
            weights.close();
            weights.close();
            assertThrows(IllegalStateException.class, () -> weights.bytes("a"));
        }
    }

    @Test
    void anIndexIsReadBoundedAndAsOneJsonObject() throws IOException {
        Path sparse = dir.resolve("model.safetensors.index.json");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(3L << 30); // sparse: read whole it would need 3 GiB
        }
        CorruptCheckpointException big = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.openWeights(dir));
        assertEquals(sparse + " is 3221225472 bytes, over the 100000000-byte cap on a weights index (see README,"
                + " Security and limits); it is not a weights index a checkpoint needs", big.getMessage());
        Files.delete(sparse);
        Path trailing = index("model.safetensors.index.json", "\"a\": \"s1.safetensors\"");
        Files.writeString(trailing, Files.readString(trailing) + "{}");
        assertTrue(assertThrows(CorruptCheckpointException.class, () -> Checkpoints.openWeights(dir)).getMessage()
                .contains("is not valid JSON: more follows its first JSON value"));
        Path folderIndex = Files.createDirectories(dir.resolve("sub/other.safetensors.index.json"));
        assertEquals(folderIndex + " is a folder; a weights index must be a regular file",
                assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(folderIndex)).getMessage());
    }

    @Test
    void weightsTruncatedDuringTheExportSaySoNotTheJdksSymptom() throws IOException {
        Path file = new SafetensorsFileWriter().add("w", DType.F32, List.of(256L), ramp(256, 0))
                .write(dir.resolve("model.safetensors"));
        long size = Files.size(file);
        try (Weights weights = Checkpoints.open(file, 64)) {
            try (java.nio.channels.FileChannel writer = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE)) {
                writer.truncate(size / 2); // another process cuts the file while the export streams it
            }
            Path sink = dir.resolve("sink.bin");
            try (java.nio.channels.FileChannel target = java.nio.channels.FileChannel.open(sink,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> weights.transferTo("w", target));
                assertEquals(file + " changed while the export read it: it was " + size + " bytes when opened and is "
                        + size / 2 + " bytes now; leave the checkpoint unchanged until the export ends, then run it "
                        + "again", e.getMessage(), "not \"Channel not open for writing\"");
            }
        }
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        new SafetensorsFileWriter().add("a", DType.F32, List.of(1L), ramp(1, 0)).write(dir.resolve("s1.safetensors"));
        index("model.safetensors.index.json", "\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.openWeights(dir));
        assertEquals("shard s2.safetensors named by " + dir.resolve("model.safetensors.index.json") + " is missing"
                + " (looked for " + dir.resolve("s2.safetensors").toAbsolutePath() + "); download every shard of the"
                + " checkpoint", e.getMessage());
    }

    @Test
    void aTensorInTwoShardsOrMissingFromItsShardIsRefused() throws IOException {
        new SafetensorsFileWriter().add("a", DType.F32, List.of(1L), ramp(1, 0)).write(dir.resolve("s1.safetensors"));
        new SafetensorsFileWriter().add("a", DType.F32, List.of(1L), ramp(1, 0)).add("b", DType.F32, List.of(1L),
                ramp(1, 0)).write(dir.resolve("s2.safetensors"));
        Path twice = index("twice.safetensors.index.json", "\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"");
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(twice));
        assertTrue(e.getMessage().startsWith("tensor 'a' is in two shards of " + twice + ": s1.safetensors and"
                + " s2.safetensors"), e.getMessage());

        Path misplaced = index("misplaced.safetensors.index.json", "\"a\": \"s1.safetensors\", \"x\": \"s1.safetensors\"");
        CorruptCheckpointException absent = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(misplaced));
        assertTrue(absent.getMessage().contains("puts tensor 'x' in s1.safetensors, which does not hold it"),
                absent.getMessage());
    }

    @Test
    void anIndexMayNotLeaveItsFolderAndMustHoldAWeightMap() throws IOException {
        Path escape = index("a.index.json", "\"a\": \"../outside.safetensors\"");
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(escape));
        assertTrue(e.getMessage().contains("maps to shard \"../outside.safetensors\", which is not a file name inside"),
                e.getMessage());
        Path noMap = Files.writeString(dir.resolve("b.index.json"), "{\"metadata\": {}}");
        CorruptCheckpointException none = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(noMap));
        assertTrue(none.getMessage().contains("has no \"weight_map\" object"), none.getMessage());
        Path broken = Files.writeString(dir.resolve("c.index.json"), "{\"weight_map\": ");
        assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(broken));
    }

    @Test
    void anIndexNamingItselfOrAnotherIndexIsRefusedWithoutRecursing() throws IOException {
        // was a StackOverflowError: each index opened its "shard" as an index again
        Path itself = index("model.safetensors.index.json", "\"w\": \"model.safetensors.index.json\"");
        CorruptCheckpointException self = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.openWeights(dir));
        assertEquals(itself + ": tensor 'w' maps to \"model.safetensors.index.json\", which is an index, not a shard:"
                + " a weight_map names the weight files (model-00001-of-00002.safetensors); fix the weight_map or"
                + " download the index again", self.getMessage());

        Path first = index("a.safetensors.index.json", "\"w\": \"b.safetensors.index.json\"");
        index("b.safetensors.index.json", "\"w\": \"a.safetensors.index.json\"");
        CorruptCheckpointException pair = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(first));
        assertTrue(pair.getMessage().startsWith(first + ": tensor 'w' maps to \"b.safetensors.index.json\", which is"
                + " an index, not a shard"), pair.getMessage());

        // whatever a shard is named, it is opened as one weight file: an index's JSON there is not a weight file
        Path disguised = index("c.safetensors.index.json", "\"w\": \"shard.bin\"");
        Files.copy(disguised, dir.resolve("shard.bin"));
        CorruptCheckpointException json = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(disguised));
        assertTrue(json.getMessage().startsWith(dir.resolve("shard.bin").toAbsolutePath() + " is neither safetensors"
                + " nor a PyTorch checkpoint"), json.getMessage());
    }

    private Path index(String name, String weightMap) throws IOException {
        return Files.writeString(dir.resolve(name), "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {"
                + weightMap + "}}");
    }
}
