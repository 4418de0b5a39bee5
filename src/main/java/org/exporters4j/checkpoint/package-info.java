/**
 * Checkpoints on disk: {@code config.json} as a typed model configuration, and the weights (safetensors, PyTorch,
 * Keras HDF5) as one lazily-read, memory-mapped view. Weights stay off the heap.
 *
 * <p>Imports no other exporters4j package but the root.
 */
package org.exporters4j.checkpoint;
