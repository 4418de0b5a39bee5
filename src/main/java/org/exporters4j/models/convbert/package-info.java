/**
 * ConvBERT: BERT layers whose attention mixes self-attention heads with span-based dynamic convolution heads, and
 * whose feed-forward layers may be grouped, built as Transformers 4.25.1's {@code modeling_convbert.py} computes
 * them.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.convbert;
