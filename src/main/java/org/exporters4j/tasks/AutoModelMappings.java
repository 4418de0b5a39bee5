package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.exporters4j.Exporters4jException;

/**
 * Transformers' auto-model name mappings ({@code MODEL_FOR_*_MAPPING_NAMES} of {@code modeling_auto.py} and
 * {@code TF_MODEL_FOR_*_MAPPING_NAMES} of {@code modeling_tf_auto.py}): for an auto class such as
 * {@code AutoModelForSequenceClassification} and a {@code model_type} in Transformers' spelling, the architecture
 * class it instantiates ({@code DistilBertForSequenceClassification}).
 *
 * <p>Contents: Transformers 4.25.1 (the version Optimum v1.5.2 was built against) for the 51 model types Optimum
 * v1.5.2 registers, restricted to the auto classes Optimum's task table uses; llama, mistral and qwen2 as later
 * Transformers versions map them (including their question-answering and token-classification heads, which came
 * after the type itself). Where Transformers lists several classes for one type (DeiT, LeViT, Perceiver image
 * classification), the first is the one an auto class builds from a config without {@code architectures}.
 *
 * <p>Names only: this table neither loads nor checks model code. One row per (auto class, model type), sorted;
 * duplicates are rejected when the class loads.
 */
public final class AutoModelMappings {
    /** One mapping entry: the architectures an auto class lists for a model type, first one the default. */
    private record Row(String autoClass, String modelType, List<String> architectures) {
        Row {
            if (autoClass.isBlank() || modelType.isBlank() || architectures.isEmpty()) {
                throw new IllegalArgumentException("a mapping row needs an auto class, a model type and a class");
            }
            architectures = List.copyOf(architectures);
        }
    }

