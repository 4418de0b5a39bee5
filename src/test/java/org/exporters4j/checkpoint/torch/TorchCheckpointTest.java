package org.exporters4j.checkpoint.torch;

import static org.exporters4j.checkpoint.SafetensorsFileWriter.floats;
import static org.exporters4j.checkpoint.SafetensorsFileWriter.longs;
import static org.exporters4j.checkpoint.SafetensorsFileWriter.ramp;
import static org.exporters4j.checkpoint.WeightBytes.streamed;
import static org.exporters4j.checkpoint.WeightBytes.toArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipOutputStream;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PyTorch files the test writes in both layouts: views, shared storages, types, byte order, damage, unsafe globals. */
class TorchCheckpointTest {
    @TempDir
    Path dir;

    /** A state dict with contiguous tensors, strided views and a tied (shared-storage) tensor. */
    private static TorchFileWriter stateDict() {
        byte[] half = {0x00, 0x3c, 0x00, (byte) 0xc0, 0x00, 0x38}; // 1.0, -2.0, 0.5 in float16
        byte[] bfloat = {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0}; // 1.0, -3.0 in bfloat16
        return new TorchFileWriter()
                .storage("0", DType.F32, ramp(12, 0))
                .tensor("dense.weight", "0", 0, new long[] {3, 4}, new long[] {4, 1})
                .tensor("lm_head.weight", "0", 0, new long[] {3, 4}, new long[] {4, 1}) // tied
                .tensor("dense.weight.T", "0", 0, new long[] {4, 3}, new long[] {1, 4}) // transposed view
                .tensor("rows", "0", 4, new long[] {2, 2}, new long[] {4, 1}) // rows 1-2, columns 0-1
                .tensor("scalar", "0", 5, new long[] {}, new long[] {})
                .contiguous("half", DType.F16, new long[] {3}, half)
                .contiguous("bfloat", DType.BF16, new long[] {2}, bfloat)
                .contiguous("position_ids", DType.I64, new long[] {1, 3}, longs(0, 1, 2))
                .contiguous("mask", DType.BOOL, new long[] {2}, new byte[] {1, 0});
    }

    @Test
    void zipAndLegacyLayoutsGiveTheSameTensors() throws IOException {
        Path zip = stateDict().withStateDictMetadata().writeZip(dir.resolve("pytorch_model.bin"), "pytorch_model");
        Path legacy = stateDict().writeLegacy(dir.resolve("legacy.bin"));
        for (Path file : List.of(zip, legacy)) {
            try (Weights weights = Checkpoints.open(file)) {
                String where = file.getFileName().toString();
                assertEquals(WeightsFormat.PYTORCH, weights.format());
                assertEquals(List.of("bfloat", "dense.weight", "dense.weight.T", "half", "lm_head.weight", "mask",
                        "position_ids", "rows", "scalar"), weights.names());
                assertEquals(new TensorInfo("dense.weight.T", DType.F32, List.of(4L, 3L)),
                        weights.info("dense.weight.T"));
                assertArrayEquals(ramp(12, 0), toArray(weights.bytes("dense.weight")), where);
                assertArrayEquals(floats(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11), toArray(weights.bytes("dense.weight.T")),
                        where);
                assertArrayEquals(floats(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11),
                        streamed(weights, "dense.weight.T"), where);
                assertArrayEquals(floats(4, 5, 8, 9), toArray(weights.bytes("rows")), where);
                assertArrayEquals(floats(5), toArray(weights.bytes("scalar")), where);
                assertEquals((short) 0xc000, weights.bytes("half").getShort(2), where); // -2.0 in float16
                assertEquals(-3.0f, Float.intBitsToFloat(weights.bytes("bfloat").getShort(2) << 16), where);
                assertEquals(DType.BF16, weights.info("bfloat").dtype());
                assertEquals(2, weights.bytes("position_ids").getLong(16));
                assertArrayEquals(new byte[] {1, 0}, toArray(weights.bytes("mask")));

                assertEquals(weights.storageIdentity("dense.weight"), weights.storageIdentity("lm_head.weight"));
                assertNotEquals(weights.storageIdentity("dense.weight"), weights.storageIdentity("dense.weight.T"));
                assertNotEquals(weights.storageIdentity("dense.weight"), weights.storageIdentity("rows"));
            }
        }
    }

