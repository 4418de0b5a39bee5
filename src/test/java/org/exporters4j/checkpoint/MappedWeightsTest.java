package org.exporters4j.checkpoint;

import org.exporters4j.WeightsFormat;
import static org.exporters4j.checkpoint.SafetensorsFileWriter.ramp;
import static org.exporters4j.checkpoint.WeightBytes.streamed;
import static org.exporters4j.checkpoint.WeightBytes.toArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapping windows and the gathering of strided views, with windows of a few bytes instead of 1 GiB. */
class MappedWeightsTest {
    private static final long[] WINDOWS = {2, 3, 8, 16, 24, 64, 4096, MappedWeights.DEFAULT_WINDOW_BYTES};

    @TempDir
    Path dir;

    @Test
    void everyTensorReadsTheSameThroughAnyWindowSize() throws IOException {
        Map<String, byte[]> expected = new LinkedHashMap<>();
        SafetensorsFileWriter writer = new SafetensorsFileWriter();
        int[] sizes = {1, 3, 4, 7, 16, 2, 33, 5, 64, 1, 12};
        for (int i = 0; i < sizes.length; i++) {
            byte[] data = ramp(sizes[i], 100 * i);
            String name = String.format("layer.%02d.weight", i);
            writer.add(name, DType.F32, List.of((long) sizes[i]), data);
            expected.put(name, data);
        }
        Path file = writer.write(dir.resolve("model.safetensors"));
        for (long window : WINDOWS) {
            try (Weights weights = Checkpoints.open(file, window)) {
                for (Map.Entry<String, byte[]> tensor : expected.entrySet()) {
                    String name = tensor.getKey();
                    assertArrayEquals(tensor.getValue(), toArray(weights.bytes(name)), name + " window " + window);
                    assertArrayEquals(tensor.getValue(), streamed(weights, name), name + " window " + window);
                }
            }
        }
    }

    @Test
    void smallRangesShareWindowsAndLargeOnesGetTheirOwnMapping() throws IOException {
        Path file = new SafetensorsFileWriter()
                .add("small", DType.F32, List.of(2L), ramp(2, 0))
                .add("large", DType.F32, List.of(64L), ramp(64, 0))
                .write(dir.resolve("model.safetensors"));
        try (Weights weights = Checkpoints.open(file, 64)) {
            MappedWeights mapped = (MappedWeights) weights;
            assertEquals(0, mapped.mappedWindowCount());
            weights.bytes("small");
            weights.bytes("small");
            assertEquals(1, mapped.mappedWindowCount());
            assertEquals(256, weights.bytes("large").remaining()); // 256 > 32: a mapping of its own
            assertEquals(1, mapped.mappedWindowCount());
            // streamed in 32-byte positional reads: nothing more is mapped into the process
            assertArrayEquals(ramp(64, 0), streamed(weights, "large"));
            assertEquals(1, mapped.mappedWindowCount(), "windows: " + mapped.mappedWindowCount());
        }
    }

