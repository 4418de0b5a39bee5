/**
 * The T5 encoder-decoder family: T5, mT5 and LongT5, which share T5's module tree ({@code encoder.block.N.layer.0
 * .SelfAttention.q} …) and differ in data — mT5 only in its config defaults (gated-GELU feed-forward, untied
 * {@code lm_head}), LongT5 in its encoder's self-attention (local, or transient-global) — each graph built as Transformers 4.25.1's
 * {@code modeling_t5.py} and {@code modeling_longt5.py} compute it in eval mode: RMS layer norms without bias or
 * mean, bias-free projections, unscaled attention scores with bucketed relative position biases (bidirectional in
 * the encoder, causal in the decoder), and the decoder's key/value cache for the {@code -with-past} graphs.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.t5;