    @Test
    void bigEndianFilesAreReadAsLittleEndian() throws IOException {
        ByteBuffer big = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        big.putFloat(1.5f).putFloat(-2f).putFloat(3f).putFloat(4.25f);
        TorchFileWriter writer = new TorchFileWriter().bigEndian()
                .storage("0", DType.F32, big.array())
                .tensor("w", "0", 0, new long[] {2, 2}, new long[] {2, 1})
                .tensor("w.T", "0", 0, new long[] {2, 2}, new long[] {1, 2});
        for (Path file : List.of(writer.writeZip(dir.resolve("big.bin"), "archive"),
                writer.writeLegacy(dir.resolve("big-legacy.bin")))) {
            try (Weights weights = Checkpoints.open(file)) {
                assertArrayEquals(floats(1.5f, -2f, 3f, 4.25f), toArray(weights.bytes("w")), file.toString());
                assertArrayEquals(floats(1.5f, 3f, -2f, 4.25f), toArray(weights.bytes("w.T")), file.toString());
                assertArrayEquals(floats(1.5f, -2f, 3f, 4.25f), streamed(weights, "w"), file.toString());
            }
        }
    }

    @Test
    void aPickleReferringToOsSystemIsRefusedWithTheGlobalNamed() throws IOException {
        byte[] exploit = new PickleWriter().proto(2).global("os", "system").unicode("touch " + dir.resolve("pwned"))
                .tuple1().reduce().stop().toByteArray();
        Path file = zipWith(dir.resolve("pytorch_model.bin"), "archive/data.pkl", exploit);
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> Checkpoints.open(file));
        assertEquals("os.system", e.global());
        assertTrue(e.getMessage().startsWith(file + " (archive/data.pkl) refers to the Python global 'os.system'"),
                e.getMessage());
        assertTrue(!Files.exists(dir.resolve("pwned")));
    }

    @Test
    void aCompressedStorageIsRefusedButACompressedPickleIsInflated() throws IOException {
        Path compressedStorage = stateDict().deflate("data/0").writeZip(dir.resolve("a.bin"), "a");
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(compressedStorage));
        assertEquals(compressedStorage + ": storage record a/data/0 is compressed (zip method 8); torch.save stores"
                + " storages uncompressed so they can be memory-mapped: re-save the checkpoint with torch.save (or"
                + " re-zip it without compression, zip -0)", e.getMessage());

        Path compressedPickle = stateDict().deflate("data.pkl").writeZip(dir.resolve("b.bin"), "b");
        try (Weights weights = Checkpoints.open(compressedPickle)) {
            assertArrayEquals(floats(4, 5, 8, 9), toArray(weights.bytes("rows")));
        }
    }

    @Test
    void damagedZipArchivesAreReportedWithTheFile() throws IOException {
        Path file = stateDict().writeZip(dir.resolve("pytorch_model.bin"), "archive");
        byte[] whole = Files.readAllBytes(file);
        Path truncated = Files.write(dir.resolve("truncated.bin"), Arrays.copyOf(whole, whole.length - 30));
        CorruptCheckpointException cut = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(truncated));
        assertEquals(truncated + " has no zip end-of-central-directory record (the file is truncated); it is not a"
                + " valid PyTorch zip checkpoint: download it again or re-save it with torch.save", cut.getMessage());

        Path missing = stateDict().omit("data/0").writeZip(dir.resolve("missing.bin"), "archive");
        CorruptCheckpointException absent = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(missing));
        assertTrue(absent.getMessage().startsWith(missing + ": tensor 'dense.weight' uses storage '0' but the archive"
                + " has no record archive/data/0"), absent.getMessage());

        Path noPickle = stateDict().omit("data.pkl").writeZip(dir.resolve("nopickle.bin"), "archive");
        CorruptCheckpointException none = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(noPickle));
        assertTrue(none.getMessage().contains("has no '<archive>/data.pkl' entries"), none.getMessage());

        // a storage record shorter than the tensors that use it
        Path shortStorage = new TorchFileWriter().storage("0", DType.F32, ramp(2, 0))
                .tensor("w", "0", 0, new long[] {4}, new long[] {1}).writeZip(dir.resolve("short.bin"), "archive");
        CorruptCheckpointException beyond = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(shortStorage));
        assertTrue(beyond.getMessage().startsWith(shortStorage + ": tensor 'w' cannot be placed in its storage"),
                beyond.getMessage());
    }

    @Test
    void aTruncatedLegacyFileIsReported() throws IOException {
        Path file = stateDict().writeLegacy(dir.resolve("legacy.bin"));
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 1));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        assertTrue(e.getMessage().startsWith(file + " is truncated: storage '"), e.getMessage());
    }

    @Test
    void aPickleThatIsNotAStateDictOfTensorsIsRefused() throws IOException {
        byte[] training = new PickleWriter().proto(2).emptyDict().mark().unicode("epoch").integer(3).setItems()
                .stop().toByteArray();
        Path file = zipWith(dir.resolve("checkpoint.bin"), "archive/data.pkl", training);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        assertEquals(file + " (archive/data.pkl): entry 'epoch' is a Long, not a tensor; the file holds more than a"
                + " model's state dict (e.g. a training checkpoint): save model.state_dict() with save_pretrained",
                e.getMessage());
    }

    @Test
    void readsAShardedPytorchCheckpoint() throws IOException {
        new TorchFileWriter().contiguous("a", DType.F32, new long[] {2}, ramp(2, 1))
                .writeZip(dir.resolve("pytorch_model-00001-of-00002.bin"), "pytorch_model-00001-of-00002");
        new TorchFileWriter().contiguous("b", DType.F32, new long[] {3}, ramp(3, 7))
                .writeLegacy(dir.resolve("pytorch_model-00002-of-00002.bin"));
        Files.writeString(dir.resolve("pytorch_model.bin.index.json"), "{\"weight_map\": {"
                + "\"a\": \"pytorch_model-00001-of-00002.bin\", \"b\": \"pytorch_model-00002-of-00002.bin\"}}");
        try (Weights weights = Checkpoints.openWeights(dir)) {
            assertEquals(WeightsFormat.PYTORCH, weights.format());
            assertEquals(List.of("a", "b"), weights.names());
            assertArrayEquals(ramp(3, 7), toArray(weights.bytes("b")));
        }
        CheckpointException wrongFormat = assertThrows(CheckpointException.class,
                () -> Checkpoints.openWeights(dir, WeightsFormat.SAFETENSORS));
        assertTrue(wrongFormat.getMessage().contains("the folder has PYTORCH weights"), wrongFormat.getMessage());
    }

    @Test
    void readsAZip64DirectoryWithMoreThan65535Entries() throws IOException {
        TorchFileWriter writer = stateDict();
        Path file = dir.resolve("zip64.bin");
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(stream))) {
            TorchFileWriter.storedEntry(zip, "archive/data.pkl", writer.statePickle(false));
            TorchFileWriter.storedEntry(zip, "archive/data/0", ramp(12, 0));
            TorchFileWriter.storedEntry(zip, "archive/data/1", new byte[] {0x00, 0x3c, 0x00, (byte) 0xc0, 0x00, 0x38});
            TorchFileWriter.storedEntry(zip, "archive/data/2", new byte[] {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0});
            TorchFileWriter.storedEntry(zip, "archive/data/3", longs(0, 1, 2));
            TorchFileWriter.storedEntry(zip, "archive/data/4", new byte[] {1, 0});
            for (int i = 0; i < 0x10000; i++) { // the JDK then writes the ZIP64 end record and locator
                TorchFileWriter.storedEntry(zip, "archive/.data/padding/" + i, new byte[0]);
            }
        }
        try (Weights weights = Checkpoints.open(file)) {
            assertArrayEquals(floats(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11), toArray(weights.bytes("dense.weight.T")));
        }
    }

    private static Path zipWith(Path file, String name, byte[] content) throws IOException {
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(stream))) {
            TorchFileWriter.storedEntry(zip, name, content);
        }
        return file;
    }
}
