/**
 * GPT-NeoX (Transformers 4.51): fused head-interleaved QKV, partial rotary embeddings, parallel or sequential
 * residual blocks, LayerNorm.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.gptneox;
