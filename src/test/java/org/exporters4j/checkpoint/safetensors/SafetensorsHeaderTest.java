package org.exporters4j.checkpoint.safetensors;

import static org.exporters4j.checkpoint.SafetensorsFileWriter.floats;
import static org.exporters4j.checkpoint.SafetensorsFileWriter.longs;
import static org.exporters4j.checkpoint.SafetensorsFileWriter.writeRaw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.TensorLocation;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsHeaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTensorsMetadataAndPlacesDataAfterTheHeader() throws IOException {
        Path file = new SafetensorsFileWriter()
                .add("b.weight", DType.F32, List.of(2L, 3L), floats(1, 2, 3, 4, 5, 6))
                .add("a.ids", DType.I64, List.of(2L), longs(7, -8))
                .add("scalar", DType.F32, List.of(), floats(9.5f))
                .add("empty", DType.F16, List.of(0L, 4L), new byte[0])
                .metadata("format", "pt")
                .write(dir.resolve("model.safetensors"));
        SafetensorsHeader header;
        try (FileChannel channel = FileChannel.open(file)) {
            header = SafetensorsHeader.read(file, channel);
        }
        assertEquals(Map.of("format", "pt"), header.metadata());
        assertEquals(List.of("a.ids", "b.weight", "empty", "scalar"),
                header.tensors().stream().map(t -> t.info().name()).toList());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        TensorLocation weight = header.tensors().get(1);
        assertEquals(new TensorInfo("b.weight", DType.F32, List.of(2L, 3L)), weight.info());
        assertEquals(8 + headerLength, weight.storageStart());
        assertEquals(24, weight.storageLength());
        assertEquals(8 + headerLength + 24, header.tensors().get(0).storageStart());
        assertTrue(weight.isContiguous());

        try (Weights weights = Checkpoints.open(file)) {
            assertEquals(WeightsFormat.SAFETENSORS, weights.format());
            ByteBuffer ids = weights.bytes("a.ids");
            assertEquals(ByteOrder.LITTLE_ENDIAN, ids.order());
            assertTrue(ids.isReadOnly());
            assertEquals(-8, ids.getLong(8));
            assertEquals(9.5f, weights.bytes("scalar").getFloat(0));
            assertEquals(6f, weights.bytes("b.weight").getFloat(20));
            assertEquals(0, weights.bytes("empty").remaining());
        }
    }

    @Test
    void refusesAFileShorterThanTheLengthField() throws IOException {
        Path file = Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
        assertProblem(file, "shorter than the 8-byte header length");
    }

    @Test
    void refusesAHeaderLongerThanTheFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        writeRaw(file, "{}", new byte[0]);
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] = 100; // declares 100 header bytes, 2 present
        Files.write(file, bytes);
        assertProblem(file, "is truncated: its header needs 100 bytes after the length but the file has 2");
    }

    @Test
    void refusesAnOversizedHeaderLength() throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L)
                .put("{}      ".getBytes());
        Path file = Files.write(dir.resolve("model.safetensors"), bytes.array());
        assertProblem(file, "declares a header of 200000000 bytes; a safetensors header is 2 to 100000000 bytes");
    }

    @Test
    void refusesHeadersThatAreNotAJsonObjectOfTensors() throws IOException {
        assertProblem(writeRaw(dir.resolve("a.safetensors"), "{\"x\": ", new byte[0]), "not valid JSON");
        assertProblem(writeRaw(dir.resolve("b.safetensors"), "[1, 2]", new byte[0]), "not a JSON object");
        assertProblem(writeRaw(dir.resolve("c.safetensors"), "{\"x\": 3}", new byte[0]),
                "describes tensor 'x' as 3");
        assertProblem(writeRaw(dir.resolve("d.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
                "Duplicate field 'x'");
        assertProblem(writeRaw(dir.resolve("e.safetensors"), "{\"__metadata__\":{\"n\":1}}", new byte[0]),
                "__metadata__ entry 'n' = 1; metadata values are strings");
    }

    @Test
    void refusesUnknownTypesAndBadShapes() throws IOException {
        assertProblem(writeRaw(dir.resolve("a.safetensors"),
                "{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]),
                "tensor 'x' has dtype \"F8_E4M3\", which exporters4j does not read (it reads F64, F32, F16, BF16");
        assertProblem(writeRaw(dir.resolve("b.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]),
                "gives tensor 'x' shape [-1]; expected non-negative integers");
        assertProblem(writeRaw(dir.resolve("c.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]),
                "expected non-negative integers");
        assertProblem(writeRaw(dir.resolve("d.safetensors"), "{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}",
                new byte[4]), "gives tensor 'x' no dtype string");
    }

    @Test
    void refusesOffsetsOutsideTheDataOrOfTheWrongLength() throws IOException {
        assertProblem(writeRaw(dir.resolve("a.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]),
                "puts tensor 'x' at data bytes 0-8 but the data area has 4 bytes");
        assertProblem(writeRaw(dir.resolve("b.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[8]),
                "gives tensor 'x' 4 bytes (data_offsets [0, 4]) but shape [2] of F32 needs 8");
        assertProblem(writeRaw(dir.resolve("c.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[8]),
                "data_offsets [4, 0]; expected [begin, end] with begin <= end");
    }

    @Test
    void refusesOverlappingTensors() throws IOException {
        Path file = writeRaw(dir.resolve("model.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertProblem(file, "has overlapping tensors: 'a' (bytes 0-8) and 'b' (bytes 4-12)");
    }

    @Test
    void aTruncatedDataAreaIsReportedWhenOpening() throws IOException {
        Path file = new SafetensorsFileWriter().add("w", DType.F32, List.of(4L), floats(1, 2, 3, 4))
                .write(dir.resolve("model.safetensors"));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        assertTrue(e.getMessage().contains("puts tensor 'w' at data bytes 0-16 but the data area has 13 bytes"),
                e.getMessage());
    }

    @Test
    void refusesBytesAfterTheHeaderObjectButAcceptsWhitespacePadding() throws IOException {
        // as the safetensors crate (serde_json::from_str over the whole header): JSON whitespace may follow the object
        String tensor = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path padded = writeRaw(dir.resolve("padded.safetensors"), tensor + "  \n\t\r ", floats(2.5f));
        try (Weights weights = Checkpoints.open(padded)) {
            assertEquals(2.5f, weights.bytes("x").getFloat(0));
        }
        assertProblem(writeRaw(dir.resolve("a.safetensors"), tensor + "xyz", floats(1)),
                "has 3 bytes after its header's JSON object (from header byte " + tensor.length() + "); the header is"
                        + " one JSON object, padded with spaces only, as the safetensors crate requires");
        assertProblem(writeRaw(dir.resolve("b.safetensors"), tensor + " {}", floats(1)),
                "has 2 bytes after its header's JSON object");
        assertProblem(writeRaw(dir.resolve("c.safetensors"), tensor + "\0\0\0", floats(1)),
                "has 3 bytes after its header's JSON object");
    }

    @Test
    void aShapeOfAMillionUnitAxesIsRefusedAtTheRankCapNotWalked() throws IOException {
        // [1]*N + [0] is a valid empty tensor in the crate; row-major strides were built in O(rank^2): minutes
        int axes = 1_000_000;
        StringBuilder shape = new StringBuilder("[");
        shape.append("1,".repeat(axes)).append("0]");
        Path file = writeRaw(dir.resolve("model.safetensors"),
                "{\"x\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,0]}}", new byte[0]);
        assertProblem(file, "gives tensor 'x' a shape of more than " + TensorInfo.MAX_RANK + " values, more dimensions"
                + " than any tensor library allows (NumPy's limit is 64)");

        // at the cap the shape is read, and its strides are the row-major ones
        List<Long> deepest = new java.util.ArrayList<>(java.util.Collections.nCopies(TensorInfo.MAX_RANK - 1, 1L));
        deepest.add(0L);
        Path empty = new SafetensorsFileWriter().add("e", DType.F32, deepest, new byte[0])
                .write(dir.resolve("deep.safetensors"));
        try (FileChannel channel = FileChannel.open(empty)) {
            TensorLocation location = SafetensorsHeader.read(empty, channel).tensors().get(0);
            assertEquals(TensorInfo.MAX_RANK, location.info().rank());
            assertEquals(java.util.Collections.nCopies(TensorInfo.MAX_RANK, 1L), location.strides());
        }
        assertEquals(List.of(12L, 4L, 1L, 1L), TensorLocation.rowMajorStrides(List.of(2L, 3L, 4L, 1L)));
    }

    @Test
    void aHeaderOfMoreTensorsThanTheCapIsRefusedWhileReading() throws IOException {
        // a million empty tensors fit the crate's 100 MB header; each kept tensor costs heap, so the count is capped
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i <= SafetensorsHeader.MAX_TENSORS; i++) {
            header.append(i == 0 ? "" : ",").append("\"t").append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        Path file = writeRaw(dir.resolve("model.safetensors"), header.append('}').toString(), new byte[0]);
        assertProblem(file, "declares more than 200000 tensors, the most exporters4j reads from one file (no"
                + " published checkpoint comes near it); if the file is genuine, save it in shards with"
                + " save_pretrained(max_shard_size=...)");
    }

    private static void assertProblem(Path file, String expected) {
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> {
            try (FileChannel channel = FileChannel.open(file)) {
                SafetensorsHeader.read(file, channel);
            }
        });
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        // and through the public entry point, the same message
        CorruptCheckpointException viaOpen = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(file));
        assertEquals(e.getMessage(), viaOpen.getMessage());
    }
}
