package org.exporters4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorInfoTest {
    @Test
    void countsElementsAndBytes() {
        TensorInfo info = new TensorInfo("w", DType.BF16, List.of(3L, 4L, 5L));
        assertEquals(60, info.elementCount());
        assertEquals(120, info.byteSize());
        assertEquals(3, info.rank());
        assertEquals(1, new TensorInfo("s", DType.F64, List.of()).elementCount());
        assertEquals(0, new TensorInfo("e", DType.I32, List.of(0L, 7L)).byteSize());
    }

    @Test
    void validatesAndCopiesTheShape() {
        List<Long> shape = new ArrayList<>(List.of(2L));
        TensorInfo info = new TensorInfo("w", DType.F32, shape);
        shape.add(3L);
        assertEquals(List.of(2L), info.shape());
        assertThrows(IllegalArgumentException.class, () -> new TensorInfo("w", DType.F32, List.of(-1L)));
        assertThrows(IllegalArgumentException.class,
                () -> new TensorInfo("w", DType.F32, List.of(1L << 40, 1L << 30)));
        assertThrows(NullPointerException.class, () -> new TensorInfo(null, DType.F32, List.of()));
    }

    @Test
    void typesHaveTheirFormatsNames() {
        assertEquals(DType.BF16, DType.fromSafetensorsName("BF16").orElseThrow());
        assertEquals(DType.I8, DType.fromTorchStorageClass("CharStorage").orElseThrow());
        assertEquals(DType.BOOL, DType.fromTorchStorageClass("BoolStorage").orElseThrow());
        assertTrue(DType.fromSafetensorsName("F8_E4M3").isEmpty());
        assertEquals("float16", DType.F16.torchName());
        assertEquals(8, DType.I64.byteSize());
        assertEquals("F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL", DType.safetensorsNames());
    }

    @Test
    void locationsStayInsideTheirStorage() {
        TensorInfo info = new TensorInfo("w", DType.F32, List.of(2L, 3L));
        assertEquals(List.of(3L, 1L), TensorLocation.rowMajorStrides(info.shape()));
        TensorLocation fits = new TensorLocation(info, 0, 24, 0, List.of(3L, 1L), ByteOrder.LITTLE_ENDIAN);
        assertTrue(fits.isContiguous());
        assertFalse(new TensorLocation(info, 0, 24, 0, List.of(1L, 2L), ByteOrder.LITTLE_ENDIAN).isContiguous());
        IllegalArgumentException beyond = assertThrows(IllegalArgumentException.class,
                () -> new TensorLocation(info, 0, 24, 1, List.of(3L, 1L), ByteOrder.LITTLE_ENDIAN));
        assertEquals("tensor 'w' (shape [2, 3], strides [3, 1], offset 1, F32) reaches byte 28 of a storage of 24"
                + " bytes", beyond.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new TensorLocation(info, 0, 24, 0, List.of(3L), ByteOrder.LITTLE_ENDIAN));
        assertThrows(IllegalArgumentException.class,
                () -> new TensorLocation(info, 0, 24, 0, List.of(-3L, 1L), ByteOrder.LITTLE_ENDIAN));
        assertThrows(IllegalArgumentException.class,
                () -> new TensorLocation(info, 0, Long.MAX_VALUE, 0, List.of(Long.MAX_VALUE, 1L),
                        ByteOrder.LITTLE_ENDIAN));
    }
}
