/**
 * MPNet (Transformers 4.51 {@code modeling_mpnet.py}): a BERT-shaped encoder whose attention adds T5-style
 * bidirectional relative position buckets, with its masked-language-model, classification, multiple-choice,
 * token-classification and question-answering heads. Imports only {@code models}, {@code models.blocks},
 * {@code checkpoint} and {@code onnx}.
 */
package org.exporters4j.models.mpnet;
