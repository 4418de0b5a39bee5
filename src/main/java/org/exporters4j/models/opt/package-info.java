/**
 * OPT (Transformers 4.51): learned positions with offset 2, pre- or post-LayerNorm blocks, the
 * {@code word_embed_proj_dim} projections.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.opt;
