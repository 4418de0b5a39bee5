/**
 * GPT-BigCode (Transformers 4.51): multi-query or multi-head attention with GPT-BigCode's fused key/value cache,
 * learned positions.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.gptbigcode;
