/**
 * RoFormer: BERT's module tree with rotary position embeddings in the attention instead of absolute positions, and
 * an embedding size of its own, as Transformers 4.25.1's {@code modeling_roformer.py}.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.roformer;
