/**
 * The one kit every architecture family builds from: the input binder
 * ({@link org.exporters4j.models.blocks.GraphInputs}, with {@code TextInputs} and {@code PixelInputs} on top), the one
 * {@link org.exporters4j.models.blocks.Linear} (optional bias, {@code nn.Linear} or {@code Conv1D} layout), the one
 * scaled-dot-product attention and the causal masks, layer norm, activations, layer stacks, BERT's embedding tables;
 * for vision families the pixel input, image sizes, convolutions, eval-mode batch norm, the pre-norm ViT layer and
 * output axes kept dynamic. Blocks take
 * already-bound weight values or literal Hugging Face names given by the family, so a checkpoint key greps to the
 * family that reads it. Heads are ordinary code: {@code if (build.wants("pooler_output")) build.output(...)}
 * ({@link org.exporters4j.models.blocks.GraphBuild}). The frames families share live here too:
 * {@link org.exporters4j.models.blocks.FamilyArchitecture} (model type, variants, the build frame),
 * {@link org.exporters4j.models.blocks.EncoderArchitecture} (an encoder family's options, base model and inputs),
 * {@link org.exporters4j.models.blocks.DecoderArchitecture} (the decoder-only loop and cache) and
 * {@link org.exporters4j.models.blocks.TextEncoderHeads} (the standard text-encoder heads).
 *
 * <p>May import {@code models}, {@code checkpoint}, {@code onnx}; must not import {@code tasks}, {@code export} or
 * {@code cli}.
 */
package org.exporters4j.models.blocks;
