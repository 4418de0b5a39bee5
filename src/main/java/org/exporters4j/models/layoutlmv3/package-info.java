/**
 * LayoutLMv3: text with layout boxes and the page image in one encoder, with 1-D relative and 2-D spatial attention
 * biases, as Transformers 4.25.1's {@code modeling_layoutlmv3.py} computes it.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.layoutlmv3;
