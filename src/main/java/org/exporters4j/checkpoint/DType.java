package org.exporters4j.checkpoint;

import java.util.Optional;
import org.exporters4j.EnumIndex;

/**
 * The element types a checkpoint tensor can have, with their size in bytes and their names in the safetensors
 * header ({@code "F32"}), in PyTorch ({@code torch.float32}) and as a legacy PyTorch storage class
 * ({@code torch.FloatStorage}, the name a pickled state dict refers to).
 *
 * <p>Data are little-endian; {@link #BOOL} is one byte, 0 or 1, as in both formats.
 */
public enum DType {
    //   safetensors  torch      storage class        bytes
    F64("F64", "float64", "DoubleStorage", 8),
    F32("F32", "float32", "FloatStorage", 4),
    F16("F16", "float16", "HalfStorage", 2),
    BF16("BF16", "bfloat16", "BFloat16Storage", 2),
    I64("I64", "int64", "LongStorage", 8),
    I32("I32", "int32", "IntStorage", 4),
    I16("I16", "int16", "ShortStorage", 2),
    I8("I8", "int8", "CharStorage", 1),
    U8("U8", "uint8", "ByteStorage", 1),
    BOOL("BOOL", "bool", "BoolStorage", 1);

    private static final EnumIndex<DType, String> BY_SAFETENSORS_NAME =
            EnumIndex.of(DType.class, DType::safetensorsName);
    private static final EnumIndex<DType, String> BY_STORAGE_CLASS =
            EnumIndex.of(DType.class, DType::torchStorageClass);

    private final String safetensorsName;
    private final String torchName;
    private final String torchStorageClass;
    private final int byteSize;

    DType(String safetensorsName, String torchName, String torchStorageClass, int byteSize) {
        this.safetensorsName = safetensorsName;
        this.torchName = torchName;
        this.torchStorageClass = torchStorageClass;
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The name in a safetensors header, e.g. {@code "BF16"}. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** PyTorch's dtype name without the {@code torch.} prefix, e.g. {@code "bfloat16"}. */
    public String torchName() {
        return torchName;
    }

    /** The storage class a pickled PyTorch tensor names (module {@code torch}), e.g. {@code "BFloat16Storage"}. */
    public String torchStorageClass() {
        return torchStorageClass;
    }

    /** The type a safetensors header names, if it is one of these. */
    public static Optional<DType> fromSafetensorsName(String name) {
        return BY_SAFETENSORS_NAME.find(name);
    }

    /** The type of a {@code torch.<name>} storage class, if it is one of these. */
    public static Optional<DType> fromTorchStorageClass(String name) {
        return BY_STORAGE_CLASS.find(name);
    }

    /** The safetensors names, for error messages: {@code F64, F32, ...}. */
    public static String safetensorsNames() {
        return BY_SAFETENSORS_NAME.keys();
    }
}
