package org.exporters4j.onnx;

import java.util.Locale;
import org.exporters4j.EnumIndex;

/**
 * The tensor element types the graphs use, with their ONNX {@code TensorProto.DataType} codes and byte widths.
 * Raw tensor bytes are little-endian, fixed width; {@link #BOOL} takes one byte per element (as ONNX requires).
 */
public enum ElementType {
    FLOAT(1, 4, Kind.FLOATING_POINT),
    UINT8(2, 1, Kind.INTEGER),
    INT8(3, 1, Kind.INTEGER),
    INT32(6, 4, Kind.INTEGER),
    INT64(7, 8, Kind.INTEGER),
    BOOL(9, 1, Kind.BOOLEAN),
    FLOAT16(10, 2, Kind.FLOATING_POINT),
    DOUBLE(11, 8, Kind.FLOATING_POINT),
    BFLOAT16(16, 2, Kind.FLOATING_POINT);

    private enum Kind { FLOATING_POINT, INTEGER, BOOLEAN }

    private static final EnumIndex<ElementType, Integer> BY_ONNX_CODE =
            EnumIndex.of(ElementType.class, ElementType::onnxCode);

    private final int onnxCode;
    private final int byteWidth;
    private final Kind kind;

    ElementType(int onnxCode, int byteWidth, Kind kind) {
        this.onnxCode = onnxCode;
        this.byteWidth = byteWidth;
        this.kind = kind;
    }

    /** The {@code TensorProto.DataType} number of the ONNX specification. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Bytes per element in raw (little-endian) tensor data. */
    public int byteWidth() {
        return byteWidth;
    }

    public boolean isFloatingPoint() {
        return kind == Kind.FLOATING_POINT;
    }

    public boolean isInteger() {
        return kind == Kind.INTEGER;
    }

    /** The type of an ONNX {@code TensorProto.DataType} number; an error lists the supported ones otherwise. */
    public static ElementType ofOnnxCode(int code) {
        return BY_ONNX_CODE.find(code).orElseThrow(() -> new OnnxGraphException("ONNX data type " + code
                + " is not supported; supported: " + BY_ONNX_CODE.choices(t -> t + "=" + t.onnxCode)));
    }

    /** The name PyTorch and NumPy give the type ({@code float32}, {@code int64}, {@code bool}). */
    public String torchName() {
        return switch (this) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> onnxName();
        };
    }

    /** Lower-case name as ONNX documents it ({@code float16}, {@code int64}). */
    public String onnxName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
