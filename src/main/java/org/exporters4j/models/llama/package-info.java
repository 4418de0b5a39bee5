/**
 * The Llama family: llama, mistral, mixtral, qwen2, qwen3, gemma, gemma2, gemma3-text, granite, olmo, phi3 and
 * starcoder2 as rows with their {@link org.exporters4j.models.llama.LlamaFlavor} presets (grouped-query attention,
 * rotary embeddings, pre-norm blocks, gated, plain or mixture-of-experts feed-forward, sliding windows, biases).
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.llama;
