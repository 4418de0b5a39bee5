/**
 * The wav2vec2 graph family: wav2vec2, HuBERT and WavLM (a row each in {@code tasks.ModelTypes}, their differences
 * as {@link org.exporters4j.models.wav2vec2.Wav2Vec2Flavor} data): the convolutional feature encoder over raw
 * samples, the feature projection, the weight-normalised positional convolution, a post-norm or pre-norm
 * ({@code do_stable_layer_norm}) encoder (WavLM's with its gated relative position bias), and the CTC, audio
 * classification, audio frame classification and x-vector heads.
 *
 * <p>May import {@code models}, {@code models.blocks}, {@code checkpoint}, {@code onnx}; must not import
 * {@code tasks}, {@code export} or {@code cli}.
 */
package org.exporters4j.models.wav2vec2;
