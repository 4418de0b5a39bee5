/**
 * Perceiver IO: latents that cross-attend to the inputs (text or image), a shared self-attention block applied
 * {@code num_blocks} times, and cross-attention decoders for masked language modelling and classification, as
 * Transformers 4.25.1's {@code modeling_perceiver.py} computes them.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.perceiver;
