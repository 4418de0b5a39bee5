/**
 * Whisper: the speech encoder (convolutional front-end over log-mel features, learned positions, pre-LayerNorm
 * layers) and the text decoder with self- and cross-attention caches, as Transformers 4.25.1's
 * {@code modeling_whisper.py} computes them, and the audio classifier over the encoder (4.51's
 * {@code WhisperForAudioClassification}).
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.whisper;
