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
import org.exporters4j.models.bart.BartArchitecture;
import org.exporters4j.models.bart.BartFlavor.EmbeddingNorm;
import org.exporters4j.models.bart.BartFlavor.EncoderAttention;
import org.exporters4j.models.bart.BartFlavor.FinalNorm;
import org.exporters4j.models.bart.BartFlavor.LayerNorms;
import org.exporters4j.models.bart.BartFlavor.LogitsBias;
import org.exporters4j.models.bart.BartFlavor.Vocabularies;
import org.exporters4j.models.bart.BartFlavor;
import org.exporters4j.models.beit.BeitArchitecture;
import org.exporters4j.models.beit.BeitFlavor;
import org.exporters4j.models.bert.BertArchitecture;
import org.exporters4j.models.bert.BertFlavor.LanguageModelHead;
import org.exporters4j.models.bert.BertFlavor.MultipleChoiceScorer;
import org.exporters4j.models.bert.BertFlavor.Positions;
import org.exporters4j.models.bert.BertFlavor.Quantization;
import org.exporters4j.models.bert.BertFlavor.SequenceClassifier;
import org.exporters4j.models.bert.BertFlavor;
import org.exporters4j.models.bigbird.BigBirdArchitecture;
import org.exporters4j.models.blocks.LastTokenPooling;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.bloom.BloomArchitecture;
import org.exporters4j.models.clip.ClipArchitecture;
import org.exporters4j.models.clip.ClipFlavor;
import org.exporters4j.models.convbert.ConvBertArchitecture;
import org.exporters4j.models.convnext.ConvNextArchitecture;
import org.exporters4j.models.deberta.DebertaArchitecture;
import org.exporters4j.models.deberta.DebertaVersion;
import org.exporters4j.models.distilbert.DistilBertArchitecture;
import org.exporters4j.models.gpt2.Gpt2Architecture;
import org.exporters4j.models.gptj.GptJArchitecture;
import org.exporters4j.models.gptj.GptJFlavor.Projections;
import org.exporters4j.models.gptj.GptJFlavor;
import org.exporters4j.models.gptneo.GptNeoArchitecture;
import org.exporters4j.models.groupvit.GroupVitArchitecture;
import org.exporters4j.models.layoutlm.LayoutLmArchitecture;
import org.exporters4j.models.layoutlmv3.LayoutLmV3Architecture;
import org.exporters4j.models.levit.LevitArchitecture;
import org.exporters4j.models.llama.LlamaArchitecture;
import org.exporters4j.models.llama.LlamaFlavor.AttentionBias;
import org.exporters4j.models.llama.LlamaFlavor.SlidingWindow;
import org.exporters4j.models.llama.LlamaFlavor;
import org.exporters4j.models.mobilebert.MobileBertArchitecture;
import org.exporters4j.models.mobilevit.MobileVitArchitecture;
import org.exporters4j.models.perceiver.PerceiverArchitecture;
import org.exporters4j.models.resnet.ResNetArchitecture;
import org.exporters4j.models.roformer.RoFormerArchitecture;
import org.exporters4j.models.segformer.SegformerArchitecture;
import org.exporters4j.models.squeezebert.SqueezeBertArchitecture;
import org.exporters4j.models.t5.T5Architecture;
import org.exporters4j.models.t5.T5Flavor;
import org.exporters4j.models.vit.VitArchitecture;
import org.exporters4j.models.vit.VitFlavor.Tokens;
import org.exporters4j.models.vit.VitFlavor;
import org.exporters4j.models.whisper.WhisperArchitecture;
import org.exporters4j.models.xlm.XlmArchitecture;
import org.exporters4j.models.xlm.XlmFlavor.NormPlacement;
import org.exporters4j.models.xlm.XlmFlavor;

/**
 * Which architecture builds each model type: one row per model type (Optimum's hyphenated spelling), sorted,
 * built once; aliases of a family are rows with their differences as data.
 */
public final class Architectures {
    private static final Set<Head> ENCODER_HEADS = TextEncoderHeads.ENCODER_HEADS;
    private static final Set<Head> ENCODER_AND_DECODER_HEADS = with(ENCODER_HEADS, Head.CAUSAL_LM);
    private static final Set<Head> SEQ2SEQ_HEADS = EnumSet.of(Head.BASE, Head.SEQ2SEQ_LM);
    private static final Set<Head> GENERATION_HEADS = with(SEQ2SEQ_HEADS, Head.CAUSAL_LM);
    private static final Set<Head> ALL_SEQ2SEQ_HEADS = EnumSet.of(Head.BASE, Head.SEQ2SEQ_LM, Head.CAUSAL_LM,
            Head.SEQUENCE_CLASSIFICATION, Head.QUESTION_ANSWERING);

    private static final Set<Head> LLAMA_HEADS = EnumSet.of(Head.BASE, Head.CAUSAL_LM, Head.SEQUENCE_CLASSIFICATION);
    private static final Set<Head> QWEN2_HEADS = with(LLAMA_HEADS, Head.TOKEN_CLASSIFICATION);
    private static final Set<Head> IMAGE_HEADS = EnumSet.of(Head.BASE, Head.IMAGE_CLASSIFICATION);
    private static final Set<Head> VIT_HEADS = with(IMAGE_HEADS, Head.MASKED_IM);

