package org.exporters4j.checkpoint;

import static org.exporters4j.checkpoint.WeightBytes.toArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gathering strided views from a storage already in memory (the h5 reader's chunked datasets). */
class ContiguousBytesTest {

    @Test
    void stridedAndBigEndianViewsOfABufferAreGatheredIntoRowMajorLittleEndianBytes() {
        byte[] content = new byte[256];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 5 + 1);
        }
        List<TensorLocation> views = List.of(
                // a 3x4 float matrix read transposed (a dense kernel's PyTorch view), at element offset 1
                new TensorLocation(new TensorInfo("transposed", DType.F32, List.of(4L, 3L)), 0, 52, 1,
                        List.of(1L, 4L), ByteOrder.LITTLE_ENDIAN),
                // a conv kernel [2, 3, 2] read with axes (2, 1, 0)
                new TensorLocation(new TensorInfo("conv", DType.F64, List.of(2L, 3L, 2L)), 0, 96, 0,
                        List.of(1L, 2L, 6L), ByteOrder.LITTLE_ENDIAN),
                new TensorLocation(new TensorInfo("bigTransposed", DType.I16, List.of(3L, 2L)), 0, 12, 0,
                        List.of(1L, 3L), ByteOrder.BIG_ENDIAN),
                new TensorLocation(new TensorInfo("bytes", DType.U8, List.of(2L, 2L)), 0, 4, 0,
                        List.of(1L, 2L), ByteOrder.BIG_ENDIAN));
        for (TensorLocation view : views) {
            // the storage starts at the buffer's position, wherever that is
            ByteBuffer storage = ByteBuffer.wrap(content).position(7);
            TensorLocation fileView = new TensorLocation(view.info(), 7, view.storageLength(), view.elementOffset(),
                    view.strides(), view.byteOrder());
            ByteBuffer bytes = ContiguousBytes.of(storage, view);
            assertArrayEquals(MappedWeightsTest.naiveGather(content, fileView), toArray(bytes), view.info().name());
            assertEquals(ByteOrder.LITTLE_ENDIAN, bytes.order());
            assertTrue(bytes.isReadOnly());
            assertTrue(bytes.isDirect(), "a gathered copy is off the heap");
            assertEquals(7, storage.position(), "the storage buffer is left as it was");
        }
    }

    @Test
    void aContiguousViewIsASliceOfTheStorageAndAnEmptyOneIsEmpty() {
        ByteBuffer storage = ByteBuffer.allocateDirect(16);
        for (int i = 0; i < 16; i++) {
            storage.put(i, (byte) i);
        }
        TensorInfo info = new TensorInfo("row", DType.I32, List.of(2L));
        ByteBuffer bytes = ContiguousBytes.of(storage, new TensorLocation(info, 0, 16, 2, List.of(1L),
                ByteOrder.LITTLE_ENDIAN));
        assertArrayEquals(new byte[] {8, 9, 10, 11, 12, 13, 14, 15}, toArray(bytes));
        assertTrue(bytes.isReadOnly());
        assertEquals(0, ContiguousBytes.of(storage, new TensorLocation(new TensorInfo("none", DType.F32,
                List.of(0L, 3L)), 0, 0, 0, List.of(3L, 1L), ByteOrder.LITTLE_ENDIAN)).remaining());
    }

    @Test
    void aStorageShorterThanTheLocationSaysIsRefused() {
        TensorLocation view = new TensorLocation(new TensorInfo("w", DType.F32, List.of(2L, 2L)), 0, 16, 0,
                List.of(1L, 2L), ByteOrder.LITTLE_ENDIAN);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ContiguousBytes.of(ByteBuffer.allocate(12), view));
        assertEquals("tensor 'w' needs a storage of 16 bytes but was given 12", error.getMessage());
    }
}
