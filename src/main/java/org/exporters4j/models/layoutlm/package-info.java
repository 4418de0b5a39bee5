/**
 * LayoutLM: BERT with 2-D position embeddings of the tokens' boxes ({@code bbox}), as Transformers 4.25.1's
 * {@code modeling_layoutlm.py}; the layers are {@link org.exporters4j.models.blocks.BertStyleLayer}.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.layoutlm;
