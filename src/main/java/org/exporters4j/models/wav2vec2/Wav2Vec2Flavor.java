package org.exporters4j.models.wav2vec2;

/**
 * The differences between the model types of the wav2vec2 family (Transformers 4.51's {@code modeling_wav2vec2},
 * {@code modeling_hubert}, {@code modeling_wavlm}): the prefix of the base model's weights in a checkpoint saved with
 * a head, and how the encoder's self-attention is biased.
 */
public enum Wav2Vec2Flavor {
    /** {@code Wav2Vec2Model}: plain scaled-dot-product attention. */
    WAV2VEC2("wav2vec2", Attention.PLAIN, FeatureProjectionNorm.ALWAYS),
    /** {@code HubertModel}: wav2vec2's graph; the projection's LayerNorm only with {@code feat_proj_layer_norm}. */
    HUBERT("hubert", Attention.PLAIN, FeatureProjectionNorm.FROM_FEAT_PROJ_LAYER_NORM),
    /** {@code WavLMModel}: the gated relative position bias ({@code WavLMAttention}). */
    WAVLM("wavlm", Attention.GATED_RELATIVE_POSITION_BIAS, FeatureProjectionNorm.ALWAYS);

    /** How the encoder's attention scores are biased. */
    enum Attention { PLAIN, GATED_RELATIVE_POSITION_BIAS }

    /** Whether the feature projection normalises the convolutional features first. */
    enum FeatureProjectionNorm { ALWAYS, FROM_FEAT_PROJ_LAYER_NORM }

    private final String basePrefix;
    private final Attention attention;
    private final FeatureProjectionNorm featureProjectionNorm;

    Wav2Vec2Flavor(String basePrefix, Attention attention, FeatureProjectionNorm featureProjectionNorm) {
        this.basePrefix = basePrefix;
        this.attention = attention;
        this.featureProjectionNorm = featureProjectionNorm;
    }

    /** The base model's attribute name in the heads ({@code base_model_prefix}), e.g. {@code wav2vec2}. */
    public String basePrefix() {
        return basePrefix;
    }

    Attention attention() {
        return attention;
    }

    FeatureProjectionNorm featureProjectionNorm() {
        return featureProjectionNorm;
    }
}
