/**
 * Checkpoints on disk: {@code config.json} as a typed model configuration, and the weights as one lazily-read,
 * memory-mapped {@link org.exporters4j.checkpoint.Weights} view ({@link org.exporters4j.checkpoint.Checkpoints}
 * chooses the files). The format readers live in sub-packages ({@code safetensors}, {@code torch}) and only turn a
 * file's header into {@link org.exporters4j.checkpoint.TensorLocation}s; this package serves the bytes. Weights
 * stay off the heap.
 *
 * <p>Imports no other exporters4j package but the root.
 */
package org.exporters4j.checkpoint;
