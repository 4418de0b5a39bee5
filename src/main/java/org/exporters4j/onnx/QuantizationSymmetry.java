package org.exporters4j.onnx;

/** Whether quantized weights are centred on zero or carry a zero point per scale. */
public enum QuantizationSymmetry {
    /**
     * The range is symmetric around zero and no zero point is stored (the operator's default zero point applies:
     * 0 for int8, 8 for 4-bit codes).
     */
    SYMMETRIC,
    /** The range spans the weights' minimum to maximum (zero included), with a stored zero point per scale. */
    WITH_ZERO_POINTS
}
