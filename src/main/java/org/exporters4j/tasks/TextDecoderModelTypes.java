package org.exporters4j.tasks;

import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_25_3;
import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_25_3_WITH_PAST;
import static org.exporters4j.tasks.ModelTypeRow.Registered.NOT_REGISTERED;
import static org.exporters4j.tasks.ModelTypeRow.Registered.OWN;
import static org.exporters4j.tasks.ModelTypeRow.Registered.OWN_WITH_PAST;
import static org.exporters4j.tasks.ModelTypeRows.NO_TF;
import static org.exporters4j.tasks.ModelTypeRows.heads;
import static org.exporters4j.tasks.ModelTypeRows.pt;
import static org.exporters4j.tasks.ModelTypeRows.task;
import static org.exporters4j.tasks.ModelTypeRows.tf;
import static org.exporters4j.tasks.ModelTypeRows.type;
import static org.exporters4j.tasks.OnnxConfigs.falconOnnx;
import static org.exporters4j.tasks.OnnxConfigs.gptBigCodeOnnx;
import static org.exporters4j.tasks.OnnxConfigs.gptNeoXOnnx;
import static org.exporters4j.tasks.OnnxConfigs.llamaOnnx;
import static org.exporters4j.tasks.OnnxConfigs.optOnnx;
import static org.exporters4j.tasks.OnnxConfigs.phiOnnx;
import static org.exporters4j.tasks.Task.CAUSAL_LM;
import static org.exporters4j.tasks.Task.DEFAULT;
import static org.exporters4j.tasks.Task.QUESTION_ANSWERING;
import static org.exporters4j.tasks.Task.SEQUENCE_CLASSIFICATION;
import static org.exporters4j.tasks.Task.TOKEN_CLASSIFICATION;

import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.exporters4j.models.Architecture;
import org.exporters4j.models.Head;
import org.exporters4j.models.falcon.FalconArchitecture;
import org.exporters4j.models.gptbigcode.GptBigCodeArchitecture;
import org.exporters4j.models.gptneox.GptNeoXArchitecture;
import org.exporters4j.models.llama.LlamaArchitecture;
import org.exporters4j.models.llama.LlamaFlavor.Options;
import org.exporters4j.models.opt.OptArchitecture;
import org.exporters4j.models.phi.PhiArchitecture;
import org.exporters4j.models.stablelm.StableLmArchitecture;
import org.exporters4j.tasks.ModelTypeRows.GraphOf;
import org.exporters4j.tasks.OnnxConfigs.HeadWidth;

/**
 * The rows of today's text decoders (see {@link ModelTypes} for how a row reads): those Optimum 1.25.3 registers,
 * with its interface, and exporters4j's own rows for the types it does not register, with the interface of the type
 * each is built on; with the graph families and flavours they are built with.
 */
