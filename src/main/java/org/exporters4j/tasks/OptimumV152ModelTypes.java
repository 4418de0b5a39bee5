package org.exporters4j.tasks;

import static org.exporters4j.tasks.ModelTypeRow.Registered.NOT_REGISTERED;
import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_25_3;
import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_5_2;
import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_5_2_WITH_PAST;
import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_5_2_WITH_PAST_LATER;
import static org.exporters4j.tasks.ModelTypeRows.NO_PT;
import static org.exporters4j.tasks.ModelTypeRows.NO_TF;
import static org.exporters4j.tasks.ModelTypeRows.family;
import static org.exporters4j.tasks.ModelTypeRows.heads;
import static org.exporters4j.tasks.ModelTypeRows.headsWithPast;
import static org.exporters4j.tasks.ModelTypeRows.pt;
import static org.exporters4j.tasks.ModelTypeRows.task;
import static org.exporters4j.tasks.ModelTypeRows.tf;
import static org.exporters4j.tasks.ModelTypeRows.type;
import static org.exporters4j.tasks.OnnxConfigs.BERT_FORWARD;
import static org.exporters4j.tasks.OnnxConfigs.DISTILBERT_FORWARD;
import static org.exporters4j.tasks.OnnxConfigs.bartOnnx;
import static org.exporters4j.tasks.OnnxConfigs.bertOnnx;
import static org.exporters4j.tasks.OnnxConfigs.bloomOnnx;
import static org.exporters4j.tasks.OnnxConfigs.clipOnnx;
import static org.exporters4j.tasks.OnnxConfigs.debertaOnnx;
import static org.exporters4j.tasks.OnnxConfigs.detrOnnx;
import static org.exporters4j.tasks.OnnxConfigs.detrOnnxToday;
import static org.exporters4j.tasks.OnnxConfigs.distilBertOnnx;
import static org.exporters4j.tasks.OnnxConfigs.flaubertOnnx;
import static org.exporters4j.tasks.OnnxConfigs.gpt2Onnx;
import static org.exporters4j.tasks.OnnxConfigs.gptNeoOnnx;
import static org.exporters4j.tasks.OnnxConfigs.gptjOnnx;
import static org.exporters4j.tasks.OnnxConfigs.layoutLmOnnx;
import static org.exporters4j.tasks.OnnxConfigs.layoutLmV3Onnx;
import static org.exporters4j.tasks.OnnxConfigs.perceiverOnnx;
import static org.exporters4j.tasks.OnnxConfigs.t5Onnx;
import static org.exporters4j.tasks.OnnxConfigs.vitOnnx;
import static org.exporters4j.tasks.OnnxConfigs.whisperOnnx;
import static org.exporters4j.tasks.OnnxConfigs.xlmOnnx;
import static org.exporters4j.tasks.Task.AUDIO_CLASSIFICATION;
import static org.exporters4j.tasks.Task.CAUSAL_LM;
import static org.exporters4j.tasks.Task.DEFAULT;
import static org.exporters4j.tasks.Task.IMAGE_CLASSIFICATION;
import static org.exporters4j.tasks.Task.IMAGE_SEGMENTATION;
import static org.exporters4j.tasks.Task.MASKED_IM;
import static org.exporters4j.tasks.Task.MASKED_LM;
import static org.exporters4j.tasks.Task.MULTIPLE_CHOICE;
import static org.exporters4j.tasks.Task.OBJECT_DETECTION;
import static org.exporters4j.tasks.Task.QUESTION_ANSWERING;
import static org.exporters4j.tasks.Task.SEMANTIC_SEGMENTATION;
import static org.exporters4j.tasks.Task.SEQ2SEQ_LM;
import static org.exporters4j.tasks.Task.SEQUENCE_CLASSIFICATION;
import static org.exporters4j.tasks.Task.SPEECH2SEQ_LM;
import static org.exporters4j.tasks.Task.TOKEN_CLASSIFICATION;

