package org.exporters4j.tasks;

import static org.exporters4j.models.Past.WITHOUT_PAST;
import static org.exporters4j.models.Past.WITH_PAST;

import java.util.List;
import java.util.Optional;
import org.exporters4j.models.Head;
import org.exporters4j.models.Past;

/**
 * The tasks of Optimum v1.5.2 ({@code TasksManager._TASKS_TO_AUTOMODELS} and {@code _TASKS_TO_TF_AUTOMODELS}), in
 * Optimum's order, with the Transformers auto-model class that loads a checkpoint for each task per framework, the
 * model head it exports, and the variants a task has ({@code -with-past} only where a decoder cache exists).
 *
 * <p>Canonical names are Optimum v1.5.2's ({@code causal-lm}); today's names ({@code text-generation}, one per task
 * in the second column, as Optimum 1.25.3 lists them) are accepted by {@link TaskNames#parse(String)} and resolve to
 * these.
 */
public enum Task {
    //                     name                       today's name                    PyTorch class                          TensorFlow class                          head                          variants
    DEFAULT(                "default",                 "feature-extraction",           "AutoModel",                           "TFAutoModel",                            Head.BASE,                    WITHOUT_PAST, WITH_PAST),
    MASKED_LM(              "masked-lm",               "fill-mask",                    "AutoModelForMaskedLM",                "TFAutoModelForMaskedLM",                 Head.MASKED_LM,               WITHOUT_PAST),
    CAUSAL_LM(              "causal-lm",               "text-generation",              "AutoModelForCausalLM",                "TFAutoModelForCausalLM",                 Head.CAUSAL_LM,               WITHOUT_PAST, WITH_PAST),
    SEQ2SEQ_LM(             "seq2seq-lm",              "text2text-generation",         "AutoModelForSeq2SeqLM",               "TFAutoModelForSeq2SeqLM",                Head.SEQ2SEQ_LM,              WITHOUT_PAST, WITH_PAST),
    SEQUENCE_CLASSIFICATION("sequence-classification", "text-classification",          "AutoModelForSequenceClassification",  "TFAutoModelForSequenceClassification",   Head.SEQUENCE_CLASSIFICATION, WITHOUT_PAST),
    TOKEN_CLASSIFICATION(   "token-classification",    "token-classification",         "AutoModelForTokenClassification",     "TFAutoModelForTokenClassification",      Head.TOKEN_CLASSIFICATION,    WITHOUT_PAST),
    MULTIPLE_CHOICE(        "multiple-choice",         "multiple-choice",              "AutoModelForMultipleChoice",          "TFAutoModelForMultipleChoice",           Head.MULTIPLE_CHOICE,         WITHOUT_PAST),
    OBJECT_DETECTION(       "object-detection",        "object-detection",             "AutoModelForObjectDetection",         null,                                     Head.OBJECT_DETECTION,        WITHOUT_PAST),
    QUESTION_ANSWERING(     "question-answering",      "question-answering",           "AutoModelForQuestionAnswering",       "TFAutoModelForQuestionAnswering",        Head.QUESTION_ANSWERING,      WITHOUT_PAST),
    IMAGE_CLASSIFICATION(   "image-classification",    "image-classification",         "AutoModelForImageClassification",     null,                                     Head.IMAGE_CLASSIFICATION,    WITHOUT_PAST),
    IMAGE_SEGMENTATION(     "image-segmentation",      "image-segmentation",           "AutoModelForImageSegmentation",       null,                                     Head.IMAGE_SEGMENTATION,      WITHOUT_PAST),
    MASKED_IM(              "masked-im",               "masked-im",                    "AutoModelForMaskedImageModeling",     null,                                     Head.MASKED_IM,               WITHOUT_PAST),
    SEMANTIC_SEGMENTATION(  "semantic-segmentation",   "semantic-segmentation",        "AutoModelForSemanticSegmentation",    "TFAutoModelForSemanticSegmentation",     Head.SEMANTIC_SEGMENTATION,   WITHOUT_PAST),
    SPEECH2SEQ_LM(          "speech2seq-lm",           "automatic-speech-recognition", "AutoModelForSpeechSeq2Seq",           null,                                     Head.SPEECH2SEQ_LM,           WITHOUT_PAST, WITH_PAST),
    // Tasks of today's Optimum with no Optimum v1.5.2 equivalent, named as Optimum 1.25.3 names them; audio-ctc is
    // today's synonym for AutoModelForCTC's automatic-speech-recognition, the name Optimum 1.25.3 lists (the wav2vec2
    // family's rows resolve it to CTC)
    CTC(                    "audio-ctc",               "automatic-speech-recognition", "AutoModelForCTC",                     null,                                     Head.CTC,                     WITHOUT_PAST),
    AUDIO_CLASSIFICATION(   "audio-classification",    "audio-classification",         "AutoModelForAudioClassification",     null,                                     Head.AUDIO_CLASSIFICATION,    WITHOUT_PAST),
    AUDIO_FRAME_CLASSIFICATION("audio-frame-classification", "audio-frame-classification", "AutoModelForAudioFrameClassification", null,                          Head.AUDIO_FRAME_CLASSIFICATION, WITHOUT_PAST),
    AUDIO_XVECTOR(          "audio-xvector",           "audio-xvector",                "AutoModelForAudioXVector",            null,                                     Head.AUDIO_XVECTOR,           WITHOUT_PAST),
    ZERO_SHOT_IMAGE_CLASSIFICATION("zero-shot-image-classification", "zero-shot-image-classification", "AutoModelForZeroShotImageClassification", "TFAutoModelForZeroShotImageClassification", Head.ZERO_SHOT_IMAGE_CLASSIFICATION, WITHOUT_PAST);

    /** The tasks of Optimum v1.5.2, in its order (the later ones have no v1.5.2 equivalent). */
    public static List<Task> optimumV152Tasks() {
        return List.copyOf(java.util.EnumSet.range(DEFAULT, SPEECH2SEQ_LM));
    }

    private final String canonicalName;
    private final String todaysName;
    private final String pytorchModelClass;
    private final String tensorflowModelClass;
    private final Head head;
    private final List<Past> variants;

    Task(String canonicalName, String todaysName, String pytorchModelClass, String tensorflowModelClass, Head head,
         Past... variants) {
        this.canonicalName = canonicalName;
        this.todaysName = todaysName;
        this.pytorchModelClass = pytorchModelClass;
        this.tensorflowModelClass = tensorflowModelClass;
        this.head = head;
        this.variants = List.of(variants);
    }

    /** The model head the task exports (package {@code models} speaks in heads, never in task names). */
    public Head head() {
        return head;
    }

    /** Optimum v1.5.2's name of the task, e.g. {@code causal-lm}. */
    public String canonicalName() {
        return canonicalName;
    }

    /**
     * Optimum 1.25.3's name of the task ({@code TasksManager._SYNONYM_TASK_MAP}'s target, e.g. {@code text-generation}
     * for {@code causal-lm}): the name the registry of today's model types lists.
     */
    public String todaysName() {
        return todaysName;
    }

    /** The Transformers auto-model class for the framework; empty where Transformers has no TensorFlow class. */
    public Optional<String> modelClass(Framework framework) {
        return switch (framework) {
            case PT -> Optional.of(pytorchModelClass);
            case TF -> Optional.ofNullable(tensorflowModelClass);
        };
    }

    /** The variants of this task: always {@link Past#WITHOUT_PAST}, and {@code WITH_PAST} for decoder tasks. */
    public List<Past> variants() {
        return variants;
    }

    public boolean hasVariant(Past variant) {
        return variants.contains(variant);
    }
}
