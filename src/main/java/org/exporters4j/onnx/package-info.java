/**
 * ONNX models: a typed graph-building DSL, the checked model value, tensor data, and the writer.
 *
 * <p>{@link org.exporters4j.onnx.OnnxGraphBuilder} builds one graph for a fixed {@link org.exporters4j.onnx.Opset}
 * with one typed method per operator, checking each node when it is added and emitting the form the opset defines.
 * {@link org.exporters4j.onnx.TensorData} is the contents of a weight: memory-mapped slices and lazy derived tensors
 * (transposed, converted, concatenated) that compute their bytes only when written.
 * {@link org.exporters4j.onnx.OnnxModel} is the immutable, checked graph; {@link org.exporters4j.onnx.ModelWriter}
 * streams it to {@code model.onnx} (and {@code model.onnx_data} as external data past protobuf's 2 GiB limit).
 *
 * <p>The generated protobuf classes ({@code org.exporters4j.onnx.proto}, from {@code src/main/proto/onnx.proto}) and
 * {@code com.google.protobuf} stay inside this package; its API speaks in its own types. Imports no other exporters4j
 * package but the root, and never ONNX Runtime (validation belongs to package export).
 */
package org.exporters4j.onnx;
