/**
 * GroupViT: CLIP's text tower with a vision tower that groups image tokens into learned segments (hard assignment
 * in eval), and batch-normalized projection heads, as Transformers 4.25.1's {@code modeling_groupvit.py} computes it.
 * Reuses the CLIP family's text tower, encoder layers and contrastive outputs.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code models.clip}, {@code checkpoint}, {@code onnx}; must
 * not import {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.groupvit;
