package org.exporters4j.onnx;

/**
 * A way to store a dense layer's weight matrix in fewer bits, for an ONNX Runtime MatMul that reads it so:
 * {@link ChannelInt8} ({@code DynamicQuantizeMatMul}) or {@link BlockInt4} ({@code MatMulNBits}). A graph builder
 * carries the one its dense layers use ({@link OnnxGraphBuilder#denseWeightQuantizer()}).
 */
public sealed interface WeightQuantizer permits ChannelInt8, BlockInt4 {
    /** {@code weight} {@code [out, in]} (each row an output channel) in this form, computed when written. */
    QuantizedMatrix quantize(TensorData weight);
}
