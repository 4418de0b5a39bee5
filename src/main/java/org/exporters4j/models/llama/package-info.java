/**
 * The Llama family: llama, mistral and qwen2 as rows (grouped-query attention, rotary embeddings, RMSNorm, SwiGLU,
 * sliding windows, q/k/v biases).
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.llama;
