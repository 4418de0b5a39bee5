/**
 * The XLM family: XLM and FlauBERT (whose model class copies XLM's and adds {@code pre_norm} and
 * {@code layerdrop}), with their module names ({@code transformer.attentions.N.q_lin}, {@code ffns.N.lin1},
 * {@code layer_norm1.N} …) and heads ({@code pred_layer}, {@code sequence_summary}, {@code logits_proj},
 * {@code qa_outputs}), as Transformers 4.25.1's {@code modeling_xlm.py} and {@code modeling_flaubert.py}.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.xlm;
