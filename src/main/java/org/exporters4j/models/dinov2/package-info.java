/**
 * DINOv2 (Transformers 4.51 {@code modeling_dinov2.py}): a pre-norm vision transformer with layer scale, an MLP or
 * SwiGLU feed-forward, and position embeddings interpolated (bicubic) to the input's patch grid, with its
 * image-classification head on the class token and the mean patch token. Imports only {@code models},
 * {@code models.blocks}, {@code checkpoint} and {@code onnx}.
 */
package org.exporters4j.models.dinov2;