import java.util.List;
import java.util.Optional;
import org.exporters4j.models.albert.AlbertArchitecture;
import org.exporters4j.models.bart.BartArchitecture;
import org.exporters4j.models.detr.DetrArchitecture;
import org.exporters4j.models.bart.BartFlavor;
import org.exporters4j.models.bart.BartFlavor.DecoderStart;
import org.exporters4j.models.bart.BartFlavor.EmbeddingNorm;
import org.exporters4j.models.bart.BartFlavor.EncoderAttention;
import org.exporters4j.models.bart.BartFlavor.FinalNorm;
import org.exporters4j.models.bart.BartFlavor.LayerNorms;
import org.exporters4j.models.bart.BartFlavor.LogitsBias;
import org.exporters4j.models.bart.BartFlavor.Vocabularies;
import org.exporters4j.models.beit.BeitArchitecture;
import org.exporters4j.models.beit.BeitFlavor;
import org.exporters4j.models.bert.BertArchitecture;
import org.exporters4j.models.bert.BertFlavor;
import org.exporters4j.models.bert.BertFlavor.LanguageModelHead;
import org.exporters4j.models.bert.BertFlavor.MultipleChoiceScorer;
import org.exporters4j.models.bert.BertFlavor.Positions;
import org.exporters4j.models.bert.BertFlavor.Quantization;
import org.exporters4j.models.bert.BertFlavor.SequenceClassifier;
import org.exporters4j.models.bigbird.BigBirdArchitecture;
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
import org.exporters4j.models.gptj.GptJFlavor;
import org.exporters4j.models.gptj.GptJFlavor.Projections;
import org.exporters4j.models.gptneo.GptNeoArchitecture;
import org.exporters4j.models.groupvit.GroupVitArchitecture;
import org.exporters4j.models.layoutlm.LayoutLmArchitecture;
import org.exporters4j.models.layoutlmv3.LayoutLmV3Architecture;
import org.exporters4j.models.levit.LevitArchitecture;
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
import org.exporters4j.models.vit.VitFlavor;
import org.exporters4j.models.vit.VitFlavor.Tokens;
import org.exporters4j.models.whisper.WhisperArchitecture;
import org.exporters4j.models.xlm.XlmArchitecture;
import org.exporters4j.models.xlm.XlmFlavor;
import org.exporters4j.models.xlm.XlmFlavor.NormPlacement;
import org.exporters4j.tasks.ModelTypeRows.GraphOf;

/**
 * The rows of the model types Optimum v1.5.2 registers for ONNX, in its registry order (see {@link ModelTypes} for
 * how a row reads), with the graph families and flavours they are built with.
 */
