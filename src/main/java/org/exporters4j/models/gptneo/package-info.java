/**
 * GPT-Neo (Transformers 4.25.1): global and local attention layers, unscaled scores.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.gptneo;
