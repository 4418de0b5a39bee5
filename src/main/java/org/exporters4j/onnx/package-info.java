/**
 * ONNX models: a typed graph-building DSL, tensor specs and signatures, and the writer (single file or external
 * data). Protobuf types stay inside this package (and {@code onnx.proto}); nothing outside sees them.
 *
 * <p>Imports no other exporters4j package but the root.
 */
package org.exporters4j.onnx;
