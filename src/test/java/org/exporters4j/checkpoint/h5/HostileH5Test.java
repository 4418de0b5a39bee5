package org.exporters4j.checkpoint.h5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.checksum.ChecksumUtils;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tf_model.h5 files and chunked datasets built to hang or exhaust the reader (issue 12, items 13 and 15). jhdf
 * 0.9.4 writes contiguous datasets only, so chunked data are handed to {@link ChunkedData} as the file's chunks.
 */
class HostileH5Test {
    @TempDir
    Path dir;

    @Test
    void groupsThatFormACycleThroughAHardLinkAreRefusedAtTheFirstReturn() throws IOException {
        // layer L lists weight c/c/c/.../kernel:0; the file's link L/c is rewritten to point at L itself, so the
        // name walks the cycle L -> L -> L ... as deep as it is long (was minutes, then a StackOverflowError)
        String weight = "c/".repeat(15_000) + "kernel:0"; // an attribute fits an object header (64 KiB)
        Path file = dir.resolve("tf_model.h5");
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putAttribute("layer_names", new String[] {"L"});
            WritableGroup layer = hdf.putGroup("L");
            layer.putAttribute("weight_names", new String[] {weight});
            layer.putGroup("c").putDataset("kernel:0", new float[] {1f, 2f});
        }
        linkBackToParent(file, "L", "L/c");

        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> TensorFlowWeights.open(file, ModelConfig.parse("{\"model_type\": \"bert\"}", "config.json")));
        assertEquals(file + ": the path of '" + weight.substring(0, 77) + "...' under '/L/' comes back to a group it"
                + " passed through (HDF5 object at address " + address(file, "L") + "): the file's groups form a"
                + " cycle through a hard link, which a Keras weights file never has; save the weights again with"
                + " save_pretrained", e.getMessage());
    }

    @Test
    void chunkedDatasetsAreAssembledChunkByChunkThroughShuffleAndDeflate() {
        // a 5x3 float32 big-endian dataset in 2x2 chunks (edge chunks padded), shuffled then deflated, as h5py writes
        int[] dimensions = {5, 3};
        int[] chunkDimensions = {2, 2};
        java.util.Map<String, ByteBuffer> stored = new java.util.HashMap<>();
        for (int row = 0; row < 5; row += 2) {
            for (int column = 0; column < 3; column += 2) {
                ByteBuffer chunk = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
                for (int r = 0; r < 2; r++) {
                    for (int c = 0; c < 2; c++) {
                        boolean inside = row + r < 5 && column + c < 3;
                        chunk.putFloat(inside ? 10 * (row + r) + column + c : -1f);
                    }
                }
                stored.put(row + "," + column, ByteBuffer.wrap(zlib(shuffle(chunk.array(), 4))));
            }
        }
        ByteBuffer data = ChunkedData.read("weight 'k' of test.h5", dimensions, chunkDimensions, java.util.List.of(
                new ChunkedData.Filter(ChunkedData.SHUFFLE, "shuffle", new int[] {4}),
                new ChunkedData.Filter(ChunkedData.DEFLATE, "deflate", new int[] {4})), 4, ByteOrder.BIG_ENDIAN,
                offset -> stored.get(offset[0] + "," + offset[1]));
        assertEquals(60, data.remaining());
        assertTrue(data.isDirect(), "off the heap");
        for (int i = 0; i < 15; i++) {
            assertEquals(10 * (i / 3) + i % 3, data.getFloat(4 * i), "element " + i);
        }
    }

    @Test
    void aChunkThatInflatesBeyondItsDeclaredSizeIsStoppedThere() {
        // one 16-byte chunk whose zlib stream inflates to 64 MiB (65 KB stored): jhdf inflated it all, per chunk
        byte[] bomb = zlib(new byte[64 << 20]);
        assertTrue(bomb.length < 100_000, "a small chunk: " + bomb.length);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> ChunkedData.read(
                "weight 'k' of test.h5", new int[] {4}, new int[] {4},
                java.util.List.of(new ChunkedData.Filter(ChunkedData.DEFLATE, "deflate", new int[] {9})), 4,
                ByteOrder.LITTLE_ENDIAN, offset -> ByteBuffer.wrap(bomb)));
        assertEquals("weight 'k' of test.h5 has a chunk at [0] that inflates beyond the 16 bytes of a chunk (a"
                + " decompression bomb or a damaged file); stopped there; the file is damaged or not written by Keras:"
                + " save the weights again with save_pretrained", e.getMessage());
    }

    @Test
    void missingChunksTooManyChunksAndUnknownFiltersAreRefused() {
        ChunkedData.Chunks none = offset -> null;
        CorruptCheckpointException missing = assertThrows(CorruptCheckpointException.class, () -> ChunkedData.read(
                "weight 'k' of test.h5", new int[] {4}, new int[] {2}, java.util.List.of(), 4, ByteOrder.LITTLE_ENDIAN,
                none));
        assertTrue(missing.getMessage().startsWith("weight 'k' of test.h5 has no chunk at [0]; h5py writes every"
                + " chunk of a weight"), missing.getMessage());

        ChunkedData.Chunks unread = offset -> {
            throw new AssertionError("refused before any chunk is read");
        };
        CorruptCheckpointException many = assertThrows(CorruptCheckpointException.class, () -> ChunkedData.read(
                "weight 'k' of test.h5", new int[] {2_000_000}, new int[] {1}, java.util.List.of(), 1,
                ByteOrder.LITTLE_ENDIAN, unread));
        assertTrue(many.getMessage().startsWith("weight 'k' of test.h5 is stored in 2000000 chunks, more than the"
                + " 1000000 exporters4j reads for one dataset"), many.getMessage());
        CorruptCheckpointException larger = assertThrows(CorruptCheckpointException.class, () -> ChunkedData.read(
                "weight 'k' of test.h5", new int[] {4}, new int[] {1 << 30}, java.util.List.of(), 4,
                ByteOrder.LITTLE_ENDIAN, unread));
        assertTrue(larger.getMessage().contains("has chunks of [1073741824], larger than its shape [4]"),
                larger.getMessage());

        CorruptCheckpointException lzf = assertThrows(CorruptCheckpointException.class, () -> ChunkedData.read(
                "weight 'k' of test.h5", new int[] {4}, new int[] {4},
                java.util.List.of(new ChunkedData.Filter(32000, "lzf", new int[0])), 4, ByteOrder.LITTLE_ENDIAN,
                offset -> ByteBuffer.wrap(new byte[16])));
        assertTrue(lzf.getMessage().startsWith("weight 'k' of test.h5 uses HDF5 filter 32000 (lzf); exporters4j"
                + " decodes deflate, shuffle and fletcher32"), lzf.getMessage());
    }

    private static byte[] zlib(byte[] data) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION);
        deflater.setInput(data);
        deflater.finish();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] piece = new byte[1 << 16];
        while (!deflater.finished()) {
            out.write(piece, 0, deflater.deflate(piece));
        }
        deflater.end();
        return out.toByteArray();
    }

    /** HDF5's shuffle: byte b of every element together, plane after plane. */
    private static byte[] shuffle(byte[] data, int elementBytes) {
        int elements = data.length / elementBytes;
        byte[] out = new byte[data.length];
        int at = 0;
        for (int b = 0; b < elementBytes; b++) {
            for (int e = 0; e < elements; e++) {
                out[at++] = data[e * elementBytes + b];
            }
        }
        return out;
    }

    private static long address(Path file, String path) {
        try (HdfFile hdf = new HdfFile(file)) {
            return hdf.getByPath(path).getAddress();
        }
    }

    /**
     * Rewrites the hard link from {@code parent} to its child {@code child} (jhdf writes it as a link message in the
     * parent's version-2 object header) to point at {@code parent} itself, and recomputes the header's checksum.
     */
    private static void linkBackToParent(Path file, String parent, String child) throws IOException {
        long parentAddress = address(file, parent);
        long childAddress = address(file, child);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int header = (int) parentAddress;
        assertEquals("OHDR", new String(bytes, header, 4, java.nio.charset.StandardCharsets.US_ASCII));
        int flags = bytes[header + 5] & 0xff;
        int at = header + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
        int sizeBytes = 1 << (flags & 3);
        long chunkSize = switch (sizeBytes) {
            case 1 -> bytes[at] & 0xffL;
            case 2 -> buffer.getShort(at) & 0xffffL;
            case 4 -> buffer.getInt(at) & 0xffffffffL;
            default -> buffer.getLong(at);
        };
        int messages = at + sizeBytes;
        int checksumAt = messages + (int) chunkSize;
        int patched = 0;
        for (int i = messages; i + 8 <= checksumAt; i++) {
            if (buffer.getLong(i) == childAddress) {
                buffer.putLong(i, parentAddress);
                patched++;
            }
        }
        assertEquals(1, patched, "one link to " + child + " in the header of " + parent);
        buffer.putInt(checksumAt, ChecksumUtils.checksum(ByteBuffer.wrap(bytes, header, checksumAt - header).slice()));
        Files.write(file, bytes);
        assertTrue(address(file, child) == parentAddress, "the link now points back at its parent");
    }
}
