/**
 * The BART encoder-decoder family: BART and the model types that share its module tree
 * ({@code model.encoder.layers.N.self_attn.q_proj} …, {@code model.decoder.layers.N.encoder_attn} …) and differ only
 * in data — how positions are embedded (learned with BART's offset of 2, learned, Marian's sinusoids, M2M-100's
 * fairseq sinusoids numbered from the padding), where the layer norms sit (after each residual, or before each
 * sub-layer with a final norm per stack), whether the embeddings are normalized — built as Transformers 4.25.1's
 * {@code modeling_bart.py}, {@code modeling_mbart.py}, {@code modeling_marian.py}, {@code modeling_m2m_100.py},
 * {@code modeling_blenderbot.py}, {@code modeling_blenderbot_small.py} and {@code modeling_bigbird_pegasus.py}
 * compute them in eval mode, with Optimum v1.5.2's interface for each task (including one cached decoding step).
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.bart;
