/**
 * Sub-graphs shared by the architecture families: linear layers, layer norm, activations, self-attention with an
 * additive mask, and the text inputs and outputs of encoder heads; for vision families the pixel input, image sizes,
 * convolutions, eval-mode batch norm, the pre-norm ViT layer and output axes kept dynamic. Each block takes already-bound weight values,
 * so families name their own Hugging Face tensors and reuse the arithmetic. The frames families share live here too:
 * {@link org.exporters4j.models.blocks.FamilyArchitecture} (model type, variants, the build frame),
 * {@link org.exporters4j.models.blocks.DecoderArchitecture} (the decoder-only loop and cache) and
 * {@link org.exporters4j.models.blocks.TextEncoderHeads} (the standard text-encoder heads).
 *
 * <p>May import {@code models}, {@code checkpoint}, {@code onnx}; must not import {@code tasks}, {@code export} or
 * {@code cli}.
 */
package org.exporters4j.models.blocks;
