/**
 * The DeBERTa family (deberta, deberta-v2): disentangled relative-position attention, built as Transformers
 * 4.25.1's {@code modeling_deberta.py} and {@code modeling_deberta_v2.py} compute it; the two generations are
 * {@link org.exporters4j.models.deberta.DebertaVersion} rows.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.deberta;
