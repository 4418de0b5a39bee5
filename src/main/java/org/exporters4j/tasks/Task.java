package org.exporters4j.tasks;

import java.util.List;
import java.util.Optional;

/**
 * The tasks of Optimum v1.5.2 ({@code TasksManager._TASKS_TO_AUTOMODELS} and {@code _TASKS_TO_TF_AUTOMODELS}), in
 * Optimum's order, with the Transformers auto-model class that loads a checkpoint for each task per framework and
 * the variants a task has ({@code -with-past} only where a decoder cache exists).
 *
 * <p>Canonical names are Optimum v1.5.2's ({@code causal-lm}); today's names ({@code text-generation}) are accepted
 * by {@link TaskNames#parse(String)} and resolve to these.
 */
public enum Task {
    //                     name                       PyTorch class                          TensorFlow class                          variants
    DEFAULT(                "default",                 "AutoModel",                           "TFAutoModel",                            TaskVariant.PLAIN, TaskVariant.WITH_PAST),
    MASKED_LM(              "masked-lm",               "AutoModelForMaskedLM",                "TFAutoModelForMaskedLM",                 TaskVariant.PLAIN),
    CAUSAL_LM(              "causal-lm",               "AutoModelForCausalLM",                "TFAutoModelForCausalLM",                 TaskVariant.PLAIN, TaskVariant.WITH_PAST),
    SEQ2SEQ_LM(             "seq2seq-lm",              "AutoModelForSeq2SeqLM",               "TFAutoModelForSeq2SeqLM",                TaskVariant.PLAIN, TaskVariant.WITH_PAST),
    SEQUENCE_CLASSIFICATION("sequence-classification", "AutoModelForSequenceClassification",  "TFAutoModelForSequenceClassification",   TaskVariant.PLAIN),
    TOKEN_CLASSIFICATION(   "token-classification",    "AutoModelForTokenClassification",     "TFAutoModelForTokenClassification",      TaskVariant.PLAIN),
    MULTIPLE_CHOICE(        "multiple-choice",         "AutoModelForMultipleChoice",          "TFAutoModelForMultipleChoice",           TaskVariant.PLAIN),
    OBJECT_DETECTION(       "object-detection",        "AutoModelForObjectDetection",         null,                                     TaskVariant.PLAIN),
    QUESTION_ANSWERING(     "question-answering",      "AutoModelForQuestionAnswering",       "TFAutoModelForQuestionAnswering",        TaskVariant.PLAIN),
    IMAGE_CLASSIFICATION(   "image-classification",    "AutoModelForImageClassification",     null,                                     TaskVariant.PLAIN),
    IMAGE_SEGMENTATION(     "image-segmentation",      "AutoModelForImageSegmentation",       null,                                     TaskVariant.PLAIN),
    MASKED_IM(              "masked-im",               "AutoModelForMaskedImageModeling",     null,                                     TaskVariant.PLAIN),
    SEMANTIC_SEGMENTATION(  "semantic-segmentation",   "AutoModelForSemanticSegmentation",    "TFAutoModelForSemanticSegmentation",     TaskVariant.PLAIN),
    SPEECH2SEQ_LM(          "speech2seq-lm",           "AutoModelForSpeechSeq2Seq",           null,                                     TaskVariant.PLAIN, TaskVariant.WITH_PAST);

    private final String canonicalName;
    private final String pytorchModelClass;
    private final String tensorflowModelClass;
    private final List<TaskVariant> variants;

    Task(String canonicalName, String pytorchModelClass, String tensorflowModelClass, TaskVariant... variants) {
        this.canonicalName = canonicalName;
        this.pytorchModelClass = pytorchModelClass;
        this.tensorflowModelClass = tensorflowModelClass;
        this.variants = List.of(variants);
    }

    /** Optimum v1.5.2's name of the task, e.g. {@code causal-lm}. */
    public String canonicalName() {
        return canonicalName;
    }

    /** The Transformers auto-model class for the framework; empty where Transformers has no TensorFlow class. */
    public Optional<String> modelClass(Framework framework) {
        return switch (framework) {
            case PT -> Optional.of(pytorchModelClass);
            case TF -> Optional.ofNullable(tensorflowModelClass);
        };
    }

    /** The variants of this task: always {@link TaskVariant#PLAIN}, and {@code WITH_PAST} for decoder tasks. */
    public List<TaskVariant> variants() {
        return variants;
    }

    public boolean hasVariant(TaskVariant variant) {
        return variants.contains(variant);
    }
}
