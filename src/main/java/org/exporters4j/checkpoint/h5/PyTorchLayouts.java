package org.exporters4j.checkpoint.h5;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a PyTorch model of Transformers 4.25 holds that its TensorFlow twin's {@code tf_model.h5} does not store, per
 * model type and architecture: the base model prefix (Transformers' {@code base_model_prefix}, absent from the keys
 * of the bare base model), the weights PyTorch ties to another one (output embeddings, shared token embeddings,
 * decoder biases: saved once by TF, under every name by PyTorch's {@code save_pretrained}), and the registered buffers
 * PyTorch saves but TF computes ({@code position_ids}, GPT-2's causal masks, BART's {@code final_logits_bias}).
 *
 * <p>These are facts of the PyTorch classes, written as tables: one row per line, sorted, built once; a duplicate
 * key is a programming error caught when the class loads. Model types without a row still convert (every TF name
 * maps by {@link TensorFlowNames}), with no prefix removed and nothing added.
 */
final class PyTorchLayouts {

    /** When a tied weight is tied: always (one module), or only when {@code config.tie_word_embeddings} is true. */
    enum Tie {
        ALWAYS,
        WORD_EMBEDDINGS
    }

    /**
     * One model type: its base model prefix, its bare base architecture, and the buffer families its PyTorch modules
     * register.
     */
    record ModelType(String modelType, String baseModelPrefix, String baseArchitecture, List<BufferFamily> buffers) {
        ModelType {
            Objects.requireNonNull(modelType, "modelType");
            Objects.requireNonNull(baseModelPrefix, "baseModelPrefix");
            Objects.requireNonNull(baseArchitecture, "baseArchitecture");
            buffers = List.copyOf(buffers);
        }
    }

    /**
     * In {@code architecture}, the key {@code key} is the same tensor as {@code sameAs} (PyTorch loads
     * {@code sameAs} from the TF weights and the tie gives {@code key} the same data).
     */
    record TiedWeight(String architecture, String key, String sameAs, Tie tie) {
        TiedWeight {
            Objects.requireNonNull(architecture, "architecture");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(sameAs, "sameAs");
            Objects.requireNonNull(tie, "tie");
        }
    }

    //                    model type     base model prefix  base architecture   buffers
    private static final Map<String, ModelType> MODEL_TYPES = new ModelTypeTable()
            .row("albert", "albert", "AlbertModel", BufferFamily.POSITION_IDS)
            .row("bart", "model", "BartModel")
            .row("bert", "bert", "BertModel", BufferFamily.POSITION_IDS)
            .row("camembert", "roberta", "CamembertModel", BufferFamily.POSITION_IDS)
            .row("distilbert", "distilbert", "DistilBertModel")
            .row("electra", "electra", "ElectraModel", BufferFamily.POSITION_IDS)
            .row("gpt2", "transformer", "GPT2Model", BufferFamily.GPT2_ATTENTION_MASKS)
            .row("gptj", "transformer", "GPTJModel", BufferFamily.GPTJ_ATTENTION_MASKS)
            .row("mt5", "transformer", "MT5Model")
            .row("roberta", "roberta", "RobertaModel", BufferFamily.POSITION_IDS)
            .row("t5", "transformer", "T5Model")
            .row("vit", "vit", "ViTModel")
            .row("xlm-roberta", "roberta", "XLMRobertaModel", BufferFamily.POSITION_IDS)
            .build();

    private static final String ALBERT_WORDS = "albert.embeddings.word_embeddings.weight";
    private static final String BERT_WORDS = "bert.embeddings.word_embeddings.weight";

    /*
     * Keys a class lists in Transformers' _keys_to_ignore_on_save have no row: save_pretrained leaves them out of the
     * state dict it writes, so a PyTorch checkpoint of the class lacks them too (RoBERTa, XLM-RoBERTa and CamemBERT
     * lm_head.decoder.weight / .bias; MT5Model's encoder and decoder embed_tokens.weight; MT5ForConditionalGeneration's
     * and MT5EncoderModel's encoder.embed_tokens.weight).
     */
    //                    architecture                      key                                   same as                                      tie
    private static final Map<String, List<TiedWeight>> TIED_WEIGHTS = new TiedWeightTable()
            .row("AlbertForMaskedLM", "predictions.decoder.bias", "predictions.bias", Tie.ALWAYS)
            .row("AlbertForMaskedLM", "predictions.decoder.weight", ALBERT_WORDS, Tie.WORD_EMBEDDINGS)
            .row("AlbertForPreTraining", "predictions.decoder.bias", "predictions.bias", Tie.ALWAYS)
            .row("AlbertForPreTraining", "predictions.decoder.weight", ALBERT_WORDS, Tie.WORD_EMBEDDINGS)
            .row("BartForConditionalGeneration", "lm_head.weight", "model.shared.weight", Tie.WORD_EMBEDDINGS)
            .row("BartForConditionalGeneration", "model.decoder.embed_tokens.weight", "model.shared.weight", Tie.ALWAYS)
            .row("BartForConditionalGeneration", "model.encoder.embed_tokens.weight", "model.shared.weight", Tie.ALWAYS)
            .row("BartForQuestionAnswering", "model.decoder.embed_tokens.weight", "model.shared.weight", Tie.ALWAYS)
            .row("BartForQuestionAnswering", "model.encoder.embed_tokens.weight", "model.shared.weight", Tie.ALWAYS)
            .row("BartForSequenceClassification", "model.decoder.embed_tokens.weight", "model.shared.weight", Tie.ALWAYS)
            .row("BartForSequenceClassification", "model.encoder.embed_tokens.weight", "model.shared.weight", Tie.ALWAYS)
            .row("BartModel", "decoder.embed_tokens.weight", "shared.weight", Tie.ALWAYS)
            .row("BartModel", "encoder.embed_tokens.weight", "shared.weight", Tie.ALWAYS)
            .row("BertForMaskedLM", "cls.predictions.decoder.bias", "cls.predictions.bias", Tie.ALWAYS)
            .row("BertForMaskedLM", "cls.predictions.decoder.weight", BERT_WORDS, Tie.WORD_EMBEDDINGS)
            .row("BertForPreTraining", "cls.predictions.decoder.bias", "cls.predictions.bias", Tie.ALWAYS)
            .row("BertForPreTraining", "cls.predictions.decoder.weight", BERT_WORDS, Tie.WORD_EMBEDDINGS)
            .row("BertLMHeadModel", "cls.predictions.decoder.bias", "cls.predictions.bias", Tie.ALWAYS)
            .row("BertLMHeadModel", "cls.predictions.decoder.weight", BERT_WORDS, Tie.WORD_EMBEDDINGS)
            .row("DistilBertForMaskedLM", "vocab_projector.weight", "distilbert.embeddings.word_embeddings.weight", Tie.WORD_EMBEDDINGS)
            .row("ElectraForCausalLM", "generator_lm_head.weight", "electra.embeddings.word_embeddings.weight", Tie.WORD_EMBEDDINGS)
            .row("ElectraForMaskedLM", "generator_lm_head.weight", "electra.embeddings.word_embeddings.weight", Tie.WORD_EMBEDDINGS)
            .row("GPT2DoubleHeadsModel", "lm_head.weight", "transformer.wte.weight", Tie.WORD_EMBEDDINGS)
            .row("GPT2LMHeadModel", "lm_head.weight", "transformer.wte.weight", Tie.WORD_EMBEDDINGS)
            .row("GPTJForCausalLM", "lm_head.weight", "transformer.wte.weight", Tie.WORD_EMBEDDINGS)
            .row("MT5ForConditionalGeneration", "decoder.embed_tokens.weight", "shared.weight", Tie.ALWAYS)
            .row("MT5ForConditionalGeneration", "lm_head.weight", "shared.weight", Tie.WORD_EMBEDDINGS)
            .row("T5EncoderModel", "encoder.embed_tokens.weight", "shared.weight", Tie.ALWAYS)
            .row("T5ForConditionalGeneration", "decoder.embed_tokens.weight", "shared.weight", Tie.ALWAYS)
            .row("T5ForConditionalGeneration", "encoder.embed_tokens.weight", "shared.weight", Tie.ALWAYS)
            .row("T5ForConditionalGeneration", "lm_head.weight", "shared.weight", Tie.WORD_EMBEDDINGS)
            .row("T5Model", "decoder.embed_tokens.weight", "shared.weight", Tie.ALWAYS)
            .row("T5Model", "encoder.embed_tokens.weight", "shared.weight", Tie.ALWAYS)
            .build();

    /**
     * Architectures with a buffer of their own (not per module): BART's {@code final_logits_bias}, registered as
     * zeros and never saved by the TF model of Transformers 4.25 (a weight of the Keras model itself, which
     * {@code save_weights} skips), so PyTorch keeps its zeros.
     */
    private static final Map<String, List<BufferFamily>> ARCHITECTURE_BUFFERS = Map.of(
            "BartForConditionalGeneration", List.of(BufferFamily.FINAL_LOGITS_BIAS));

    private PyTorchLayouts() {}

    /** The row of a model type (Transformers' spelling, e.g. {@code xlm-roberta}), if it has one. */
    static Optional<ModelType> modelType(String modelType) {
        return Optional.ofNullable(MODEL_TYPES.get(modelType));
    }

    /** The tied weights of an architecture class (e.g. {@code BertForMaskedLM}), in table order. */
    static List<TiedWeight> tiedWeights(String architecture) {
        return TIED_WEIGHTS.getOrDefault(architecture, List.of());
    }

    /** The architecture's own buffer families (beyond its model type's). */
    static List<BufferFamily> architectureBuffers(String architecture) {
        return ARCHITECTURE_BUFFERS.getOrDefault(architecture, List.of());
    }

    /** The model types with a row, sorted (for messages and tests). */
    static List<String> modelTypes() {
        return List.copyOf(MODEL_TYPES.keySet());
    }

    private static final class ModelTypeTable {
        private final Map<String, ModelType> rows = new TreeMap<>();

        ModelTypeTable row(String modelType, String baseModelPrefix, String baseArchitecture, BufferFamily... buffers) {
            if (rows.put(modelType, new ModelType(modelType, baseModelPrefix, baseArchitecture, List.of(buffers)))
                    != null) {
                throw new IllegalStateException("model type " + modelType + " has two rows");
            }
            return this;
        }

        Map<String, ModelType> build() {
            return Collections.unmodifiableMap(rows);
        }
    }

    private static final class TiedWeightTable {
        private final Map<String, List<TiedWeight>> rows = new TreeMap<>();

        TiedWeightTable row(String architecture, String key, String sameAs, Tie tie) {
            List<TiedWeight> ties = rows.computeIfAbsent(architecture, ignored -> new ArrayList<>());
            for (TiedWeight existing : ties) {
                if (existing.key().equals(key)) {
                    throw new IllegalStateException(architecture + " ties " + key + " twice");
                }
            }
            ties.add(new TiedWeight(architecture, key, sameAs, tie));
            return this;
        }

        Map<String, List<TiedWeight>> build() {
            Map<String, List<TiedWeight>> built = new TreeMap<>();
            rows.forEach((architecture, ties) -> built.put(architecture, List.copyOf(ties)));
            return Collections.unmodifiableMap(built);
        }
    }
}
