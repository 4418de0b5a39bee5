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

/** tf_model.h5 files built to hang or exhaust the reader (issue 12, items 13 and 15). */
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
