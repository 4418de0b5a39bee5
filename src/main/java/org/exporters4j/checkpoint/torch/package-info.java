/**
 * PyTorch's {@code torch.save} format (zip and legacy): an allow-listed unpickler that never runs code, a zip
 * directory reader that finds each storage's offset so it can be memory-mapped, and the mapping from
 * {@code _rebuild_tensor_v2} views to tensor locations.
 *
 * <p>Imports only {@code org.exporters4j.checkpoint} (and the root).
 */
package org.exporters4j.checkpoint.torch;
