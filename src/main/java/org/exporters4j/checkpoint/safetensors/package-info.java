/**
 * The safetensors format: reads and checks a file's header (the JSON table of tensors) into tensor locations; the
 * data are served by {@link org.exporters4j.checkpoint.MappedWeights}.
 *
 * <p>Imports only {@code org.exporters4j.checkpoint} (and the root).
 */
package org.exporters4j.checkpoint.safetensors;
