/**
 * Swin Transformer (Transformers 4.51 {@code modeling_swin.py}): patch embeddings, stages of window attention
 * (every other block on cyclically shifted windows, with the mask that keeps shifted regions apart) and patch
 * merging, with its image-classification and masked-image-modelling heads. Imports only {@code models},
 * {@code models.blocks}, {@code checkpoint} and {@code onnx}.
 */
package org.exporters4j.models.swin;
