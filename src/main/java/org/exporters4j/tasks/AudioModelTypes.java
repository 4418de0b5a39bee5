package org.exporters4j.tasks;

import static org.exporters4j.models.wav2vec2.Wav2Vec2Flavor.Attention.GATED_RELATIVE_POSITION_BIAS;
import static org.exporters4j.models.wav2vec2.Wav2Vec2Flavor.Attention.PLAIN;
import static org.exporters4j.models.wav2vec2.Wav2Vec2Flavor.FeatureProjectionNorm.ALWAYS;
import static org.exporters4j.models.wav2vec2.Wav2Vec2Flavor.FeatureProjectionNorm.FROM_FEAT_PROJ_LAYER_NORM;
import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_25_3;
import static org.exporters4j.tasks.ModelTypeRows.NO_TF;
import static org.exporters4j.tasks.ModelTypeRows.pt;
import static org.exporters4j.tasks.ModelTypeRows.task;
import static org.exporters4j.tasks.ModelTypeRows.type;
import static org.exporters4j.tasks.OnnxConfigs.audioOnnx;
import static org.exporters4j.tasks.Task.AUDIO_CLASSIFICATION;
import static org.exporters4j.tasks.Task.AUDIO_FRAME_CLASSIFICATION;
import static org.exporters4j.tasks.Task.AUDIO_XVECTOR;
import static org.exporters4j.tasks.Task.CTC;
import static org.exporters4j.tasks.Task.DEFAULT;

import java.util.List;
import org.exporters4j.models.wav2vec2.Wav2Vec2Architecture;
import org.exporters4j.models.wav2vec2.Wav2Vec2Flavor;
import org.exporters4j.models.wav2vec2.Wav2Vec2Flavor.Attention;
import org.exporters4j.models.wav2vec2.Wav2Vec2Flavor.FeatureProjectionNorm;
import org.exporters4j.tasks.ModelTypeRows.GraphOf;

/**
 * The rows of the audio encoders Optimum 1.25.3 registers and Optimum v1.5.2 does not (see {@link ModelTypes} for how
 * a row reads), exported with Optimum 1.25.3's interface ({@code AudioOnnxConfig}), with the wav2vec2 family's
 * flavours. Optimum names CTC {@code automatic-speech-recognition}; these rows take that name as {@link Task#CTC}.
 */
final class AudioModelTypes {
    static final List<ModelTypeRow> ROWS = List.of(
            type("wav2vec2", audioOnnx("Wav2Vec2OnnxConfig"), wav2vec2("wav2vec2", PLAIN, ALWAYS),
                    task(V1_25_3,                DEFAULT,                    pt("Wav2Vec2Model"),                        NO_TF),
                    task(V1_25_3,                CTC,                        pt("Wav2Vec2ForCTC"),                       NO_TF),
                    task(V1_25_3,                AUDIO_CLASSIFICATION,       pt("Wav2Vec2ForSequenceClassification"),    NO_TF),
                    task(V1_25_3,                AUDIO_FRAME_CLASSIFICATION, pt("Wav2Vec2ForAudioFrameClassification"),  NO_TF),
                    task(V1_25_3,                AUDIO_XVECTOR,              pt("Wav2Vec2ForXVector"),                   NO_TF)),
            type("hubert", audioOnnx("HubertOnnxConfig"), wav2vec2("hubert", PLAIN, FROM_FEAT_PROJ_LAYER_NORM),
                    task(V1_25_3,                DEFAULT,                    pt("HubertModel"),                          NO_TF),
                    task(V1_25_3,                CTC,                        pt("HubertForCTC"),                         NO_TF),
                    task(V1_25_3,                AUDIO_CLASSIFICATION,       pt("HubertForSequenceClassification"),      NO_TF)),
            type("wavlm", audioOnnx("WavLMOnnxConfig").opset(12), wav2vec2("wavlm", GATED_RELATIVE_POSITION_BIAS, ALWAYS),
                    task(V1_25_3,                DEFAULT,                    pt("WavLMModel"),                           NO_TF),
                    task(V1_25_3,                CTC,                        pt("WavLMForCTC"),                          NO_TF),
                    task(V1_25_3,                AUDIO_CLASSIFICATION,       pt("WavLMForSequenceClassification"),       NO_TF),
                    task(V1_25_3,                AUDIO_FRAME_CLASSIFICATION, pt("WavLMForAudioFrameClassification"),     NO_TF),
                    task(V1_25_3,                AUDIO_XVECTOR,              pt("WavLMForXVector"),                      NO_TF)));

    private AudioModelTypes() {}

    /** A wav2vec2-family graph whose flavour is the row's facts (see {@link Wav2Vec2Flavor}). */
    private static GraphOf wav2vec2(String basePrefix, Attention attention, FeatureProjectionNorm projectionNorm) {
        Wav2Vec2Flavor flavor = new Wav2Vec2Flavor(basePrefix, attention, projectionNorm);
        return (modelType, variants) -> new Wav2Vec2Architecture(modelType, flavor, variants);
    }
}
