package org.exporters4j.tasks;

import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_25_3;
import static org.exporters4j.tasks.ModelTypeRows.NO_TF;
import static org.exporters4j.tasks.ModelTypeRows.family;
import static org.exporters4j.tasks.ModelTypeRows.pt;
import static org.exporters4j.tasks.ModelTypeRows.task;
import static org.exporters4j.tasks.ModelTypeRows.tf;
import static org.exporters4j.tasks.ModelTypeRows.type;
import static org.exporters4j.tasks.OnnxConfigs.modernBertOnnx;
import static org.exporters4j.tasks.OnnxConfigs.mpnetOnnx;
import static org.exporters4j.tasks.Task.DEFAULT;
import static org.exporters4j.tasks.Task.MASKED_LM;
import static org.exporters4j.tasks.Task.MULTIPLE_CHOICE;
import static org.exporters4j.tasks.Task.QUESTION_ANSWERING;
import static org.exporters4j.tasks.Task.SEQUENCE_CLASSIFICATION;
import static org.exporters4j.tasks.Task.TOKEN_CLASSIFICATION;

import java.util.List;
import org.exporters4j.models.modernbert.ModernBertArchitecture;
import org.exporters4j.models.mpnet.MpnetArchitecture;

/**
 * The rows of the text encoders Optimum 1.25.3 registers and Optimum v1.5.2 does not (see {@link ModelTypes} for how
 * a row reads), exported with Optimum 1.25.3's interface, with the graph families they are built with.
 */
final class TextEncoderModelTypes {
    static final List<ModelTypeRow> ROWS = List.of(
            type("mpnet", mpnetOnnx(),
                    family(MpnetArchitecture::new),
                    task(V1_25_3,                DEFAULT,                 pt("MPNetModel"),                               tf("TFMPNetModel")),
                    task(V1_25_3,                MASKED_LM,               pt("MPNetForMaskedLM"),                         tf("TFMPNetForMaskedLM")),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("MPNetForSequenceClassification"),           tf("TFMPNetForSequenceClassification")),
                    task(V1_25_3,                MULTIPLE_CHOICE,         pt("MPNetForMultipleChoice"),                   tf("TFMPNetForMultipleChoice")),
                    task(V1_25_3,                TOKEN_CLASSIFICATION,    pt("MPNetForTokenClassification"),              tf("TFMPNetForTokenClassification")),
                    task(V1_25_3,                QUESTION_ANSWERING,      pt("MPNetForQuestionAnswering"),                tf("TFMPNetForQuestionAnswering"))),
            type("modernbert", modernBertOnnx(),
                    family(ModernBertArchitecture::new),
                    task(V1_25_3,                DEFAULT,                 pt("ModernBertModel"),                          NO_TF),
                    task(V1_25_3,                MASKED_LM,               pt("ModernBertForMaskedLM"),                    NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("ModernBertForSequenceClassification"),      NO_TF),
                    task(V1_25_3,                TOKEN_CLASSIFICATION,    pt("ModernBertForTokenClassification"),         NO_TF)));

    private TextEncoderModelTypes() {}
}
