package org.exporters4j.onnx;

/** Whether a reduction keeps the reduced axes as size-1 dimensions ({@code keepdims=1}) or drops them. */
public enum KeepDims {
    YES,
    NO;

    long attribute() {
        return this == YES ? 1 : 0;
    }
}
