/**
 * ModernBERT (Transformers 4.51 {@code modeling_modernbert.py}): pre-norm layers with fused query/key/value, rotary
 * positions with a global and a local base, global attention every {@code global_attn_every_n_layers} layers and
 * sliding-window attention in the others, a GeGLU-style gated feed-forward, no biases by default; its prediction head,
 * the tied decoder and the classifiers. Imports only {@code models}, {@code models.blocks}, {@code checkpoint} and
 * {@code onnx}.
 */
package org.exporters4j.models.modernbert;
