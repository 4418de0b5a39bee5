package org.exporters4j.onnx;

/** Where {@link ModelWriter} stores initializers. */
public enum WeightsLocation {
    /** Inside the model file while it stays under protobuf's 2 GiB limit; otherwise as external data. */
    AUTOMATIC,
    /** Always inside the model file; a model over 2 GiB is an error. */
    EMBEDDED,
    /**
     * Always in {@code <model file>_data} beside the model file (ONNX external data), except tensors under 1 KiB, which
     * stay inside the model as {@code onnx.save(..., size_threshold=1024)} keeps them.
     */
    EXTERNAL_DATA
}
