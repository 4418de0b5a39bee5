/**
 * exporters4j: Hugging Face Transformers checkpoints to ONNX, on the JVM.
 *
 * <p>The root package holds only what every package may use: {@link org.exporters4j.Exporters4jException},
 * {@link org.exporters4j.WeightsFormat} (the weight files both {@code checkpoint} and {@code hub} name) and
 * {@link org.exporters4j.EnumIndex} (an enum's constants by their spelling, for the lookups of every package). The
 * packages below depend one way: {@code cli → export → tasks → models → {checkpoint, hub, onnx}}; the layering
 * test ({@code LayeringTest}) enforces it.
 */
package org.exporters4j;