final class OptimumV152ModelTypes {
    static final List<ModelTypeRow> ROWS = List.of(
            type("albert", bertOnnx("AlbertOnnxConfig"),
                    family(AlbertArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("AlbertModel"),                              tf("TFAlbertModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("AlbertForMaskedLM"),                        tf("TFAlbertForMaskedLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("AlbertForSequenceClassification"),          tf("TFAlbertForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("AlbertForMultipleChoice"),                  tf("TFAlbertForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("AlbertForTokenClassification"),             tf("TFAlbertForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("AlbertForQuestionAnswering"),               tf("TFAlbertForQuestionAnswering"))),
            type("bart", bartOnnx("BartOnnxConfig"),
                    bart(BartFlavor.Positions.LEARNED_FROM_2, LayerNorms.POST, EmbeddingNorm.AFTER_POSITIONS, FinalNorm.NONE, EncoderAttention.BART, Vocabularies.SHARED, LogitsBias.FINAL_LOGITS_BIAS, DecoderStart.START_TOKEN),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("BartModel"),                                tf("TFBartModel")),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("BartForCausalLM"),                          NO_TF),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("BartForConditionalGeneration"),             tf("TFBartForConditionalGeneration")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("BartForSequenceClassification"),            NO_TF),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("BartForQuestionAnswering"),                 NO_TF),
                    task(NOT_REGISTERED,         MASKED_LM,               pt("BartForConditionalGeneration"),             NO_TF)),
            type("beit", vitOnnx("BeitOnnxConfig"),
                    beit("beit"),
                    task(V1_5_2,                 DEFAULT,                 pt("BeitModel"),                                NO_TF),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("BeitForImageClassification"),               NO_TF),
                    task(NOT_REGISTERED,         SEMANTIC_SEGMENTATION,   pt("BeitForSemanticSegmentation"),              NO_TF)),
            type("bert", bertOnnx("BertOnnxConfig"),
                    bert("bert", Positions.ABSOLUTE, LanguageModelHead.BERT, SequenceClassifier.POOLER, MultipleChoiceScorer.POOLER, Quantization.NONE),
                    task(V1_5_2,                 DEFAULT,                 pt("BertModel"),                                tf("TFBertModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("BertForMaskedLM"),                          tf("TFBertForMaskedLM")),
                    task(V1_5_2,                 CAUSAL_LM,               pt("BertLMHeadModel"),                          tf("TFBertLMHeadModel")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("BertForSequenceClassification"),            tf("TFBertForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("BertForMultipleChoice"),                    tf("TFBertForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("BertForTokenClassification"),               tf("TFBertForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("BertForQuestionAnswering"),                 tf("TFBertForQuestionAnswering"))),
            type("big-bird", distilBertOnnx("BigBirdOnnxConfig", BERT_FORWARD),
                    family(BigBirdArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("BigBirdModel"),                             NO_TF),
                    task(V1_5_2,                 MASKED_LM,               pt("BigBirdForMaskedLM"),                       NO_TF),
                    task(V1_5_2,                 CAUSAL_LM,               pt("BigBirdForCausalLM"),                       NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("BigBirdForSequenceClassification"),         NO_TF),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("BigBirdForMultipleChoice"),                 NO_TF),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("BigBirdForTokenClassification"),            NO_TF),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("BigBirdForQuestionAnswering"),              NO_TF)),
            type("bigbird-pegasus", bartOnnx("BigBirdPegasusOnnxConfig"),
                    bart(BartFlavor.Positions.LEARNED, LayerNorms.PRE, EmbeddingNorm.NONE, FinalNorm.LAYERNORM_EMBEDDING, EncoderAttention.BIG_BIRD, Vocabularies.SHARED, LogitsBias.FINAL_LOGITS_BIAS, DecoderStart.START_TOKEN),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("BigBirdPegasusModel"),                      NO_TF),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("BigBirdPegasusForCausalLM"),                NO_TF),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("BigBirdPegasusForConditionalGeneration"),   NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("BigBirdPegasusForSequenceClassification"),  NO_TF),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("BigBirdPegasusForQuestionAnswering"),       NO_TF)),
            type("blenderbot", bartOnnx("BlenderbotOnnxConfig"),
                    bart(BartFlavor.Positions.LEARNED, LayerNorms.PRE, EmbeddingNorm.NONE, FinalNorm.LAYER_NORM, EncoderAttention.BART, Vocabularies.SHARED, LogitsBias.FINAL_LOGITS_BIAS, DecoderStart.START_TOKEN),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("BlenderbotModel"),                          tf("TFBlenderbotModel")),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("BlenderbotForCausalLM"),                    NO_TF),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("BlenderbotForConditionalGeneration"),       tf("TFBlenderbotForConditionalGeneration"))),
            type("blenderbot-small", bartOnnx("BlenderbotSmallOnnxConfig"),
                    bart(BartFlavor.Positions.LEARNED, LayerNorms.POST, EmbeddingNorm.ENCODER_AFTER_DECODER_BEFORE_POSITIONS, FinalNorm.NONE, EncoderAttention.BART, Vocabularies.SHARED, LogitsBias.FINAL_LOGITS_BIAS, DecoderStart.START_TOKEN),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("BlenderbotSmallModel"),                     tf("TFBlenderbotSmallModel")),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("BlenderbotSmallForCausalLM"),               NO_TF),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("BlenderbotSmallForConditionalGeneration"),  tf("TFBlenderbotSmallForConditionalGeneration"))),
            type("bloom", bloomOnnx(),
                    family(BloomArchitecture::new),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("BloomModel"),                               NO_TF),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("BloomForCausalLM"),                         NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("BloomForSequenceClassification"),           NO_TF),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("BloomForTokenClassification"),              NO_TF)),
            type("camembert", distilBertOnnx("CamembertOnnxConfig", BERT_FORWARD),
                    bert("roberta", Positions.FROM_PADDING, LanguageModelHead.ROBERTA, SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER, Quantization.NONE),
                    task(V1_5_2,                 DEFAULT,                 pt("CamembertModel"),                           tf("TFCamembertModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("CamembertForMaskedLM"),                     tf("TFCamembertForMaskedLM")),
                    task(V1_5_2,                 CAUSAL_LM,               pt("CamembertForCausalLM"),                     tf("TFCamembertForCausalLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("CamembertForSequenceClassification"),       tf("TFCamembertForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("CamembertForMultipleChoice"),               tf("TFCamembertForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("CamembertForTokenClassification"),          tf("TFCamembertForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("CamembertForQuestionAnswering"),            tf("TFCamembertForQuestionAnswering"))),
            type("clip", clipOnnx("CLIPOnnxConfig", "clip_text_model", "clip_vision_model"),
                    clip("clip_text_model", "clip_vision_model", "pre_layrnorm", Optional.empty()),
                    task(V1_5_2,                 DEFAULT,                 pt("CLIPModel"),                                tf("TFCLIPModel"))),
            type("codegen", gpt2Onnx("CodeGenOnnxConfig"),
                    gptj(Projections.CODEGEN_FUSED),
                    task(V1_5_2_WITH_PAST_LATER, DEFAULT,                 pt("CodeGenModel"),                             NO_TF),
                    task(V1_5_2_WITH_PAST_LATER, CAUSAL_LM,               pt("CodeGenForCausalLM"),                       NO_TF)),
            type("convbert", bertOnnx("ConvBertOnnxConfig"),
                    family(ConvBertArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("ConvBertModel"),                            tf("TFConvBertModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("ConvBertForMaskedLM"),                      tf("TFConvBertForMaskedLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("ConvBertForSequenceClassification"),        tf("TFConvBertForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("ConvBertForMultipleChoice"),                tf("TFConvBertForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("ConvBertForTokenClassification"),           tf("TFConvBertForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("ConvBertForQuestionAnswering"),             tf("TFConvBertForQuestionAnswering"))),
            type("convnext", vitOnnx("ConvNextOnnxConfig"),
                    family(ConvNextArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("ConvNextModel"),                            tf("TFConvNextModel")),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("ConvNextForImageClassification"),           tf("TFConvNextForImageClassification"))),
            type("data2vec-text", distilBertOnnx("Data2VecTextOnnxConfig", BERT_FORWARD),
                    bert("data2vec_text", Positions.FROM_PADDING, LanguageModelHead.ROBERTA, SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER, Quantization.NONE),
                    task(V1_5_2,                 DEFAULT,                 pt("Data2VecTextModel"),                        NO_TF),
                    task(V1_5_2,                 MASKED_LM,               pt("Data2VecTextForMaskedLM"),                  NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("Data2VecTextForSequenceClassification"),    NO_TF),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("Data2VecTextForMultipleChoice"),            NO_TF),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("Data2VecTextForTokenClassification"),       NO_TF),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("Data2VecTextForQuestionAnswering"),         NO_TF),
                    task(NOT_REGISTERED,         CAUSAL_LM,               pt("Data2VecTextForCausalLM"),                  NO_TF)),
            type("data2vec-vision", vitOnnx("Data2VecVisionOnnxConfig"),
                    beit("data2vec_vision"),
                    task(V1_5_2,                 DEFAULT,                 pt("Data2VecVisionModel"),                      tf("TFData2VecVisionModel")),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("Data2VecVisionForImageClassification"),     tf("TFData2VecVisionForImageClassification")),
                    task(NOT_REGISTERED,         SEMANTIC_SEGMENTATION,   pt("Data2VecVisionForSemanticSegmentation"),    tf("TFData2VecVisionForSemanticSegmentation"))),
            type("deberta", debertaOnnx("DebertaOnnxConfig"),
                    family(() -> new DebertaArchitecture(DebertaVersion.V1)),
                    task(V1_5_2,                 DEFAULT,                 pt("DebertaModel"),                             tf("TFDebertaModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("DebertaForMaskedLM"),                       tf("TFDebertaForMaskedLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("DebertaForSequenceClassification"),         tf("TFDebertaForSequenceClassification")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("DebertaForTokenClassification"),            tf("TFDebertaForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("DebertaForQuestionAnswering"),              tf("TFDebertaForQuestionAnswering"))),
            type("deberta-v2", debertaOnnx("DebertaV2OnnxConfig"),
                    family(() -> new DebertaArchitecture(DebertaVersion.V2)),
                    task(V1_5_2,                 DEFAULT,                 pt("DebertaV2Model"),                           tf("TFDebertaV2Model")),
                    task(V1_5_2,                 MASKED_LM,               pt("DebertaV2ForMaskedLM"),                     tf("TFDebertaV2ForMaskedLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("DebertaV2ForSequenceClassification"),       tf("TFDebertaV2ForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("DebertaV2ForMultipleChoice"),               NO_TF),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("DebertaV2ForTokenClassification"),          tf("TFDebertaV2ForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("DebertaV2ForQuestionAnswering"),            tf("TFDebertaV2ForQuestionAnswering"))),
            type("deit", vitOnnx("DeiTOnnxConfig"),
                    vit("deit", Tokens.CLASS_AND_DISTILLATION),
                    task(V1_5_2,                 DEFAULT,                 pt("DeiTModel"),                                tf("TFDeiTModel")),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("DeiTForImageClassification", "DeiTForImageClassificationWithTeacher"),tf("TFDeiTForImageClassification", "TFDeiTForImageClassificationWithTeacher")),
                    task(V1_5_2,                 MASKED_IM,               pt("DeiTForMaskedImageModeling"),               tf("TFDeiTForMaskedImageModeling"))),
            type("detr", detrOnnx().todays(detrOnnxToday()),
                    family(DetrArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("DetrModel"),                                NO_TF),
                    task(V1_5_2,                 OBJECT_DETECTION,        pt("DetrForObjectDetection"),                   NO_TF),
                    task(V1_5_2,                 IMAGE_SEGMENTATION,      pt("DetrForSegmentation"),                      NO_TF)),
            type("distilbert", distilBertOnnx("DistilBertOnnxConfig", DISTILBERT_FORWARD),
                    family(DistilBertArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("DistilBertModel"),                          tf("TFDistilBertModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("DistilBertForMaskedLM"),                    tf("TFDistilBertForMaskedLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("DistilBertForSequenceClassification"),      tf("TFDistilBertForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("DistilBertForMultipleChoice"),              tf("TFDistilBertForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("DistilBertForTokenClassification"),         tf("TFDistilBertForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("DistilBertForQuestionAnswering"),           tf("TFDistilBertForQuestionAnswering"))),
            type("electra", bertOnnx("ElectraOnnxConfig"),
                    bert("electra", Positions.ABSOLUTE, LanguageModelHead.ELECTRA_GENERATOR, SequenceClassifier.DENSE_GELU, MultipleChoiceScorer.SEQUENCE_SUMMARY, Quantization.NONE),
                    task(V1_5_2,                 DEFAULT,                 pt("ElectraModel"),                             tf("TFElectraModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("ElectraForMaskedLM"),                       tf("TFElectraForMaskedLM")),
                    task(V1_5_2,                 CAUSAL_LM,               pt("ElectraForCausalLM"),                       NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("ElectraForSequenceClassification"),         tf("TFElectraForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("ElectraForMultipleChoice"),                 tf("TFElectraForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("ElectraForTokenClassification"),            tf("TFElectraForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("ElectraForQuestionAnswering"),              tf("TFElectraForQuestionAnswering"))),
            type("flaubert", flaubertOnnx(),
                    xlm(NormPlacement.CONFIGURABLE),
                    task(V1_5_2,                 DEFAULT,                 pt("FlaubertModel"),                            tf("TFFlaubertModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("FlaubertWithLMHeadModel"),                  tf("TFFlaubertWithLMHeadModel")),
                    task(V1_5_2,                 CAUSAL_LM,               NO_PT,                                          NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("FlaubertForSequenceClassification"),        tf("TFFlaubertForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("FlaubertForMultipleChoice"),                tf("TFFlaubertForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("FlaubertForTokenClassification"),           tf("TFFlaubertForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("FlaubertForQuestionAnsweringSimple"),       tf("TFFlaubertForQuestionAnsweringSimple"))),
            type("gpt2", gpt2Onnx("GPT2OnnxConfig"),
                    family(Gpt2Architecture::new),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("GPT2Model"),                                tf("TFGPT2Model")),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("GPT2LMHeadModel"),                          tf("TFGPT2LMHeadModel")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("GPT2ForSequenceClassification"),            tf("TFGPT2ForSequenceClassification")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("GPT2ForTokenClassification"),               NO_TF)),
            type("gptj", gptjOnnx(),
                    gptj(Projections.SEPARATE),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("GPTJModel"),                                tf("TFGPTJModel")),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("GPTJForCausalLM"),                          tf("TFGPTJForCausalLM")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("GPTJForQuestionAnswering"),                 tf("TFGPTJForQuestionAnswering")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("GPTJForSequenceClassification"),            tf("TFGPTJForSequenceClassification"))),
            type("gpt-neo", gptNeoOnnx(),
                    family(GptNeoArchitecture::new),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("GPTNeoModel"),                              NO_TF),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("GPTNeoForCausalLM"),                        NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("GPTNeoForSequenceClassification"),          NO_TF)),
            type("groupvit", clipOnnx("GroupViTOnnxConfig", "groupvit_text_model", "groupvit_vision_model"),
                    family(GroupVitArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("GroupViTModel"),                            tf("TFGroupViTModel"))),
            type("ibert", distilBertOnnx("IBertOnnxConfig", BERT_FORWARD),
                    bert("ibert", Positions.FROM_PADDING, LanguageModelHead.ROBERTA, SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER, Quantization.IBERT),
                    task(V1_5_2,                 DEFAULT,                 pt("IBertModel"),                               NO_TF),
                    task(V1_5_2,                 MASKED_LM,               pt("IBertForMaskedLM"),                         NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("IBertForSequenceClassification"),           NO_TF),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("IBertForMultipleChoice"),                   NO_TF),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("IBertForTokenClassification"),              NO_TF),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("IBertForQuestionAnswering"),                NO_TF)),
            type("layoutlm", layoutLmOnnx(),
                    family(LayoutLmArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("LayoutLMModel"),                            tf("TFLayoutLMModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("LayoutLMForMaskedLM"),                      tf("TFLayoutLMForMaskedLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("LayoutLMForSequenceClassification"),        tf("TFLayoutLMForSequenceClassification")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("LayoutLMForTokenClassification"),           tf("TFLayoutLMForTokenClassification"))),
            type("layoutlmv3", layoutLmV3Onnx(),
                    family(LayoutLmV3Architecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("LayoutLMv3Model"),                          tf("TFLayoutLMv3Model")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("LayoutLMv3ForQuestionAnswering"),           tf("TFLayoutLMv3ForQuestionAnswering")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("LayoutLMv3ForSequenceClassification"),      tf("TFLayoutLMv3ForSequenceClassification")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("LayoutLMv3ForTokenClassification"),         tf("TFLayoutLMv3ForTokenClassification"))),
            type("levit", vitOnnx("LevitOnnxConfig"),
                    family(LevitArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("LevitModel"),                               NO_TF),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("LevitForImageClassification", "LevitForImageClassificationWithTeacher"),NO_TF)),
            type("longt5", t5Onnx("LongT5OnnxConfig"),
                    t5(T5Flavor.EncoderAttention.LONG_T5),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("LongT5Model"),                              NO_TF),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("LongT5ForConditionalGeneration"),           NO_TF)),
            type("marian", bartOnnx("MarianOnnxConfig"),
                    bart(BartFlavor.Positions.SINUSOIDAL, LayerNorms.POST, EmbeddingNorm.NONE, FinalNorm.NONE, EncoderAttention.BART, Vocabularies.SHARED_UNLESS_CONFIGURED, LogitsBias.FINAL_LOGITS_BIAS, DecoderStart.START_TOKEN),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("MarianModel"),                              tf("TFMarianModel")),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("MarianMTModel"),                            tf("TFMarianMTModel")),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("MarianForCausalLM"),                        NO_TF)),
            type("mbart", bartOnnx("MBartOnnxConfig"),
                    bart(BartFlavor.Positions.LEARNED_FROM_2, LayerNorms.PRE, EmbeddingNorm.AFTER_POSITIONS, FinalNorm.LAYER_NORM, EncoderAttention.BART, Vocabularies.SHARED, LogitsBias.FINAL_LOGITS_BIAS, DecoderStart.LAST_TOKEN),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("MBartModel"),                               tf("TFMBartModel")),
                    task(V1_5_2_WITH_PAST,       CAUSAL_LM,               pt("MBartForCausalLM"),                         NO_TF),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("MBartForConditionalGeneration"),            tf("TFMBartForConditionalGeneration")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("MBartForSequenceClassification"),           NO_TF),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("MBartForQuestionAnswering"),                NO_TF),
                    task(NOT_REGISTERED,         MASKED_LM,               pt("MBartForConditionalGeneration"),            NO_TF)),
            type("mobilebert", bertOnnx("MobileBertOnnxConfig"),
                    family(MobileBertArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("MobileBertModel"),                          tf("TFMobileBertModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("MobileBertForMaskedLM"),                    tf("TFMobileBertForMaskedLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("MobileBertForSequenceClassification"),      tf("TFMobileBertForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("MobileBertForMultipleChoice"),              tf("TFMobileBertForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("MobileBertForTokenClassification"),         tf("TFMobileBertForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("MobileBertForQuestionAnswering"),           tf("TFMobileBertForQuestionAnswering"))),
            type("mobilevit", vitOnnx("MobileViTOnnxConfig"),
                    family(MobileVitArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("MobileViTModel"),                           tf("TFMobileViTModel")),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("MobileViTForImageClassification"),          tf("TFMobileViTForImageClassification")),
                    task(NOT_REGISTERED,         SEMANTIC_SEGMENTATION,   pt("MobileViTForSemanticSegmentation"),         tf("TFMobileViTForSemanticSegmentation"))),
            type("mt5", t5Onnx("MT5OnnxConfig", 1e-4),
                    t5(T5Flavor.EncoderAttention.FULL),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("MT5Model"),                                 tf("TFMT5Model")),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("MT5ForConditionalGeneration"),              tf("TFMT5ForConditionalGeneration"))),
            type("m2m-100", bartOnnx("M2M100OnnxConfig"),
                    bart(BartFlavor.Positions.SINUSOIDAL_FROM_PADDING, LayerNorms.PRE, EmbeddingNorm.NONE, FinalNorm.LAYER_NORM, EncoderAttention.BART, Vocabularies.SHARED, LogitsBias.NONE, DecoderStart.START_TOKEN),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("M2M100Model"),                              NO_TF),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("M2M100ForConditionalGeneration"),           NO_TF)),
            type("owlvit", clipOnnx("OwlViTOnnxConfig", "owlvit_text_model", "owlvit_vision_model"),
                    clip("owlvit_text_model", "owlvit_vision_model", "pre_layernorm", Optional.of("owlvit")),
                    task(V1_5_2,                 DEFAULT,                 pt("OwlViTModel"),                              NO_TF)),
            type("perceiver", perceiverOnnx(),
                    family(PerceiverArchitecture::new),
                    task(V1_5_2,                 MASKED_LM,               pt("PerceiverForMaskedLM"),                     NO_TF),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("PerceiverForImageClassificationLearned", "PerceiverForImageClassificationFourier", "PerceiverForImageClassificationConvProcessing"),NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("PerceiverForSequenceClassification"),       NO_TF),
                    task(NOT_REGISTERED,         DEFAULT,                 pt("PerceiverModel"),                           NO_TF)),
            type("resnet", vitOnnx("ResNetOnnxConfig").atol(1e-3),
                    family(ResNetArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("ResNetModel"),                              tf("TFResNetModel")),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("ResNetForImageClassification"),             tf("TFResNetForImageClassification"))),
            type("roberta", distilBertOnnx("RobertaOnnxConfig", BERT_FORWARD),
                    bert("roberta", Positions.FROM_PADDING, LanguageModelHead.ROBERTA, SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER, Quantization.NONE),
                    task(V1_5_2,                 DEFAULT,                 pt("RobertaModel"),                             tf("TFRobertaModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("RobertaForMaskedLM"),                       tf("TFRobertaForMaskedLM")),
                    task(V1_5_2,                 CAUSAL_LM,               pt("RobertaForCausalLM"),                       tf("TFRobertaForCausalLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("RobertaForSequenceClassification"),         tf("TFRobertaForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("RobertaForMultipleChoice"),                 tf("TFRobertaForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("RobertaForTokenClassification"),            tf("TFRobertaForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("RobertaForQuestionAnswering"),              tf("TFRobertaForQuestionAnswering"))),
            type("roformer", bertOnnx("RoFormerOnnxConfig"),
                    family(RoFormerArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("RoFormerModel"),                            tf("TFRoFormerModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("RoFormerForMaskedLM"),                      tf("TFRoFormerForMaskedLM")),
                    task(V1_5_2,                 CAUSAL_LM,               pt("RoFormerForCausalLM"),                      tf("TFRoFormerForCausalLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("RoFormerForSequenceClassification"),        tf("TFRoFormerForSequenceClassification")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("RoFormerForTokenClassification"),           tf("TFRoFormerForTokenClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("RoFormerForMultipleChoice"),                tf("TFRoFormerForMultipleChoice")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("RoFormerForQuestionAnswering"),             tf("TFRoFormerForQuestionAnswering"))),
            type("segformer", vitOnnx("SegformerOnnxConfig").opset(12),
                    family(SegformerArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("SegformerModel"),                           tf("TFSegformerModel")),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("SegformerForImageClassification"),          tf("TFSegformerForImageClassification")),
                    task(V1_5_2,                 SEMANTIC_SEGMENTATION,   pt("SegformerForSemanticSegmentation"),         tf("TFSegformerForSemanticSegmentation"))),
            type("squeezebert", bertOnnx("SqueezeBertOnnxConfig"),
                    family(SqueezeBertArchitecture::new),
                    task(V1_5_2,                 DEFAULT,                 pt("SqueezeBertModel"),                         NO_TF),
                    task(V1_5_2,                 MASKED_LM,               pt("SqueezeBertForMaskedLM"),                   NO_TF),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("SqueezeBertForSequenceClassification"),     NO_TF),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("SqueezeBertForMultipleChoice"),             NO_TF),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("SqueezeBertForTokenClassification"),        NO_TF),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("SqueezeBertForQuestionAnswering"),          NO_TF)),
            type("t5", t5Onnx("T5OnnxConfig"),
                    t5(T5Flavor.EncoderAttention.FULL),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("T5Model"),                                  tf("TFT5Model")),
                    task(V1_5_2_WITH_PAST,       SEQ2SEQ_LM,              pt("T5ForConditionalGeneration"),               tf("TFT5ForConditionalGeneration"))),
            type("vit", vitOnnx("ViTOnnxConfig"),
                    vit("vit", Tokens.CLASS),
                    task(V1_5_2,                 DEFAULT,                 pt("ViTModel"),                                 tf("TFViTModel")),
                    task(V1_5_2,                 IMAGE_CLASSIFICATION,    pt("ViTForImageClassification"),                tf("TFViTForImageClassification")),
                    task(V1_5_2,                 MASKED_IM,               pt("ViTForMaskedImageModeling"),                NO_TF)),
            type("whisper", whisperOnnx(),
                    family(WhisperArchitecture::new),
                    task(V1_5_2_WITH_PAST,       DEFAULT,                 pt("WhisperModel"),                             tf("TFWhisperModel")),
                    task(V1_5_2_WITH_PAST,       SPEECH2SEQ_LM,           pt("WhisperForConditionalGeneration"),          tf("TFWhisperForConditionalGeneration")),
                    task(V1_25_3,                AUDIO_CLASSIFICATION,    pt("WhisperForAudioClassification"),            NO_TF)),
            type("xlm", xlmOnnx(),
                    xlm(NormPlacement.POST_ONLY),
                    task(V1_5_2,                 DEFAULT,                 pt("XLMModel"),                                 tf("TFXLMModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("XLMWithLMHeadModel"),                       tf("TFXLMWithLMHeadModel")),
                    task(V1_5_2,                 CAUSAL_LM,               pt("XLMWithLMHeadModel"),                       tf("TFXLMWithLMHeadModel")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("XLMForSequenceClassification"),             tf("TFXLMForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("XLMForMultipleChoice"),                     tf("TFXLMForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("XLMForTokenClassification"),                tf("TFXLMForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("XLMForQuestionAnsweringSimple"),            tf("TFXLMForQuestionAnsweringSimple"))),
            type("xlm-roberta", distilBertOnnx("XLMRobertaOnnxConfig", BERT_FORWARD),
                    bert("roberta", Positions.FROM_PADDING, LanguageModelHead.ROBERTA, SequenceClassifier.DENSE_TANH, MultipleChoiceScorer.POOLER, Quantization.NONE),
                    task(V1_5_2,                 DEFAULT,                 pt("XLMRobertaModel"),                          tf("TFXLMRobertaModel")),
                    task(V1_5_2,                 MASKED_LM,               pt("XLMRobertaForMaskedLM"),                    tf("TFXLMRobertaForMaskedLM")),
                    task(V1_5_2,                 CAUSAL_LM,               pt("XLMRobertaForCausalLM"),                    tf("TFXLMRobertaForCausalLM")),
                    task(V1_5_2,                 SEQUENCE_CLASSIFICATION, pt("XLMRobertaForSequenceClassification"),      tf("TFXLMRobertaForSequenceClassification")),
                    task(V1_5_2,                 MULTIPLE_CHOICE,         pt("XLMRobertaForMultipleChoice"),              tf("TFXLMRobertaForMultipleChoice")),
                    task(V1_5_2,                 TOKEN_CLASSIFICATION,    pt("XLMRobertaForTokenClassification"),         tf("TFXLMRobertaForTokenClassification")),
                    task(V1_5_2,                 QUESTION_ANSWERING,      pt("XLMRobertaForQuestionAnswering"),           tf("TFXLMRobertaForQuestionAnswering"))),
            type("yolos", vitOnnx("YolosOnnxConfig").opset(12),
                    vit("vit", Tokens.CLASS_AND_DETECTION),
                    task(V1_5_2,                 DEFAULT,                 pt("YolosModel"),                               NO_TF),
                    task(V1_5_2,                 OBJECT_DETECTION,        pt("YolosForObjectDetection"),                  NO_TF)));

    private OptimumV152ModelTypes() {}

    /** A BERT-family encoder: base-model prefix, positions, and the shape of each head. */
    private static GraphOf bert(String basePrefix, Positions positions, LanguageModelHead languageModelHead,
                                SequenceClassifier sequenceClassifier, MultipleChoiceScorer multipleChoiceScorer,
                                Quantization quantization) {
        BertFlavor flavor = new BertFlavor(basePrefix, positions, languageModelHead, sequenceClassifier,
                multipleChoiceScorer, quantization);
        return (modelType, variants) -> new BertArchitecture(modelType, flavor, heads(variants));
    }

    /** A BART-family encoder-decoder and its differences from BART. */
    private static GraphOf bart(BartFlavor.Positions positions, LayerNorms layerNorms, EmbeddingNorm embeddingNorm,
                                FinalNorm finalNorm, EncoderAttention encoderAttention, Vocabularies vocabularies,
                                LogitsBias logitsBias, DecoderStart decoderStart) {
        BartFlavor flavor = new BartFlavor(positions, layerNorms, embeddingNorm, finalNorm, encoderAttention,
                vocabularies, logitsBias, decoderStart);
        return (modelType, variants) -> new BartArchitecture(modelType, flavor, heads(variants));
    }

    /** A BEiT-family vision encoder with its base-model prefix. */
    private static GraphOf beit(String basePrefix) {
        BeitFlavor flavor = new BeitFlavor(basePrefix);
        return (modelType, variants) -> new BeitArchitecture(modelType, flavor, heads(variants));
    }

    /** A ViT-family vision encoder: base-model prefix and its extra tokens. */
    private static GraphOf vit(String basePrefix, Tokens tokens) {
        VitFlavor flavor = new VitFlavor(basePrefix, tokens);
        return (modelType, variants) -> new VitArchitecture(modelType, flavor, heads(variants));
    }

    /** An XLM-family encoder: where its layer norms may sit. */
    private static GraphOf xlm(NormPlacement normPlacement) {
        XlmFlavor flavor = new XlmFlavor(normPlacement);
        return (modelType, variants) -> new XlmArchitecture(modelType, flavor, heads(variants));
    }

    /** A T5-family encoder-decoder: how its encoder attends. */
    private static GraphOf t5(T5Flavor.EncoderAttention encoderAttention) {
        T5Flavor flavor = new T5Flavor(encoderAttention);
        return (modelType, variants) -> new T5Architecture(modelType, flavor);
    }

    /** A CLIP-family text-image model: its tower config types, the vision pre-norm's name, the wrapper prefix. */
    private static GraphOf clip(String textConfigType, String visionConfigType, String preLayerNorm,
                                Optional<String> wrapperPrefix) {
        ClipFlavor flavor = new ClipFlavor(textConfigType, visionConfigType, preLayerNorm, wrapperPrefix);
        return (modelType, variants) -> new ClipArchitecture(modelType, flavor);
    }

    /** A GPT-J-family decoder: how its attention projections are stored. */
    private static GraphOf gptj(Projections projections) {
        GptJFlavor flavor = new GptJFlavor(projections);
        return (modelType, variants) -> new GptJArchitecture(modelType, flavor, heads(variants),
                headsWithPast(variants));
    }
}
