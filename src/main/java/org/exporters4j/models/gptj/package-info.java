/**
 * GPT-J and CodeGen (Transformers 4.25.1): parallel attention and MLP, interleaved rotary embeddings; CodeGen's
 * fused qkv_proj as data.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.gptj;
