/**
 * The LeViT graph family: a four-convolution patch embedding with hardswish, stages of attention with learned
 * biases on the token grid and MLPs (linear layers followed by batch norm), attention-subsampling between stages,
 * and the image-classification head (also the distilled head pair of LevitForImageClassificationWithTeacher).
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.levit;
