/**
 * GPT-2 (Transformers 4.25.1): fused Conv1D attention, learned positions, the LM head tied to wte.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.gpt2;
