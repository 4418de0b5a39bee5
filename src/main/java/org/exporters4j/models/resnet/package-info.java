/**
 * The ResNet graph family: a 7×7 stride-2 stem with max pooling, stages of basic or bottleneck residual layers (Conv
 * + eval-mode batch norm, with a 1×1 projection shortcut where the shape changes), average pooling and the
 * image-classification head.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.resnet;
