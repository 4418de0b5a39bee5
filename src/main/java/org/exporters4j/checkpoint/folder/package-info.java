/**
 * A checkpoint folder opened as one {@link org.exporters4j.checkpoint.Weights}:
 * {@link org.exporters4j.checkpoint.folder.Checkpoints} chooses the weights files as Transformers'
 * {@code from_pretrained} does (safetensors first), tells the format by content, joins the shards of an index file,
 * and reads TensorFlow-era {@code LayerNorm.gamma}/{@code .beta} names as {@code weight}/{@code bias}.
 *
 * <p>Sits above the format readers ({@code safetensors}, {@code torch}, {@code h5}) and {@code checkpoint}, which
 * they all build on, so no package cycle closes through it; imports nothing else of exporters4j but the root.
 */
package org.exporters4j.checkpoint.folder;
