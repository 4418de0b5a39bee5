/**
 * MobileBERT: bottlenecked BERT layers with stacked feed-forward networks, trigram token embeddings and
 * {@code NoNorm}, built as Transformers 4.25.1's {@code modeling_mobilebert.py} computes them.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.mobilebert;
