/**
 * DistilBERT: BERT's computation under other module names ({@code transformer.layer.N.attention.q_lin},
 * {@code sa_layer_norm}, {@code ffn.lin1} …), without token types, as Transformers 4.25.1's
 * {@code modeling_distilbert.py}.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.distilbert;
