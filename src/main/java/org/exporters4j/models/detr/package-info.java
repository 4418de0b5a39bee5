/**
 * The DETR graph family: Transformers' ResNet backbone with frozen batch norm, the 1×1 input projection, sine or
 * learned position embeddings, the post-norm encoder and the decoder of object queries, and the detection (class
 * logits, sigmoid boxes) and segmentation (attention maps and the FPN-style mask head) heads.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code models.resnet}, {@code checkpoint}, {@code onnx}; must
 * not import {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.detr;
