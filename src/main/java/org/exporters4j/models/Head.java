package org.exporters4j.models;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What sits on top of a model's body, in Transformers' terms: the head decides which weights are read beside the
 * base model and which outputs the graph produces. One head per Optimum v1.5.2 task family; package {@code tasks}
 * maps task names onto heads, so this package never sees task names.
 */
public enum Head {
    /** The bare model ({@code AutoModel}): hidden states. */
    BASE,
    /** Masked language modelling ({@code AutoModelForMaskedLM}): vocabulary logits per token. */
    MASKED_LM,
    /** Causal language modelling ({@code AutoModelForCausalLM}): vocabulary logits per token, causal attention. */
    CAUSAL_LM,
    /** Encoder-decoder language modelling ({@code AutoModelForSeq2SeqLM}). */
    SEQ2SEQ_LM,
    /** One set of logits per sequence ({@code AutoModelForSequenceClassification}). */
    SEQUENCE_CLASSIFICATION,
    /** One set of logits per token ({@code AutoModelForTokenClassification}). */
    TOKEN_CLASSIFICATION,
    /** One score per choice ({@code AutoModelForMultipleChoice}). */
    MULTIPLE_CHOICE,
    /** Span start and end logits ({@code AutoModelForQuestionAnswering}). */
    QUESTION_ANSWERING,
    /** {@code AutoModelForImageClassification}. */
    IMAGE_CLASSIFICATION,
    /** {@code AutoModelForObjectDetection}. */
    OBJECT_DETECTION,
    /** {@code AutoModelForImageSegmentation}. */
    IMAGE_SEGMENTATION,
    /** Masked image modelling ({@code AutoModelForMaskedImageModeling}). */
    MASKED_IM,
    /** {@code AutoModelForSemanticSegmentation}. */
    SEMANTIC_SEGMENTATION,
    /** Speech to text ({@code AutoModelForSpeechSeq2Seq}). */
    SPEECH2SEQ_LM,
    /** Connectionist temporal classification ({@code AutoModelForCTC}): vocabulary logits per audio frame. */
    CTC,
    /** One set of logits per audio clip ({@code AutoModelForAudioClassification}). */
    AUDIO_CLASSIFICATION,
    /** One set of logits per audio frame ({@code AutoModelForAudioFrameClassification}). */
    AUDIO_FRAME_CLASSIFICATION,
    /** Speaker embeddings and their logits ({@code AutoModelForAudioXVector}). */
    AUDIO_XVECTOR,
    /**
     * Image-text similarity logits and both embeddings ({@code AutoModelForZeroShotImageClassification}; Optimum
     * 1.25.3 exports SigLIP's with {@code SiglipModel}'s outputs).
     */
    ZERO_SHOT_IMAGE_CLASSIFICATION;

    /**
     * An unmodifiable copy of {@code heads} in declaration order, for a set of heads kept as a value; an empty
     * collection gives the empty set ({@code EnumSet.copyOf} throws on an empty collection that is not an
     * {@code EnumSet}, such as an unmodifiable view of one).
     */
    public static Set<Head> copyOf(Collection<Head> heads) {
        EnumSet<Head> copy = EnumSet.noneOf(Head.class);
        copy.addAll(heads);
        return Collections.unmodifiableSet(copy);
    }
}
