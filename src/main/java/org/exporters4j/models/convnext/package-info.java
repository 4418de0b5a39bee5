/**
 * The ConvNeXT graph family: patchify stem, stages of depthwise-convolution blocks with channels-last layer norm,
 * inverted-bottleneck MLP and layer scale, downsampling between stages, mean pooling and the image-classification
 * head.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.convnext;
