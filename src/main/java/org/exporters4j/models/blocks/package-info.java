/**
 * Sub-graphs shared by the architecture families: linear layers, layer norm, activations, self-attention with an
 * additive mask, and the text inputs and outputs of encoder heads; for vision families the pixel input, image sizes,
 * convolutions, eval-mode batch norm, the pre-norm ViT layer and output axes kept dynamic. Each block takes already-bound weight values,
 * so families name their own Hugging Face tensors and reuse the arithmetic.
 *
 * <p>May import {@code models}, {@code checkpoint}, {@code onnx}; must not import {@code tasks}, {@code export} or
 * {@code cli}.
 */
package org.exporters4j.models.blocks;