final class TextDecoderModelTypes {
    static final List<ModelTypeRow> ROWS = List.of(
            type("llama", llamaOnnx("LlamaOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.LLAMA),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("LlamaModel"),                               NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("LlamaForCausalLM"),                         NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("LlamaForSequenceClassification"),           NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("LlamaForTokenClassification"),              NO_TF),
                    task(NOT_REGISTERED,         QUESTION_ANSWERING,      pt("LlamaForQuestionAnswering"),                NO_TF)),
            type("mistral", llamaOnnx("MistralOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.MISTRAL),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("MistralModel"),                             tf("TFMistralModel")),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("MistralForCausalLM"),                       tf("TFMistralForCausalLM")),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("MistralForSequenceClassification"),         tf("TFMistralForSequenceClassification")),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("MistralForTokenClassification"),            NO_TF),
                    task(NOT_REGISTERED,         QUESTION_ANSWERING,      pt("MistralForQuestionAnswering"),              NO_TF)),
            type("qwen2", llamaOnnx("Qwen2OnnxConfig", HeadWidth.HIDDEN_SIZE_OVER_HEADS),
                    llama(Options.QWEN2),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("Qwen2Model"),                               NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("Qwen2ForCausalLM"),                         NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("Qwen2ForSequenceClassification"),           NO_TF),
                    task(V1_25_3,                TOKEN_CLASSIFICATION,    pt("Qwen2ForTokenClassification"),              NO_TF),
                    task(NOT_REGISTERED,         QUESTION_ANSWERING,      pt("Qwen2ForQuestionAnswering"),                NO_TF)),
            // exporters4j's own: no Optimum 1.25.3 registers qwen3; Qwen2's interface and tasks
            type("qwen3", llamaOnnx("Qwen2OnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.QWEN3),
                    task(OWN_WITH_PAST,          DEFAULT,                 pt("Qwen3Model"),                               NO_TF),
                    task(OWN_WITH_PAST,          CAUSAL_LM,               pt("Qwen3ForCausalLM"),                         NO_TF),
                    task(OWN,                    SEQUENCE_CLASSIFICATION, pt("Qwen3ForSequenceClassification"),           NO_TF),
                    task(OWN,                    TOKEN_CLASSIFICATION,    pt("Qwen3ForTokenClassification"),              NO_TF),
                    task(NOT_REGISTERED,         QUESTION_ANSWERING,      pt("Qwen3ForQuestionAnswering"),                NO_TF)),
            type("gemma", llamaOnnx("GemmaOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.GEMMA),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("GemmaModel"),                               NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("GemmaForCausalLM"),                         NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("GemmaForSequenceClassification"),           NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("GemmaForTokenClassification"),              NO_TF)),
            // exporters4j's own: no Optimum 1.25.3 registers gemma2; Gemma's interface and tasks
            type("gemma2", llamaOnnx("GemmaOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.GEMMA2),
                    task(OWN_WITH_PAST,          DEFAULT,                 pt("Gemma2Model"),                              NO_TF),
                    task(OWN_WITH_PAST,          CAUSAL_LM,               pt("Gemma2ForCausalLM"),                        NO_TF),
                    task(OWN,                    SEQUENCE_CLASSIFICATION, pt("Gemma2ForSequenceClassification"),          NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("Gemma2ForTokenClassification"),             NO_TF)),
            // exporters4j's own: no Optimum 1.25.3 registers gemma3_text; Gemma's interface, its tasks that
            // Transformers 4.51 has a class for (no sequence classification for the text-only config)
            type("gemma3-text", llamaOnnx("GemmaOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.GEMMA3),
                    task(OWN_WITH_PAST,          DEFAULT,                 pt("Gemma3TextModel"),                          NO_TF),
                    task(OWN_WITH_PAST,          CAUSAL_LM,               pt("Gemma3ForCausalLM"),                        NO_TF)),
            type("granite", llamaOnnx("GraniteOnnxConfig", HeadWidth.HIDDEN_SIZE_OVER_HEADS),
                    llama(Options.GRANITE),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("GraniteModel"),                             NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("GraniteForCausalLM"),                       NO_TF)),
            // exporters4j's own: no Optimum 1.25.3 registers mixtral; Mistral's interface and tasks
            type("mixtral", llamaOnnx("MistralOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.MIXTRAL),
                    task(OWN_WITH_PAST,          DEFAULT,                 pt("MixtralModel"),                             NO_TF),
                    task(OWN_WITH_PAST,          CAUSAL_LM,               pt("MixtralForCausalLM"),                       NO_TF),
                    task(OWN,                    SEQUENCE_CLASSIFICATION, pt("MixtralForSequenceClassification"),         NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("MixtralForTokenClassification"),            NO_TF),
                    task(NOT_REGISTERED,         QUESTION_ANSWERING,      pt("MixtralForQuestionAnswering"),              NO_TF)),
            // OlmoOnnxConfig: LlamaOnnxConfig at atol 1e-4
            type("olmo", llamaOnnx("OlmoOnnxConfig", HeadWidth.FROM_HEAD_DIM).atol(1e-4),
                    llama(Options.OLMO),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("OlmoModel"),                                NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("OlmoForCausalLM"),                          NO_TF)),
            // Phi3OnnxConfig: LlamaOnnxConfig's inputs, outputs, opset and cache
            type("phi3", llamaOnnx("Phi3OnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.PHI3),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("Phi3Model"),                                NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("Phi3ForCausalLM"),                          NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("Phi3ForSequenceClassification"),            NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("Phi3ForTokenClassification"),               NO_TF)),
            // exporters4j's own: no Optimum 1.25.3 registers starcoder2; Mistral's interface and tasks
            type("starcoder2", llamaOnnx("MistralOnnxConfig", HeadWidth.FROM_HEAD_DIM),
                    llama(Options.STARCODER2),
                    task(OWN_WITH_PAST,          DEFAULT,                 pt("Starcoder2Model"),                          NO_TF),
                    task(OWN_WITH_PAST,          CAUSAL_LM,               pt("Starcoder2ForCausalLM"),                    NO_TF),
                    task(OWN,                    SEQUENCE_CLASSIFICATION, pt("Starcoder2ForSequenceClassification"),      NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("Starcoder2ForTokenClassification"),         NO_TF)),
            type("falcon", falconOnnx(), withHeads(FalconArchitecture::new),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("FalconModel"),                              NO_TF),
                    task(V1_25_3,                QUESTION_ANSWERING,      pt("FalconForQuestionAnswering"),               NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("FalconForCausalLM"),                        NO_TF),
                    task(V1_25_3,                TOKEN_CLASSIFICATION,    pt("FalconForTokenClassification"),             NO_TF),
                    task(NOT_REGISTERED,         SEQUENCE_CLASSIFICATION, pt("FalconForSequenceClassification"),          NO_TF)),
            type("gpt-bigcode", gptBigCodeOnnx(), withHeads(GptBigCodeArchitecture::new),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("GPTBigCodeModel"),                          NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("GPTBigCodeForCausalLM"),                    NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("GPTBigCodeForSequenceClassification"),      NO_TF),
                    task(V1_25_3,                TOKEN_CLASSIFICATION,    pt("GPTBigCodeForTokenClassification"),         NO_TF)),
            type("gpt-neox", gptNeoXOnnx(), withHeads(GptNeoXArchitecture::new),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("GPTNeoXModel"),                             NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("GPTNeoXForCausalLM"),                       NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("GPTNeoXForSequenceClassification"),         NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("GPTNeoXForTokenClassification"),            NO_TF),
                    task(NOT_REGISTERED,         QUESTION_ANSWERING,      pt("GPTNeoXForQuestionAnswering"),              NO_TF)),
            type("opt", optOnnx(), withHeads(OptArchitecture::new),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("OPTModel"),                                 tf("TFOPTModel")),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("OPTForCausalLM"),                           tf("TFOPTForCausalLM")),
                    task(V1_25_3,                QUESTION_ANSWERING,      pt("OPTForQuestionAnswering"),                  NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("OPTForSequenceClassification"),             NO_TF)),
            type("phi", phiOnnx(), withHeads(PhiArchitecture::new),
                    task(V1_25_3_WITH_PAST,      DEFAULT,                 pt("PhiModel"),                                 NO_TF),
                    task(V1_25_3_WITH_PAST,      CAUSAL_LM,               pt("PhiForCausalLM"),                           NO_TF),
                    task(V1_25_3,                SEQUENCE_CLASSIFICATION, pt("PhiForSequenceClassification"),             NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("PhiForTokenClassification"),                NO_TF)),
            // exporters4j's own: no Optimum 1.25.3 registers stablelm; Llama's interface and tasks
            type("stablelm", llamaOnnx("LlamaOnnxConfig", HeadWidth.HIDDEN_SIZE_OVER_HEADS),
                    withHeads(StableLmArchitecture::new),
                    task(OWN_WITH_PAST,          DEFAULT,                 pt("StableLmModel"),                            NO_TF),
                    task(OWN_WITH_PAST,          CAUSAL_LM,               pt("StableLmForCausalLM"),                      NO_TF),
                    task(OWN,                    SEQUENCE_CLASSIFICATION, pt("StableLmForSequenceClassification"),        NO_TF),
                    task(NOT_REGISTERED,         TOKEN_CLASSIFICATION,    pt("StableLmForTokenClassification"),           NO_TF)));

    private TextDecoderModelTypes() {}

    /** A family built for the heads of the row's variants (the bare model and the LM head also with the cache). */
    private static GraphOf withHeads(BiFunction<String, Set<Head>, Architecture> family) {
        return (modelType, variants) -> family.apply(modelType, heads(variants));
    }

    /** A Llama-family decoder with its options (the flavour presets of {@link Options}). */
    private static GraphOf llama(Options options) {
        return (modelType, variants) -> new LlamaArchitecture(modelType, options, heads(variants));
    }
}
