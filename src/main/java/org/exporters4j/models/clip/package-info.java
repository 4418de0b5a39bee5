/**
 * Contrastive text-image models built like CLIP: clip and owlvit as rows of {@link
 * org.exporters4j.models.clip.ClipArchitecture}, and the towers, encoder layers and contrastive outputs GroupViT
 * reuses, as Transformers 4.25.1's {@code modeling_clip.py} and {@code modeling_owlvit.py} compute them.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.clip;
