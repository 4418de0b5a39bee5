package org.exporters4j.models.wav2vec2;

import java.util.Objects;

/**
 * What one model type of the wav2vec2 family does differently (Transformers 4.51's {@code modeling_wav2vec2},
 * {@code modeling_hubert}, {@code modeling_wavlm}), as data: the prefix of the base model's weights in a checkpoint
 * saved with a head, and how the encoder's self-attention is biased. The rows are in the model-type table
 * ({@code tasks.AudioModelTypes}).
 *
 * @param basePrefix the base model's attribute name in the heads ({@code base_model_prefix}), e.g. {@code wav2vec2}
 * @param attention how the encoder's attention scores are biased: plain for {@code Wav2Vec2Model} and
 *     {@code HubertModel}, gated relative position bias for {@code WavLMModel} ({@code WavLMAttention})
 * @param featureProjectionNorm whether the feature projection normalises the convolutional features first: always,
 *     or for {@code HubertModel} only with {@code feat_proj_layer_norm}
 */
public record Wav2Vec2Flavor(String basePrefix, Attention attention, FeatureProjectionNorm featureProjectionNorm) {

    public Wav2Vec2Flavor {
        Objects.requireNonNull(basePrefix, "basePrefix");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(featureProjectionNorm, "featureProjectionNorm");
    }

    /** How the encoder's attention scores are biased. */
    public enum Attention { PLAIN, GATED_RELATIVE_POSITION_BIAS }

    /** Whether the feature projection normalises the convolutional features first. */
    public enum FeatureProjectionNorm { ALWAYS, FROM_FEAT_PROJ_LAYER_NORM }
}
