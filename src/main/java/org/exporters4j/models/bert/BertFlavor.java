package org.exporters4j.models.bert;

import java.util.Objects;

/**
 * What one model type of the BERT family does differently, as data: where its base model's weights live, how it
 * numbers positions, and which module each head uses. The rows are in the model-type table ({@code tasks.ModelTypes}).
 *
 * @param basePrefix the base model's attribute in the headed models ({@code bert}, {@code roberta},
 *     {@code data2vec_text} …): {@code BertForMaskedLM.bert}
 * @param positions how position ids are computed
 * @param languageModelHead the module of the masked-lm and causal-lm heads
 * @param sequenceClassifier the module of the sequence-classification head
 * @param multipleChoiceScorer the module of the multiple-choice head
 * @param quantization whether the type has I-BERT's integer mode (which must be off)
 */
public record BertFlavor(String basePrefix, Positions positions,
                         LanguageModelHead languageModelHead, SequenceClassifier sequenceClassifier,
                         MultipleChoiceScorer multipleChoiceScorer, Quantization quantization) {

    /** How position ids are computed (Transformers' embeddings {@code forward}). */
    public enum Positions {
        /** {@code 0 … sequence − 1} ({@code BertEmbeddings}). */
        ABSOLUTE,
        /**
         * RoBERTa's {@code create_position_ids_from_input_ids}: non-padding tokens are numbered from
         * {@code padding_idx + 1}, padding tokens get {@code padding_idx}.
         */
        FROM_PADDING
    }

    /** The masked/causal language-model head. */
    public enum LanguageModelHead {
        /** {@code cls.predictions}: transform (dense, {@code hidden_act}, LayerNorm), decoder, {@code cls.predictions.bias}. */
        BERT,
        /** {@code lm_head}: dense, exact GELU, {@code layer_norm}, decoder, {@code lm_head.bias}. */
        ROBERTA,
        /** {@code generator_predictions} (dense to {@code embedding_size}, GELU, LayerNorm) and {@code generator_lm_head}. */
        ELECTRA_GENERATOR
    }

    /** The sequence-classification head. */
    public enum SequenceClassifier {
        /** The pooler (dense + tanh on the first token), then {@code classifier} (BertForSequenceClassification). */
        POOLER,
        /** {@code classifier.dense}, tanh, {@code classifier.out_proj} on the first token (RobertaClassificationHead). */
        DENSE_TANH,
        /** {@code classifier.dense}, exact GELU, {@code classifier.out_proj} on the first token (ElectraClassificationHead). */
        DENSE_GELU
    }

    /** The multiple-choice head (one score per choice). */
    public enum MultipleChoiceScorer {
        /** The pooler, then {@code classifier} with one output. */
        POOLER,
        /** {@code sequence_summary} (Transformers' SequenceSummary), then {@code classifier} (ElectraForMultipleChoice). */
        SEQUENCE_SUMMARY
    }

    /** Whether the type has an integer-only mode. */
    public enum Quantization {
        NONE,
        /** I-BERT: {@code quant_mode} must be false; then it computes as RoBERTa with exact GELU. */
        IBERT
    }

    public BertFlavor {
        Objects.requireNonNull(basePrefix, "basePrefix");
        Objects.requireNonNull(positions, "positions");
        Objects.requireNonNull(languageModelHead, "languageModelHead");
        Objects.requireNonNull(sequenceClassifier, "sequenceClassifier");
        Objects.requireNonNull(multipleChoiceScorer, "multipleChoiceScorer");
        Objects.requireNonNull(quantization, "quantization");
    }
}
