/**
 * Phi (Transformers 4.51): parallel attention and MLP on one LayerNorm, partial rotary embeddings, biased
 * projections, optional q/k LayerNorm.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.phi;
