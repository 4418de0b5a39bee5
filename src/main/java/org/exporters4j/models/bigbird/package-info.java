/**
 * BigBird with full attention ({@code attention_type: original_full}): BERT's module tree under {@code bert.},
 * its own pooler, classification and question-answering heads, as Transformers 4.25.1's
 * {@code modeling_big_bird.py}. Block-sparse attention is refused with the setting that exports.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.bigbird;
