/**
 * The BEiT graph family: BEiT and Data2Vec-vision (a row each in {@code tasks.ModelTypes}; Data2VecVision's modeling
 * code is a copy of BEiT's under another prefix): patch embeddings, the class token, optional absolute position
 * embeddings, relative position bias (per layer and/or shared), layer scale, mean pooling, and the
 * image-classification head.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.beit;