    @Test
    void stridedAndBigEndianViewsAreGatheredIntoRowMajorLittleEndianBytes() throws IOException {
        byte[] content = new byte[512];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 + 3);
        }
        Path file = Files.write(dir.resolve("raw.bin"), content);
        List<TensorLocation> locations = new ArrayList<>();
        // a transposed 5x6 float matrix (stored 6x5) at byte 40, element offset 2
        locations.add(new TensorLocation(new TensorInfo("transposed", DType.F32, List.of(5L, 6L)), 40, 200, 2,
                List.of(1L, 5L), ByteOrder.LITTLE_ENDIAN));
        // every other row of a 4x3 int16 matrix (a slice with step 2), and a broadcast (stride 0) dimension
        locations.add(new TensorLocation(new TensorInfo("stepped", DType.I16, List.of(2L, 3L)), 8, 48, 0,
                List.of(6L, 1L), ByteOrder.LITTLE_ENDIAN));
        locations.add(new TensorLocation(new TensorInfo("broadcast", DType.F64, List.of(3L, 2L)), 256, 16, 0,
                List.of(0L, 1L), ByteOrder.LITTLE_ENDIAN));
        // big-endian storage: contiguous view, but every element must be byte-swapped
        locations.add(new TensorLocation(new TensorInfo("big", DType.BF16, List.of(3L, 2L)), 300, 12, 0,
                List.of(2L, 1L), ByteOrder.BIG_ENDIAN));
        locations.add(new TensorLocation(new TensorInfo("bigTransposed", DType.I32, List.of(2L, 3L)), 320, 24, 0,
                List.of(1L, 2L), ByteOrder.BIG_ENDIAN));
        // a size-1 dimension with an odd stride is still contiguous, as in PyTorch
        locations.add(new TensorLocation(new TensorInfo("unit", DType.U8, List.of(1L, 4L)), 400, 4, 0,
                List.of(99L, 1L), ByteOrder.LITTLE_ENDIAN));
        locations.add(new TensorLocation(new TensorInfo("scalar", DType.I64, List.of()), 480, 32, 3,
                List.of(), ByteOrder.LITTLE_ENDIAN));

        for (long window : WINDOWS) {
            try (FileChannel channel = FileChannel.open(file);
                 Weights weights = new MappedWeights(WeightsFormat.PYTORCH, file, channel, locations, window)) {
                for (TensorLocation location : locations) {
                    String name = location.info().name();
                    byte[] reference = naiveGather(content, location);
                    ByteBuffer bytes = weights.bytes(name);
                    assertArrayEquals(reference, toArray(bytes), name + " window " + window);
                    assertEquals(ByteOrder.LITTLE_ENDIAN, bytes.order());
                    assertTrue(bytes.isReadOnly());
                    assertTrue(bytes.isDirect(), "off the heap");
                    assertArrayEquals(reference, streamed(weights, name), name + " window " + window);
                }
            }
        }
        assertTrue(locations.get(5).isContiguous());
        assertTrue(!locations.get(0).isContiguous() && !locations.get(3).isContiguous());
    }

    @Test
    void storageIdentityIsEqualExactlyForTheSameBytes() throws IOException {
        Path file = Files.write(dir.resolve("raw.bin"), new byte[64]);
        TensorInfo matrix = new TensorInfo("a", DType.F32, List.of(2L, 2L));
        List<TensorLocation> locations = List.of(
                new TensorLocation(matrix, 0, 64, 0, List.of(2L, 1L), ByteOrder.LITTLE_ENDIAN),
                new TensorLocation(new TensorInfo("tied", DType.F32, List.of(2L, 2L)), 0, 64, 0, List.of(2L, 1L),
                        ByteOrder.LITTLE_ENDIAN),
                new TensorLocation(new TensorInfo("transposed", DType.F32, List.of(2L, 2L)), 0, 64, 0,
                        List.of(1L, 2L), ByteOrder.LITTLE_ENDIAN),
                new TensorLocation(new TensorInfo("shifted", DType.F32, List.of(2L, 2L)), 0, 64, 4, List.of(2L, 1L),
                        ByteOrder.LITTLE_ENDIAN));
        try (FileChannel channel = FileChannel.open(file);
             Weights weights = new MappedWeights(WeightsFormat.PYTORCH, file, channel, locations, 64)) {
            assertEquals(weights.storageIdentity("a"), weights.storageIdentity("tied"));
            assertEquals(weights.storageIdentity("a").hashCode(), weights.storageIdentity("tied").hashCode());
            assertNotEquals(weights.storageIdentity("a"), weights.storageIdentity("transposed"));
            assertNotEquals(weights.storageIdentity("a"), weights.storageIdentity("shifted"));
        }
    }

    @Test
    void unknownNamesListCloseMatchesAndClosedWeightsRefuseUse() throws IOException {
        Path file = new SafetensorsFileWriter()
                .add("encoder.layer.0.attention.self.query.weight", DType.F32, List.of(1L), ramp(1, 0))
                .add("encoder.layer.1.attention.self.query.weight", DType.F32, List.of(1L), ramp(1, 0))
                .add("pooler.dense.bias", DType.F32, List.of(1L), ramp(1, 0))
                .write(dir.resolve("model.safetensors"));
        Weights weights = Checkpoints.open(file);
        MissingTensorException missing = assertThrows(MissingTensorException.class,
                () -> weights.info("encoder.layer.0.attention.self.querry.weight"));
        assertEquals("no tensor 'encoder.layer.0.attention.self.querry.weight' in " + file + " (3 tensors; close"
                + " matches: encoder.layer.0.attention.self.query.weight, encoder.layer.1.attention.self.query.weight"
                + "); check the name against the checkpoint's state-dict keys", missing.getMessage());
        assertEquals("encoder.layer.0.attention.self.querry.weight", missing.tensorName());
        assertThrows(MissingTensorException.class, () -> weights.bytes("nothing"));

        ByteBuffer kept = weights.bytes("pooler.dense.bias");
        weights.close();
        weights.close(); // idempotent
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> weights.bytes("pooler.dense.bias"));
        assertTrue(closed.getMessage().contains("are closed"), closed.getMessage());
        assertThrows(IllegalStateException.class, weights::names);
        assertThrows(IllegalStateException.class, () -> weights.transferTo("pooler.dense.bias",
                Channels.newChannel(new ByteArrayOutputStream())));
        assertEquals(0f, kept.getFloat(0), "a buffer handed out before close stays readable");
    }

    @Test
    void locationsOutsideTheFileOrDuplicatedAreCorrupt() throws IOException {
        Path file = Files.write(dir.resolve("raw.bin"), new byte[16]);
        TensorInfo info = new TensorInfo("w", DType.F32, List.of(4L));
        try (FileChannel channel = FileChannel.open(file)) {
            CorruptCheckpointException truncated = assertThrows(CorruptCheckpointException.class,
                    () -> new MappedWeights(WeightsFormat.SAFETENSORS, file, channel,
                            List.of(TensorLocation.contiguous(info, 8)), 64));
            assertTrue(truncated.getMessage().contains("is truncated: tensor 'w' needs bytes 8 to 24 but the file"
                    + " has 16"), truncated.getMessage());
            CorruptCheckpointException twice = assertThrows(CorruptCheckpointException.class,
                    () -> new MappedWeights(WeightsFormat.SAFETENSORS, file, channel,
                            List.of(TensorLocation.contiguous(info, 0), TensorLocation.contiguous(info, 0)), 64));
            assertTrue(twice.getMessage().contains("holds tensor 'w' twice"), twice.getMessage());
        }
    }

    /** The reference: element by element, by index arithmetic, swapping big-endian elements. */
    static byte[] naiveGather(byte[] file, TensorLocation location) {
        TensorInfo info = location.info();
        int size = info.dtype().byteSize();
        byte[] out = new byte[(int) info.byteSize()];
        long[] index = new long[info.rank()];
        for (int element = 0; element < info.elementCount(); element++) {
            long remainder = element;
            for (int d = info.rank() - 1; d >= 0; d--) {
                index[d] = remainder % info.shape().get(d);
                remainder /= info.shape().get(d);
            }
            long source = location.elementOffset();
            for (int d = 0; d < info.rank(); d++) {
                source += index[d] * location.strides().get(d);
            }
            for (int b = 0; b < size; b++) {
                int from = location.byteOrder() == ByteOrder.BIG_ENDIAN ? size - 1 - b : b;
                out[element * size + b] = file[(int) (location.storageStart() + source * size + from)];
            }
        }
        return out;
    }
}
