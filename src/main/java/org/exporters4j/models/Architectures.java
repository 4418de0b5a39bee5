package org.exporters4j.models;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.exporters4j.models.albert.AlbertArchitecture;
import org.exporters4j.models.bert.BertArchitecture;
import org.exporters4j.models.bert.BertFlavor;
import org.exporters4j.models.bert.BertFlavor.LanguageModelHead;
import org.exporters4j.models.bert.BertFlavor.MultipleChoiceScorer;
import org.exporters4j.models.bert.BertFlavor.Positions;
import org.exporters4j.models.bert.BertFlavor.Quantization;
import org.exporters4j.models.bert.BertFlavor.SequenceClassifier;
import org.exporters4j.models.clip.ClipArchitecture;
import org.exporters4j.models.clip.ClipFlavor;
import org.exporters4j.models.distilbert.DistilBertArchitecture;
import org.exporters4j.models.groupvit.GroupVitArchitecture;
import org.exporters4j.models.layoutlmv3.LayoutLmV3Architecture;
import org.exporters4j.models.perceiver.PerceiverArchitecture;
import org.exporters4j.models.whisper.WhisperArchitecture;

/**
 * Which architecture builds each model type: one row per model type (Optimum's hyphenated spelling), sorted,
 * built once; aliases of a family are rows with their differences as data.
 */
public final class Architectures {
    private static final Set<Head> ENCODER_HEADS = EnumSet.of(Head.BASE, Head.MASKED_LM,
            Head.SEQUENCE_CLASSIFICATION, Head.MULTIPLE_CHOICE, Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING);
    private static final Set<Head> ENCODER_AND_DECODER_HEADS = with(ENCODER_HEADS, Head.CAUSAL_LM);

    private static final Map<String, Architecture> ROWS = new Table()
            //  model type        base prefix      positions              LM head                        sequence classifier             multiple choice                       quantization        heads
            .row(new AlbertArchitecture())
            .row(bert("bert",          "bert",          Positions.ABSOLUTE,     LanguageModelHead.BERT,              SequenceClassifier.POOLER,     MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(bert("camembert",     "roberta",       Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            //  model type        text config          vision config          pre-LayerNorm    wrapper of headed models
            .row(clip("clip",          "clip_text_model",   "clip_vision_model",   "pre_layrnorm",  Optional.empty()))
            .row(bert("data2vec-text", "data2vec_text", Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(new DistilBertArchitecture())
            .row(bert("electra",       "electra",       Positions.ABSOLUTE,     LanguageModelHead.ELECTRA_GENERATOR, SequenceClassifier.DENSE_GELU, MultipleChoiceScorer.SEQUENCE_SUMMARY, Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(new GroupVitArchitecture())
            .row(bert("ibert",         "ibert",         Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.IBERT, ENCODER_HEADS))
            .row(new LayoutLmV3Architecture())
            .row(clip("owlvit",        "owlvit_text_model", "owlvit_vision_model", "pre_layernorm", Optional.of("owlvit")))
            .row(new PerceiverArchitecture())
            .row(bert("roberta",       "roberta",       Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(new WhisperArchitecture())
            .row(bert("xlm-roberta",   "roberta",       Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .build();

    private Architectures() {}

    /**
     * The architecture of {@code modelType}, in config.json's or Optimum's spelling, any case ({@code XLM_Roberta}
     * finds {@code xlm-roberta}).
     *
     * @throws ArchitectureException for a model type without an architecture, naming the supported ones
     */
    public static Architecture forModelType(String modelType) {
        Architecture architecture = ROWS.get(canonical(modelType));
        if (architecture == null) {
            throw new ArchitectureException("model type '" + modelType + "' has no ONNX graph builder yet; "
                    + "exporters4j builds " + String.join(", ", ROWS.keySet()));
        }
        return architecture;
    }

    /** Whether {@code modelType} has an architecture. */
    public static boolean supports(String modelType) {
        return ROWS.containsKey(canonical(modelType));
    }

    /** The model types with an architecture, sorted. */
    public static List<String> modelTypes() {
        return List.copyOf(ROWS.keySet());
    }

    private static String canonical(String modelType) {
        return modelType.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Architecture bert(String modelType, String basePrefix, Positions positions,
                                     LanguageModelHead languageModelHead, SequenceClassifier sequenceClassifier,
                                     MultipleChoiceScorer multipleChoiceScorer, Quantization quantization,
                                     Set<Head> heads) {
        return new BertArchitecture(new BertFlavor(modelType, basePrefix, positions, languageModelHead,
                sequenceClassifier, multipleChoiceScorer, quantization, heads));
    }

    private static Architecture clip(String modelType, String textConfigType, String visionConfigType,
                                     String preLayerNorm, Optional<String> wrapperPrefix) {
        return new ClipArchitecture(new ClipFlavor(modelType, textConfigType, visionConfigType, preLayerNorm,
                wrapperPrefix));
    }

    private static Set<Head> with(Set<Head> heads, Head extra) {
        EnumSet<Head> result = EnumSet.copyOf(heads);
        result.add(extra);
        return Collections.unmodifiableSet(result);
    }

    /** Rows in sorted order; duplicates and disorder are errors when the class loads. */
    private static final class Table {
        private final Map<String, Architecture> rows = new TreeMap<>();
        private String previous;

        Table row(Architecture architecture) {
            String modelType = architecture.modelType();
            if (rows.put(modelType, architecture) != null) {
                throw new IllegalStateException("duplicate architecture row: " + modelType);
            }
            if (previous != null && previous.compareTo(modelType) > 0) {
                throw new IllegalStateException("architecture rows must be sorted: " + modelType + " after " + previous);
            }
            previous = modelType;
            return this;
        }

        Map<String, Architecture> build() {
            return Collections.unmodifiableMap(rows);
        }
    }
}
