package org.exporters4j.onnx;

/**
 * The operator set a node's operator belongs to: ONNX's default domain ({@code ai.onnx}, written as the empty
 * string), whose version is the graph's {@link Opset}, or ONNX Runtime's contrib operators ({@code com.microsoft},
 * version 1, documented in ONNX Runtime's docs/ContribOperators.md), which only ONNX Runtime runs. A model imports
 * each domain its nodes use ({@code ModelProto.opset_import}).
 */
public enum OperatorDomain {
    /** {@code ai.onnx}: the standard operators, at the graph's opset. */
    ONNX(""),
    /** {@code com.microsoft}: ONNX Runtime's contrib operators, operator set version 1. */
    MICROSOFT("com.microsoft");

    /** The contrib operator set version every contrib operator this package emits has existed since. */
    static final int MICROSOFT_VERSION = 1;

    private final String protoName;

    OperatorDomain(String protoName) {
        this.protoName = protoName;
    }

    /** The name {@code NodeProto.domain} and {@code OperatorSetIdProto.domain} carry ({@code ""} for ONNX). */
    public String protoName() {
        return protoName;
    }
}
