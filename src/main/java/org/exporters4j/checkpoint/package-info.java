/**
 * Checkpoints on disk: {@code config.json} as a typed model configuration (resolved against the facts of
 * Transformers' configuration classes, kept as data in the resource {@code config-classes.json} and read once by
 * {@link org.exporters4j.checkpoint.ConfigClassTable}), and the weights as one lazily-read, memory-mapped
 * {@link org.exporters4j.checkpoint.Weights} view. The format readers live in sub-packages ({@code safetensors},
 * {@code torch}, {@code h5}) and turn a file's header into {@link org.exporters4j.checkpoint.TensorLocation}s; the
 * sub-package {@code folder} opens a checkpoint folder (chooses the files, joins shards, reads legacy names) over
 * them. This package serves the bytes: a {@link org.exporters4j.checkpoint.MappedWeights} names the tensors of a
 * file and a {@link org.exporters4j.checkpoint.MappedFile} maps it in windows and gathers strided views
 * ({@link org.exporters4j.checkpoint.ContiguousBytes}), and {@link org.exporters4j.checkpoint.CloseMatches} words
 * the "close matches" of unknown tensor names, for every reader alike. Weights stay off the heap.
 *
 * <p>Imports no other exporters4j package but the root, not even its own sub-packages (they build on it).
 */
package org.exporters4j.checkpoint;
