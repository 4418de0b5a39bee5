/**
 * The BERT encoder family: BERT and the model types that share its module tree ({@code encoder.layer.N.attention
 * .self.query} …) and differ only in data — RoBERTa-style position ids (roberta, xlm-roberta, camembert,
 * data2vec-text, ibert), ELECTRA's embedding projection and heads — each head built as Transformers 4.25.1's
 * {@code modeling_bert.py}, {@code modeling_roberta.py}, {@code modeling_electra.py} … compute it.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.bert;
