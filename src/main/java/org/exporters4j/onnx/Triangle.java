package org.exporters4j.onnx;

/** Which triangle of a matrix {@code Trilu} keeps: on and above the k-th diagonal, or on and below it. */
public enum Triangle {
    UPPER,
    LOWER
}
