/**
 * SigLIP (Transformers 4.51 {@code modeling_siglip.py}): a text tower pooled at its last token and a vision tower
 * pooled by multi-head attention from a learned probe, compared by sigmoid logits
 * ({@code logit_scale.exp()} and {@code logit_bias}). Imports only {@code models}, {@code models.blocks},
 * {@code models.clip} (the contrastive outputs and sub-config reading), {@code checkpoint} and {@code onnx}.
 */
package org.exporters4j.models.siglip;
