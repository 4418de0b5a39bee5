/**
 * The MobileViT graph family: a convolutional stem, MobileNetV2 inverted residuals, and MobileViT blocks that unfold
 * the feature map into patches, run ViT-style transformer layers across patches and fold it back; base model and
 * image classification.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.mobilevit;
