/**
 * The ViT graph family: ViT, DeiT and YOLOS (a row each in {@code tasks.ModelTypes}, their differences as
 * {@link org.exporters4j.models.vit.VitFlavor} data): patch embeddings as a strided Conv, class (and distillation or
 * detection) tokens, position embeddings, pre-norm encoder layers, and the image-classification, masked image
 * modelling and object-detection heads.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.vit;
