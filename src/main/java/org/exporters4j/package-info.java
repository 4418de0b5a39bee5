/**
 * exporters4j: Hugging Face Transformers checkpoints to ONNX, on the JVM.
 *
 * <p>The root package holds only {@link org.exporters4j.Exporters4jException}, which every package may use. The
 * packages below depend one way: {@code cli → export → tasks → models → {checkpoint, hub, onnx}}; the layering
 * test ({@code LayeringTest}) enforces it.
 */
package org.exporters4j;
