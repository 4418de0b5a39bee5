/**
 * StableLM (Transformers 4.51): partial rotary embeddings, LayerNorm, optional q/k/v biases, per-head q/k LayerNorm
 * and parallel residual, SwiGLU MLP.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.stablelm;