    private static final Map<String, Architecture> ROWS = new Table()
            //  bert(model type,  base prefix,     positions,             LM head,                       sequence classifier,            multiple choice,                      quantization,       heads)
            //  bart(model type,       positions,                                layer norms,     embedding norm,                                        final norm,                    encoder attention,         vocabularies,                          logits bias,                  heads)
            .row(new AlbertArchitecture())
            .row(bart("bart",             BartFlavor.Positions.LEARNED_FROM_2,          LayerNorms.POST, EmbeddingNorm.AFTER_POSITIONS,                        FinalNorm.NONE,                EncoderAttention.BART,     Vocabularies.SHARED,                   LogitsBias.FINAL_LOGITS_BIAS, ALL_SEQ2SEQ_HEADS))
            .row(beit("beit",          "beit",                                                                                                                                                                        IMAGE_HEADS))
            .row(bert("bert",          "bert",          Positions.ABSOLUTE,     LanguageModelHead.BERT,              SequenceClassifier.POOLER,     MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(new BigBirdArchitecture())
            .row(bart("bigbird-pegasus",  BartFlavor.Positions.LEARNED,                 LayerNorms.PRE,  EmbeddingNorm.NONE,                                   FinalNorm.LAYERNORM_EMBEDDING, EncoderAttention.BIG_BIRD, Vocabularies.SHARED,                   LogitsBias.FINAL_LOGITS_BIAS, ALL_SEQ2SEQ_HEADS))
            .row(bart("blenderbot",       BartFlavor.Positions.LEARNED,                 LayerNorms.PRE,  EmbeddingNorm.NONE,                                   FinalNorm.LAYER_NORM,          EncoderAttention.BART,     Vocabularies.SHARED,                   LogitsBias.FINAL_LOGITS_BIAS, GENERATION_HEADS))
            .row(bart("blenderbot-small", BartFlavor.Positions.LEARNED,                 LayerNorms.POST, EmbeddingNorm.ENCODER_AFTER_DECODER_BEFORE_POSITIONS, FinalNorm.NONE,                EncoderAttention.BART,     Vocabularies.SHARED,                   LogitsBias.FINAL_LOGITS_BIAS, GENERATION_HEADS))
            .row(new BloomArchitecture())
            .row(bert("camembert",     "roberta",       Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            //  model type        text config          vision config          pre-LayerNorm    wrapper of headed models
            .row(clip("clip",          "clip_text_model",   "clip_vision_model",   "pre_layrnorm",  Optional.empty()))
            .row(gptj("codegen", Projections.CODEGEN_FUSED, EnumSet.of(Head.BASE, Head.CAUSAL_LM),
                    EnumSet.of(Head.BASE, Head.CAUSAL_LM)))
            .row(new ConvBertArchitecture())
            .row(new ConvNextArchitecture())
            .row(bert("data2vec-text", "data2vec_text", Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(beit("data2vec-vision", "data2vec_vision",                                                                                                                                                           IMAGE_HEADS))
            .row(new DebertaArchitecture(DebertaVersion.V1))
            .row(new DebertaArchitecture(DebertaVersion.V2))
            .row(vit("deit",           "deit",          Tokens.CLASS_AND_DISTILLATION, VIT_HEADS))
            .row(new DistilBertArchitecture())
            .row(bert("electra",       "electra",       Positions.ABSOLUTE,     LanguageModelHead.ELECTRA_GENERATOR, SequenceClassifier.DENSE_GELU, MultipleChoiceScorer.SEQUENCE_SUMMARY, Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(xlm("flaubert",      NormPlacement.CONFIGURABLE, ENCODER_HEADS))
            .row(new GptNeoArchitecture())
            .row(new Gpt2Architecture())
            .row(gptj("gptj",    Projections.SEPARATE, EnumSet.of(Head.BASE, Head.CAUSAL_LM, Head.QUESTION_ANSWERING,
                    Head.SEQUENCE_CLASSIFICATION), EnumSet.of(Head.BASE, Head.CAUSAL_LM)))
            .row(new GroupVitArchitecture())
            .row(bert("ibert",         "ibert",         Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.IBERT, ENCODER_HEADS))
            .row(new LayoutLmArchitecture())
            .row(new LayoutLmV3Architecture())
            .row(new LevitArchitecture())
            //    model type  attention biases                            sliding window                    sequence classifier pooling                   heads
            .row(llama("llama",   AttentionBias.FROM_ATTENTION_BIAS_OPTION,   SlidingWindow.NONE,               LastTokenPooling.FIRST_PADDING_MINUS_ONE,     LLAMA_HEADS))
            .row(t5("longt5",   T5Flavor.EncoderAttention.LONG_T5))
            .row(bart("m2m-100",          BartFlavor.Positions.SINUSOIDAL_FROM_PADDING, LayerNorms.PRE,  EmbeddingNorm.NONE,                                   FinalNorm.LAYER_NORM,          EncoderAttention.BART,     Vocabularies.SHARED,                   LogitsBias.NONE,              SEQ2SEQ_HEADS))
            .row(bart("marian",           BartFlavor.Positions.SINUSOIDAL,              LayerNorms.POST, EmbeddingNorm.NONE,                                   FinalNorm.NONE,                EncoderAttention.BART,     Vocabularies.SHARED_UNLESS_CONFIGURED, LogitsBias.FINAL_LOGITS_BIAS, GENERATION_HEADS))
            .row(bart("mbart",            BartFlavor.Positions.LEARNED_FROM_2,          LayerNorms.PRE,  EmbeddingNorm.AFTER_POSITIONS,                        FinalNorm.LAYER_NORM,          EncoderAttention.BART,     Vocabularies.SHARED,                   LogitsBias.FINAL_LOGITS_BIAS, ALL_SEQ2SEQ_HEADS))
            .row(llama("mistral", AttentionBias.NONE,                         SlidingWindow.EVERY_LAYER,        LastTokenPooling.RIGHTMOST_NON_PADDING,       LLAMA_HEADS))
            .row(new MobileBertArchitecture())
            .row(new MobileVitArchitecture())
            .row(t5("mt5",      T5Flavor.EncoderAttention.FULL))
            .row(clip("owlvit",        "owlvit_text_model", "owlvit_vision_model", "pre_layernorm", Optional.of("owlvit")))
            .row(new PerceiverArchitecture())
            .row(llama("qwen2",   AttentionBias.QUERY_KEY_VALUE,              SlidingWindow.FROM_MAX_WINDOW_LAYERS, LastTokenPooling.RIGHTMOST_NON_PADDING,   QWEN2_HEADS))
            .row(new ResNetArchitecture())
            .row(bert("roberta",       "roberta",       Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(new RoFormerArchitecture())
            .row(new SegformerArchitecture())
            .row(new SqueezeBertArchitecture())
            .row(t5("t5",       T5Flavor.EncoderAttention.FULL))
            .row(vit("vit",            "vit",           Tokens.CLASS,                  VIT_HEADS))
            .row(new WhisperArchitecture())
            .row(xlm("xlm",           NormPlacement.POST_ONLY,    ENCODER_AND_DECODER_HEADS))
            .row(bert("xlm-roberta",   "roberta",       Positions.FROM_PADDING, LanguageModelHead.ROBERTA,           SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER,           Quantization.NONE,  ENCODER_AND_DECODER_HEADS))
            .row(vit("yolos",          "vit",           Tokens.CLASS_AND_DETECTION,    EnumSet.of(Head.BASE, Head.OBJECT_DETECTION)))
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

    private static Architecture gptj(String modelType, Projections projections, Set<Head> heads,
                                     Set<Head> headsWithPast) {
        return new GptJArchitecture(new GptJFlavor(modelType, projections, heads, headsWithPast));
    }

    private static Architecture llama(String modelType, AttentionBias attentionBias, SlidingWindow slidingWindow,
                                      LastTokenPooling pooling, Set<Head> heads) {
        return new LlamaArchitecture(new LlamaFlavor(modelType, attentionBias, slidingWindow, pooling, heads));
    }

    /** An XLM-family row: model type, where its layer norms may sit, its heads. */
    private static Architecture xlm(String modelType, NormPlacement normPlacement, Set<Head> heads) {
        return new XlmArchitecture(new XlmFlavor(modelType, normPlacement, heads));
    }

    /** A T5-family row: model type and how its encoder attends. */
    private static Architecture t5(String modelType, T5Flavor.EncoderAttention encoderAttention) {
        return new T5Architecture(new T5Flavor(modelType, encoderAttention));
    }

    /** A BART-family row: model type and its differences from BART as data. */
    private static Architecture bart(String modelType, BartFlavor.Positions positions, LayerNorms layerNorms,
                                     EmbeddingNorm embeddingNorm, FinalNorm finalNorm,
                                     EncoderAttention encoderAttention, Vocabularies vocabularies,
                                     LogitsBias logitsBias, Set<Head> heads) {
        return new BartArchitecture(new BartFlavor(modelType, positions, layerNorms, embeddingNorm, finalNorm,
                encoderAttention, vocabularies, logitsBias, heads));
    }

    /** A BEiT-family row: model type, base-model prefix, heads. */
    private static Architecture beit(String modelType, String basePrefix, Set<Head> heads) {
        return new BeitArchitecture(new BeitFlavor(modelType, basePrefix, heads));
    }

    /** A ViT-family row: model type, base-model prefix, its extra tokens, heads. */
    private static Architecture vit(String modelType, String basePrefix, Tokens tokens, Set<Head> heads) {
        return new VitArchitecture(new VitFlavor(modelType, basePrefix, tokens, heads));
    }

    /** A CLIP-family row: model type, its tower config types, the vision pre-norm's name, the wrapper prefix. */
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
