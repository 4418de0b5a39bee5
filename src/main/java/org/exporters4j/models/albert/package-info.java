/**
 * ALBERT: factorised embeddings ({@code embedding_size} projected to {@code hidden_size} by
 * {@code encoder.embedding_hidden_mapping_in}) and layers shared across the depth
 * ({@code encoder.albert_layer_groups.G.albert_layers.J}), as Transformers 4.25.1's {@code modeling_albert.py}.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.albert;
