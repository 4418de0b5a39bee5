/**
 * Falcon (Transformers 4.51): the new decoder architecture (grouped key/value heads, two parallel LayerNorms),
 * multi-query and per-head fused QKV, parallel or sequential blocks, rotary embeddings or ALiBi.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.falcon;