    private static final List<Row> ROWS = sorted(
            row("AutoModel", "albert", "AlbertModel"),
            row("AutoModel", "bart", "BartModel"),
            row("AutoModel", "beit", "BeitModel"),
            row("AutoModel", "bert", "BertModel"),
            row("AutoModel", "big_bird", "BigBirdModel"),
            row("AutoModel", "bigbird_pegasus", "BigBirdPegasusModel"),
            row("AutoModel", "blenderbot", "BlenderbotModel"),
            row("AutoModel", "blenderbot-small", "BlenderbotSmallModel"),
            row("AutoModel", "bloom", "BloomModel"),
            row("AutoModel", "camembert", "CamembertModel"),
            row("AutoModel", "clip", "CLIPModel"),
            row("AutoModel", "codegen", "CodeGenModel"),
            row("AutoModel", "convbert", "ConvBertModel"),
            row("AutoModel", "convnext", "ConvNextModel"),
            row("AutoModel", "data2vec-text", "Data2VecTextModel"),
            row("AutoModel", "data2vec-vision", "Data2VecVisionModel"),
            row("AutoModel", "deberta", "DebertaModel"),
            row("AutoModel", "deberta-v2", "DebertaV2Model"),
            row("AutoModel", "deit", "DeiTModel"),
            row("AutoModel", "detr", "DetrModel"),
            row("AutoModel", "distilbert", "DistilBertModel"),
            row("AutoModel", "electra", "ElectraModel"),
            row("AutoModel", "flaubert", "FlaubertModel"),
            row("AutoModel", "gpt2", "GPT2Model"),
            row("AutoModel", "gpt_neo", "GPTNeoModel"),
            row("AutoModel", "gptj", "GPTJModel"),
            row("AutoModel", "groupvit", "GroupViTModel"),
            row("AutoModel", "ibert", "IBertModel"),
            row("AutoModel", "layoutlm", "LayoutLMModel"),
            row("AutoModel", "layoutlmv3", "LayoutLMv3Model"),
            row("AutoModel", "levit", "LevitModel"),
            row("AutoModel", "llama", "LlamaModel"),
            row("AutoModel", "longt5", "LongT5Model"),
            row("AutoModel", "m2m_100", "M2M100Model"),
            row("AutoModel", "marian", "MarianModel"),
            row("AutoModel", "mbart", "MBartModel"),
            row("AutoModel", "mistral", "MistralModel"),
            row("AutoModel", "mobilebert", "MobileBertModel"),
            row("AutoModel", "mobilevit", "MobileViTModel"),
            row("AutoModel", "mt5", "MT5Model"),
            row("AutoModel", "owlvit", "OwlViTModel"),
            row("AutoModel", "perceiver", "PerceiverModel"),
            row("AutoModel", "qwen2", "Qwen2Model"),
            row("AutoModel", "resnet", "ResNetModel"),
            row("AutoModel", "roberta", "RobertaModel"),
            row("AutoModel", "roformer", "RoFormerModel"),
            row("AutoModel", "segformer", "SegformerModel"),
            row("AutoModel", "squeezebert", "SqueezeBertModel"),
            row("AutoModel", "t5", "T5Model"),
            row("AutoModel", "vit", "ViTModel"),
            row("AutoModel", "whisper", "WhisperModel"),
            row("AutoModel", "xlm", "XLMModel"),
            row("AutoModel", "xlm-roberta", "XLMRobertaModel"),
            row("AutoModel", "yolos", "YolosModel"),

            row("AutoModelForCausalLM", "bart", "BartForCausalLM"),
            row("AutoModelForCausalLM", "bert", "BertLMHeadModel"),
            row("AutoModelForCausalLM", "big_bird", "BigBirdForCausalLM"),
            row("AutoModelForCausalLM", "bigbird_pegasus", "BigBirdPegasusForCausalLM"),
            row("AutoModelForCausalLM", "blenderbot", "BlenderbotForCausalLM"),
            row("AutoModelForCausalLM", "blenderbot-small", "BlenderbotSmallForCausalLM"),
            row("AutoModelForCausalLM", "bloom", "BloomForCausalLM"),
            row("AutoModelForCausalLM", "camembert", "CamembertForCausalLM"),
            row("AutoModelForCausalLM", "codegen", "CodeGenForCausalLM"),
            row("AutoModelForCausalLM", "data2vec-text", "Data2VecTextForCausalLM"),
            row("AutoModelForCausalLM", "electra", "ElectraForCausalLM"),
            row("AutoModelForCausalLM", "gpt2", "GPT2LMHeadModel"),
            row("AutoModelForCausalLM", "gpt_neo", "GPTNeoForCausalLM"),
            row("AutoModelForCausalLM", "gptj", "GPTJForCausalLM"),
            row("AutoModelForCausalLM", "llama", "LlamaForCausalLM"),
            row("AutoModelForCausalLM", "marian", "MarianForCausalLM"),
            row("AutoModelForCausalLM", "mbart", "MBartForCausalLM"),
            row("AutoModelForCausalLM", "mistral", "MistralForCausalLM"),
            row("AutoModelForCausalLM", "qwen2", "Qwen2ForCausalLM"),
            row("AutoModelForCausalLM", "roberta", "RobertaForCausalLM"),
            row("AutoModelForCausalLM", "roformer", "RoFormerForCausalLM"),
            row("AutoModelForCausalLM", "xlm", "XLMWithLMHeadModel"),
            row("AutoModelForCausalLM", "xlm-roberta", "XLMRobertaForCausalLM"),

            row("AutoModelForImageClassification", "beit", "BeitForImageClassification"),
            row("AutoModelForImageClassification", "convnext", "ConvNextForImageClassification"),
            row("AutoModelForImageClassification", "data2vec-vision", "Data2VecVisionForImageClassification"),
            row("AutoModelForImageClassification", "deit",
                    "DeiTForImageClassification", "DeiTForImageClassificationWithTeacher"),
            row("AutoModelForImageClassification", "levit",
                    "LevitForImageClassification", "LevitForImageClassificationWithTeacher"),
            row("AutoModelForImageClassification", "mobilevit", "MobileViTForImageClassification"),
            row("AutoModelForImageClassification", "perceiver",
                    "PerceiverForImageClassificationLearned", "PerceiverForImageClassificationFourier",
                    "PerceiverForImageClassificationConvProcessing"),
            row("AutoModelForImageClassification", "resnet", "ResNetForImageClassification"),
            row("AutoModelForImageClassification", "segformer", "SegformerForImageClassification"),
            row("AutoModelForImageClassification", "vit", "ViTForImageClassification"),

            row("AutoModelForImageSegmentation", "detr", "DetrForSegmentation"),

            row("AutoModelForMaskedImageModeling", "deit", "DeiTForMaskedImageModeling"),
            row("AutoModelForMaskedImageModeling", "vit", "ViTForMaskedImageModeling"),

            row("AutoModelForMaskedLM", "albert", "AlbertForMaskedLM"),
            row("AutoModelForMaskedLM", "bart", "BartForConditionalGeneration"),
            row("AutoModelForMaskedLM", "bert", "BertForMaskedLM"),
            row("AutoModelForMaskedLM", "big_bird", "BigBirdForMaskedLM"),
            row("AutoModelForMaskedLM", "camembert", "CamembertForMaskedLM"),
            row("AutoModelForMaskedLM", "convbert", "ConvBertForMaskedLM"),
            row("AutoModelForMaskedLM", "data2vec-text", "Data2VecTextForMaskedLM"),
            row("AutoModelForMaskedLM", "deberta", "DebertaForMaskedLM"),
            row("AutoModelForMaskedLM", "deberta-v2", "DebertaV2ForMaskedLM"),
            row("AutoModelForMaskedLM", "distilbert", "DistilBertForMaskedLM"),
            row("AutoModelForMaskedLM", "electra", "ElectraForMaskedLM"),
            row("AutoModelForMaskedLM", "flaubert", "FlaubertWithLMHeadModel"),
            row("AutoModelForMaskedLM", "ibert", "IBertForMaskedLM"),
            row("AutoModelForMaskedLM", "layoutlm", "LayoutLMForMaskedLM"),
            row("AutoModelForMaskedLM", "mbart", "MBartForConditionalGeneration"),
            row("AutoModelForMaskedLM", "mobilebert", "MobileBertForMaskedLM"),
            row("AutoModelForMaskedLM", "perceiver", "PerceiverForMaskedLM"),
            row("AutoModelForMaskedLM", "roberta", "RobertaForMaskedLM"),
            row("AutoModelForMaskedLM", "roformer", "RoFormerForMaskedLM"),
            row("AutoModelForMaskedLM", "squeezebert", "SqueezeBertForMaskedLM"),
            row("AutoModelForMaskedLM", "xlm", "XLMWithLMHeadModel"),
            row("AutoModelForMaskedLM", "xlm-roberta", "XLMRobertaForMaskedLM"),

            row("AutoModelForMultipleChoice", "albert", "AlbertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "bert", "BertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "big_bird", "BigBirdForMultipleChoice"),
            row("AutoModelForMultipleChoice", "camembert", "CamembertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "convbert", "ConvBertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "data2vec-text", "Data2VecTextForMultipleChoice"),
            row("AutoModelForMultipleChoice", "deberta-v2", "DebertaV2ForMultipleChoice"),
            row("AutoModelForMultipleChoice", "distilbert", "DistilBertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "electra", "ElectraForMultipleChoice"),
            row("AutoModelForMultipleChoice", "flaubert", "FlaubertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "ibert", "IBertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "mobilebert", "MobileBertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "roberta", "RobertaForMultipleChoice"),
            row("AutoModelForMultipleChoice", "roformer", "RoFormerForMultipleChoice"),
            row("AutoModelForMultipleChoice", "squeezebert", "SqueezeBertForMultipleChoice"),
            row("AutoModelForMultipleChoice", "xlm", "XLMForMultipleChoice"),
            row("AutoModelForMultipleChoice", "xlm-roberta", "XLMRobertaForMultipleChoice"),

            row("AutoModelForObjectDetection", "detr", "DetrForObjectDetection"),
            row("AutoModelForObjectDetection", "yolos", "YolosForObjectDetection"),

            row("AutoModelForQuestionAnswering", "albert", "AlbertForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "bart", "BartForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "bert", "BertForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "big_bird", "BigBirdForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "bigbird_pegasus", "BigBirdPegasusForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "camembert", "CamembertForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "convbert", "ConvBertForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "data2vec-text", "Data2VecTextForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "deberta", "DebertaForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "deberta-v2", "DebertaV2ForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "distilbert", "DistilBertForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "electra", "ElectraForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "flaubert", "FlaubertForQuestionAnsweringSimple"),
            row("AutoModelForQuestionAnswering", "gptj", "GPTJForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "ibert", "IBertForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "layoutlmv3", "LayoutLMv3ForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "llama", "LlamaForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "mbart", "MBartForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "mistral", "MistralForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "mobilebert", "MobileBertForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "qwen2", "Qwen2ForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "roberta", "RobertaForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "roformer", "RoFormerForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "squeezebert", "SqueezeBertForQuestionAnswering"),
            row("AutoModelForQuestionAnswering", "xlm", "XLMForQuestionAnsweringSimple"),
            row("AutoModelForQuestionAnswering", "xlm-roberta", "XLMRobertaForQuestionAnswering"),

            row("AutoModelForSemanticSegmentation", "beit", "BeitForSemanticSegmentation"),
            row("AutoModelForSemanticSegmentation", "data2vec-vision", "Data2VecVisionForSemanticSegmentation"),
            row("AutoModelForSemanticSegmentation", "mobilevit", "MobileViTForSemanticSegmentation"),
            row("AutoModelForSemanticSegmentation", "segformer", "SegformerForSemanticSegmentation"),

            row("AutoModelForSeq2SeqLM", "bart", "BartForConditionalGeneration"),
            row("AutoModelForSeq2SeqLM", "bigbird_pegasus", "BigBirdPegasusForConditionalGeneration"),
            row("AutoModelForSeq2SeqLM", "blenderbot", "BlenderbotForConditionalGeneration"),
            row("AutoModelForSeq2SeqLM", "blenderbot-small", "BlenderbotSmallForConditionalGeneration"),
            row("AutoModelForSeq2SeqLM", "longt5", "LongT5ForConditionalGeneration"),
            row("AutoModelForSeq2SeqLM", "m2m_100", "M2M100ForConditionalGeneration"),
            row("AutoModelForSeq2SeqLM", "marian", "MarianMTModel"),
            row("AutoModelForSeq2SeqLM", "mbart", "MBartForConditionalGeneration"),
            row("AutoModelForSeq2SeqLM", "mt5", "MT5ForConditionalGeneration"),
            row("AutoModelForSeq2SeqLM", "t5", "T5ForConditionalGeneration"),

            row("AutoModelForSequenceClassification", "albert", "AlbertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "bart", "BartForSequenceClassification"),
            row("AutoModelForSequenceClassification", "bert", "BertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "big_bird", "BigBirdForSequenceClassification"),
            row("AutoModelForSequenceClassification", "bigbird_pegasus", "BigBirdPegasusForSequenceClassification"),
            row("AutoModelForSequenceClassification", "bloom", "BloomForSequenceClassification"),
            row("AutoModelForSequenceClassification", "camembert", "CamembertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "convbert", "ConvBertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "data2vec-text", "Data2VecTextForSequenceClassification"),
            row("AutoModelForSequenceClassification", "deberta", "DebertaForSequenceClassification"),
            row("AutoModelForSequenceClassification", "deberta-v2", "DebertaV2ForSequenceClassification"),
            row("AutoModelForSequenceClassification", "distilbert", "DistilBertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "electra", "ElectraForSequenceClassification"),
            row("AutoModelForSequenceClassification", "flaubert", "FlaubertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "gpt2", "GPT2ForSequenceClassification"),
            row("AutoModelForSequenceClassification", "gpt_neo", "GPTNeoForSequenceClassification"),
            row("AutoModelForSequenceClassification", "gptj", "GPTJForSequenceClassification"),
            row("AutoModelForSequenceClassification", "ibert", "IBertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "layoutlm", "LayoutLMForSequenceClassification"),
            row("AutoModelForSequenceClassification", "layoutlmv3", "LayoutLMv3ForSequenceClassification"),
            row("AutoModelForSequenceClassification", "llama", "LlamaForSequenceClassification"),
            row("AutoModelForSequenceClassification", "mbart", "MBartForSequenceClassification"),
            row("AutoModelForSequenceClassification", "mistral", "MistralForSequenceClassification"),
            row("AutoModelForSequenceClassification", "mobilebert", "MobileBertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "perceiver", "PerceiverForSequenceClassification"),
            row("AutoModelForSequenceClassification", "qwen2", "Qwen2ForSequenceClassification"),
            row("AutoModelForSequenceClassification", "roberta", "RobertaForSequenceClassification"),
            row("AutoModelForSequenceClassification", "roformer", "RoFormerForSequenceClassification"),
            row("AutoModelForSequenceClassification", "squeezebert", "SqueezeBertForSequenceClassification"),
            row("AutoModelForSequenceClassification", "xlm", "XLMForSequenceClassification"),
            row("AutoModelForSequenceClassification", "xlm-roberta", "XLMRobertaForSequenceClassification"),

            row("AutoModelForSpeechSeq2Seq", "whisper", "WhisperForConditionalGeneration"),

            row("AutoModelForTokenClassification", "albert", "AlbertForTokenClassification"),
            row("AutoModelForTokenClassification", "bert", "BertForTokenClassification"),
            row("AutoModelForTokenClassification", "big_bird", "BigBirdForTokenClassification"),
            row("AutoModelForTokenClassification", "bloom", "BloomForTokenClassification"),
            row("AutoModelForTokenClassification", "camembert", "CamembertForTokenClassification"),
            row("AutoModelForTokenClassification", "convbert", "ConvBertForTokenClassification"),
            row("AutoModelForTokenClassification", "data2vec-text", "Data2VecTextForTokenClassification"),
            row("AutoModelForTokenClassification", "deberta", "DebertaForTokenClassification"),
            row("AutoModelForTokenClassification", "deberta-v2", "DebertaV2ForTokenClassification"),
            row("AutoModelForTokenClassification", "distilbert", "DistilBertForTokenClassification"),
            row("AutoModelForTokenClassification", "electra", "ElectraForTokenClassification"),
            row("AutoModelForTokenClassification", "flaubert", "FlaubertForTokenClassification"),
            row("AutoModelForTokenClassification", "gpt2", "GPT2ForTokenClassification"),
            row("AutoModelForTokenClassification", "ibert", "IBertForTokenClassification"),
            row("AutoModelForTokenClassification", "layoutlm", "LayoutLMForTokenClassification"),
            row("AutoModelForTokenClassification", "layoutlmv3", "LayoutLMv3ForTokenClassification"),
            row("AutoModelForTokenClassification", "llama", "LlamaForTokenClassification"),
            row("AutoModelForTokenClassification", "mistral", "MistralForTokenClassification"),
            row("AutoModelForTokenClassification", "mobilebert", "MobileBertForTokenClassification"),
            row("AutoModelForTokenClassification", "qwen2", "Qwen2ForTokenClassification"),
            row("AutoModelForTokenClassification", "roberta", "RobertaForTokenClassification"),
            row("AutoModelForTokenClassification", "roformer", "RoFormerForTokenClassification"),
            row("AutoModelForTokenClassification", "squeezebert", "SqueezeBertForTokenClassification"),
            row("AutoModelForTokenClassification", "xlm", "XLMForTokenClassification"),
            row("AutoModelForTokenClassification", "xlm-roberta", "XLMRobertaForTokenClassification"),

            row("TFAutoModel", "albert", "TFAlbertModel"),
            row("TFAutoModel", "bart", "TFBartModel"),
            row("TFAutoModel", "bert", "TFBertModel"),
            row("TFAutoModel", "blenderbot", "TFBlenderbotModel"),
            row("TFAutoModel", "blenderbot-small", "TFBlenderbotSmallModel"),
            row("TFAutoModel", "camembert", "TFCamembertModel"),
            row("TFAutoModel", "clip", "TFCLIPModel"),
            row("TFAutoModel", "convbert", "TFConvBertModel"),
            row("TFAutoModel", "convnext", "TFConvNextModel"),
            row("TFAutoModel", "data2vec-vision", "TFData2VecVisionModel"),
            row("TFAutoModel", "deberta", "TFDebertaModel"),
            row("TFAutoModel", "deberta-v2", "TFDebertaV2Model"),
            row("TFAutoModel", "deit", "TFDeiTModel"),
            row("TFAutoModel", "distilbert", "TFDistilBertModel"),
            row("TFAutoModel", "electra", "TFElectraModel"),
            row("TFAutoModel", "flaubert", "TFFlaubertModel"),
            row("TFAutoModel", "gpt2", "TFGPT2Model"),
            row("TFAutoModel", "gptj", "TFGPTJModel"),
            row("TFAutoModel", "groupvit", "TFGroupViTModel"),
            row("TFAutoModel", "layoutlm", "TFLayoutLMModel"),
            row("TFAutoModel", "layoutlmv3", "TFLayoutLMv3Model"),
            row("TFAutoModel", "marian", "TFMarianModel"),
            row("TFAutoModel", "mbart", "TFMBartModel"),
            row("TFAutoModel", "mistral", "TFMistralModel"),
            row("TFAutoModel", "mobilebert", "TFMobileBertModel"),
            row("TFAutoModel", "mobilevit", "TFMobileViTModel"),
            row("TFAutoModel", "mt5", "TFMT5Model"),
            row("TFAutoModel", "resnet", "TFResNetModel"),
            row("TFAutoModel", "roberta", "TFRobertaModel"),
            row("TFAutoModel", "roformer", "TFRoFormerModel"),
            row("TFAutoModel", "segformer", "TFSegformerModel"),
            row("TFAutoModel", "t5", "TFT5Model"),
            row("TFAutoModel", "vit", "TFViTModel"),
            row("TFAutoModel", "whisper", "TFWhisperModel"),
            row("TFAutoModel", "xlm", "TFXLMModel"),
            row("TFAutoModel", "xlm-roberta", "TFXLMRobertaModel"),

            row("TFAutoModelForCausalLM", "bert", "TFBertLMHeadModel"),
            row("TFAutoModelForCausalLM", "camembert", "TFCamembertForCausalLM"),
            row("TFAutoModelForCausalLM", "gpt2", "TFGPT2LMHeadModel"),
            row("TFAutoModelForCausalLM", "gptj", "TFGPTJForCausalLM"),
            row("TFAutoModelForCausalLM", "mistral", "TFMistralForCausalLM"),
            row("TFAutoModelForCausalLM", "roberta", "TFRobertaForCausalLM"),
            row("TFAutoModelForCausalLM", "roformer", "TFRoFormerForCausalLM"),
            row("TFAutoModelForCausalLM", "xlm", "TFXLMWithLMHeadModel"),
            row("TFAutoModelForCausalLM", "xlm-roberta", "TFXLMRobertaForCausalLM"),

            row("TFAutoModelForImageClassification", "convnext", "TFConvNextForImageClassification"),
            row("TFAutoModelForImageClassification", "data2vec-vision", "TFData2VecVisionForImageClassification"),
            row("TFAutoModelForImageClassification", "deit",
                    "TFDeiTForImageClassification", "TFDeiTForImageClassificationWithTeacher"),
            row("TFAutoModelForImageClassification", "mobilevit", "TFMobileViTForImageClassification"),
            row("TFAutoModelForImageClassification", "resnet", "TFResNetForImageClassification"),
            row("TFAutoModelForImageClassification", "segformer", "TFSegformerForImageClassification"),
            row("TFAutoModelForImageClassification", "vit", "TFViTForImageClassification"),

            row("TFAutoModelForMaskedImageModeling", "deit", "TFDeiTForMaskedImageModeling"),

            row("TFAutoModelForMaskedLM", "albert", "TFAlbertForMaskedLM"),
            row("TFAutoModelForMaskedLM", "bert", "TFBertForMaskedLM"),
            row("TFAutoModelForMaskedLM", "camembert", "TFCamembertForMaskedLM"),
            row("TFAutoModelForMaskedLM", "convbert", "TFConvBertForMaskedLM"),
            row("TFAutoModelForMaskedLM", "deberta", "TFDebertaForMaskedLM"),
            row("TFAutoModelForMaskedLM", "deberta-v2", "TFDebertaV2ForMaskedLM"),
            row("TFAutoModelForMaskedLM", "distilbert", "TFDistilBertForMaskedLM"),
            row("TFAutoModelForMaskedLM", "electra", "TFElectraForMaskedLM"),
            row("TFAutoModelForMaskedLM", "flaubert", "TFFlaubertWithLMHeadModel"),
            row("TFAutoModelForMaskedLM", "layoutlm", "TFLayoutLMForMaskedLM"),
            row("TFAutoModelForMaskedLM", "mobilebert", "TFMobileBertForMaskedLM"),
            row("TFAutoModelForMaskedLM", "roberta", "TFRobertaForMaskedLM"),
            row("TFAutoModelForMaskedLM", "roformer", "TFRoFormerForMaskedLM"),
            row("TFAutoModelForMaskedLM", "xlm", "TFXLMWithLMHeadModel"),
            row("TFAutoModelForMaskedLM", "xlm-roberta", "TFXLMRobertaForMaskedLM"),

            row("TFAutoModelForMultipleChoice", "albert", "TFAlbertForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "bert", "TFBertForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "camembert", "TFCamembertForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "convbert", "TFConvBertForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "distilbert", "TFDistilBertForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "electra", "TFElectraForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "flaubert", "TFFlaubertForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "mobilebert", "TFMobileBertForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "roberta", "TFRobertaForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "roformer", "TFRoFormerForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "xlm", "TFXLMForMultipleChoice"),
            row("TFAutoModelForMultipleChoice", "xlm-roberta", "TFXLMRobertaForMultipleChoice"),

            row("TFAutoModelForQuestionAnswering", "albert", "TFAlbertForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "bert", "TFBertForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "camembert", "TFCamembertForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "convbert", "TFConvBertForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "deberta", "TFDebertaForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "deberta-v2", "TFDebertaV2ForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "distilbert", "TFDistilBertForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "electra", "TFElectraForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "flaubert", "TFFlaubertForQuestionAnsweringSimple"),
            row("TFAutoModelForQuestionAnswering", "gptj", "TFGPTJForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "layoutlmv3", "TFLayoutLMv3ForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "mobilebert", "TFMobileBertForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "roberta", "TFRobertaForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "roformer", "TFRoFormerForQuestionAnswering"),
            row("TFAutoModelForQuestionAnswering", "xlm", "TFXLMForQuestionAnsweringSimple"),
            row("TFAutoModelForQuestionAnswering", "xlm-roberta", "TFXLMRobertaForQuestionAnswering"),

            row("TFAutoModelForSemanticSegmentation", "data2vec-vision", "TFData2VecVisionForSemanticSegmentation"),
            row("TFAutoModelForSemanticSegmentation", "mobilevit", "TFMobileViTForSemanticSegmentation"),
            row("TFAutoModelForSemanticSegmentation", "segformer", "TFSegformerForSemanticSegmentation"),

            row("TFAutoModelForSeq2SeqLM", "bart", "TFBartForConditionalGeneration"),
            row("TFAutoModelForSeq2SeqLM", "blenderbot", "TFBlenderbotForConditionalGeneration"),
            row("TFAutoModelForSeq2SeqLM", "blenderbot-small", "TFBlenderbotSmallForConditionalGeneration"),
            row("TFAutoModelForSeq2SeqLM", "marian", "TFMarianMTModel"),
            row("TFAutoModelForSeq2SeqLM", "mbart", "TFMBartForConditionalGeneration"),
            row("TFAutoModelForSeq2SeqLM", "mt5", "TFMT5ForConditionalGeneration"),
            row("TFAutoModelForSeq2SeqLM", "t5", "TFT5ForConditionalGeneration"),

            row("TFAutoModelForSequenceClassification", "albert", "TFAlbertForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "bert", "TFBertForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "camembert", "TFCamembertForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "convbert", "TFConvBertForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "deberta", "TFDebertaForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "deberta-v2", "TFDebertaV2ForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "distilbert", "TFDistilBertForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "electra", "TFElectraForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "flaubert", "TFFlaubertForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "gpt2", "TFGPT2ForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "gptj", "TFGPTJForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "layoutlm", "TFLayoutLMForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "layoutlmv3", "TFLayoutLMv3ForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "mistral", "TFMistralForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "mobilebert", "TFMobileBertForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "roberta", "TFRobertaForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "roformer", "TFRoFormerForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "xlm", "TFXLMForSequenceClassification"),
            row("TFAutoModelForSequenceClassification", "xlm-roberta", "TFXLMRobertaForSequenceClassification"),

            row("TFAutoModelForSpeechSeq2Seq", "whisper", "TFWhisperForConditionalGeneration"),

            row("TFAutoModelForTokenClassification", "albert", "TFAlbertForTokenClassification"),
            row("TFAutoModelForTokenClassification", "bert", "TFBertForTokenClassification"),
            row("TFAutoModelForTokenClassification", "camembert", "TFCamembertForTokenClassification"),
            row("TFAutoModelForTokenClassification", "convbert", "TFConvBertForTokenClassification"),
            row("TFAutoModelForTokenClassification", "deberta", "TFDebertaForTokenClassification"),
            row("TFAutoModelForTokenClassification", "deberta-v2", "TFDebertaV2ForTokenClassification"),
            row("TFAutoModelForTokenClassification", "distilbert", "TFDistilBertForTokenClassification"),
            row("TFAutoModelForTokenClassification", "electra", "TFElectraForTokenClassification"),
            row("TFAutoModelForTokenClassification", "flaubert", "TFFlaubertForTokenClassification"),
            row("TFAutoModelForTokenClassification", "layoutlm", "TFLayoutLMForTokenClassification"),
            row("TFAutoModelForTokenClassification", "layoutlmv3", "TFLayoutLMv3ForTokenClassification"),
            row("TFAutoModelForTokenClassification", "mobilebert", "TFMobileBertForTokenClassification"),
            row("TFAutoModelForTokenClassification", "roberta", "TFRobertaForTokenClassification"),
            row("TFAutoModelForTokenClassification", "roformer", "TFRoFormerForTokenClassification"),
            row("TFAutoModelForTokenClassification", "xlm", "TFXLMForTokenClassification"),
            row("TFAutoModelForTokenClassification", "xlm-roberta", "TFXLMRobertaForTokenClassification")

    );

    /** auto class → model type → architectures. */
    private static final Map<String, Map<String, List<String>>> BY_AUTO_CLASS = byAutoClass(ROWS);

    /** architecture → auto classes listing it, in table order. */
    private static final Map<String, List<String>> BY_ARCHITECTURE = byArchitecture(ROWS);

    private AutoModelMappings() {}

    /** The auto class names this table knows (PyTorch {@code AutoModel...} and TensorFlow {@code TFAutoModel...}). */
    public static Set<String> autoClasses() {
        return BY_AUTO_CLASS.keySet();
    }

    /**
     * The architecture {@code autoClass} instantiates for {@code modelType} (Transformers' spelling; any case, and
     * {@code -}/{@code _} are interchangeable), or empty when the auto class has no entry for that model type.
     *
     * @throws Exporters4jException when {@code autoClass} is not an auto class of this table
     */
    public static Optional<String> architectureFor(String autoClass, String modelType) {
        List<String> architectures = architecturesFor(autoClass, modelType);
        return architectures.isEmpty() ? Optional.empty() : Optional.of(architectures.get(0));
    }

    /**
     * Every architecture {@code autoClass} lists for {@code modelType}, the default first (several for DeiT and
     * LeViT image classification, teacher-distilled variants, and Perceiver's three image classifiers); empty when
     * there is none.
     *
     * @throws Exporters4jException when {@code autoClass} is not an auto class of this table
     */
    public static List<String> architecturesFor(String autoClass, String modelType) {
        Map<String, List<String>> byType = BY_AUTO_CLASS.get(autoClass);
        if (byType == null) {
            throw new Exporters4jException("unknown auto class \"" + autoClass + "\"; did you mean "
                    + closest(autoClass, BY_AUTO_CLASS.keySet()) + "? (auto classes are spelled as in Transformers, "
                    + "e.g. AutoModelForSequenceClassification or TFAutoModelForMaskedLM)");
        }
        String lower = modelType.strip().toLowerCase(Locale.ROOT);
        for (String spelling : List.of(lower, lower.replace('-', '_'), lower.replace('_', '-'))) {
            List<String> architectures = byType.get(spelling);
            if (architectures != null) {
                return architectures;
            }
        }
        return List.of();
    }

    /**
     * The auto classes that list {@code architectureClass} (reverse lookup, sorted): {@code BertForMaskedLM} →
     * {@code [AutoModelForMaskedLM]}, {@code BartForConditionalGeneration} → {@code [AutoModelForMaskedLM,
     * AutoModelForSeq2SeqLM]}; empty for a class no listed auto class names.
     */
    public static List<String> autoClassesOf(String architectureClass) {
        return BY_ARCHITECTURE.getOrDefault(architectureClass, List.of());
    }

    private static Row row(String autoClass, String modelType, String... architectures) {
        return new Row(autoClass, modelType, List.of(architectures));
    }

    private static List<Row> sorted(Row... rows) {
        Comparator<Row> order = Comparator.comparing(Row::autoClass).thenComparing(Row::modelType);
        for (int i = 1; i < rows.length; i++) {
            int comparison = order.compare(rows[i - 1], rows[i]);
            if (comparison == 0) {
                throw new IllegalStateException("duplicate auto-model mapping row: " + rows[i].autoClass() + " / "
                        + rows[i].modelType());
            }
            if (comparison > 0) {
                throw new IllegalStateException("auto-model mapping rows must be sorted: " + rows[i].autoClass()
                        + " / " + rows[i].modelType() + " comes after " + rows[i - 1].autoClass() + " / "
                        + rows[i - 1].modelType());
            }
        }
        return List.of(rows);
    }

    private static Map<String, Map<String, List<String>>> byAutoClass(List<Row> rows) {
        Map<String, Map<String, List<String>>> map = new TreeMap<>();
        for (Row row : rows) {
            map.computeIfAbsent(row.autoClass(), k -> new LinkedHashMap<>()).put(row.modelType(), row.architectures());
        }
        Map<String, Map<String, List<String>>> frozen = new TreeMap<>();
        map.forEach((autoClass, byType) -> frozen.put(autoClass, Collections.unmodifiableMap(byType)));
        return Collections.unmodifiableMap(frozen);
    }

    private static Map<String, List<String>> byArchitecture(List<Row> rows) {
        Map<String, Set<String>> map = new TreeMap<>();
        for (Row row : rows) {
            for (String architecture : row.architectures()) {
                map.computeIfAbsent(architecture, k -> new TreeSet<>()).add(row.autoClass());
            }
        }
        Map<String, List<String>> frozen = new TreeMap<>();
        map.forEach((architecture, autoClasses) -> frozen.put(architecture, List.copyOf(autoClasses)));
        return Collections.unmodifiableMap(frozen);
    }

    /** The three known names closest to {@code name} (edit distance, ignoring case), for error messages. */
    private static String closest(String name, Set<String> known) {
        List<String> candidates = new ArrayList<>(known);
        String lower = name.toLowerCase(Locale.ROOT);
        candidates.sort(Comparator.comparingInt((String candidate) -> editDistance(lower,
                candidate.toLowerCase(Locale.ROOT))).thenComparing(Comparator.naturalOrder()));
        return String.join(", ", candidates.subList(0, Math.min(3, candidates.size())));
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
