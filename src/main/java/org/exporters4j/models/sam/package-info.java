/**
 * The SAM graph family: the windowed and global ViT image encoder with decomposed relative positions and its neck,
 * the shared random Fourier positional embedding, the point prompt encoder and the two-way transformer mask decoder
 * with its upscaling, hypernetwork MLPs and IoU head.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.sam;
