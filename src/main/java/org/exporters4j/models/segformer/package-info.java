/**
 * The SegFormer graph family: the Mix Transformer encoder (overlapping patch embeddings, efficient self-attention
 * with sequence reduction, Mix-FFN with a depthwise convolution) and the all-MLP decode head; base model, image
 * classification and semantic segmentation.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.segformer;
