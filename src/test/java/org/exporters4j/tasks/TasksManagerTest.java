package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.Exporters4jException;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.CacheTensor;
import org.junit.jupiter.api.Test;
import org.exporters4j.onnx.ElementType;

/** Every TasksManager query and every error it reports. */
class TasksManagerTest {
    @Test
    void supportedTasksAreOrderedAndUnmodifiable() {
        Map<String, ExportConfigConstructor> tasks = TasksManager.getSupportedTasksForModelType("distilbert", "onnx");
        assertEquals(List.of("default", "masked-lm", "sequence-classification", "multiple-choice",
                "token-classification", "question-answering"), new ArrayList<>(tasks.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> tasks.remove("default"));
        assertEquals("DistilBertOnnxConfig(task=masked-lm)", tasks.get("masked-lm").toString());
    }

    @Test
    void modelTypesAreAcceptedInAnySpelling() {
        List<String> expected = List.of("default", "default-with-past", "causal-lm", "causal-lm-with-past",
                "sequence-classification");
        for (String spelling : List.of("gpt-neo", "gpt_neo", "GPT-Neo", " GPT_NEO ")) {
            assertEquals(expected, new ArrayList<>(TasksManager.getSupportedTasksForModelType(spelling, "onnx").keySet()));
        }
        assertEquals("m2m-100", TasksManager.normalizeModelType("M2M_100"));
        assertEquals("data2vec-text", TasksManager.normalizeModelType("data2vec-text"));
        assertEquals(78, TasksManager.getSupportedModelTypes("onnx").size(), "Optimum v1.5.2's 51, llama, mistral, "
                + "qwen2, qwen3, gemma, gemma2, gemma3-text, granite, mixtral, olmo, phi3, starcoder2, falcon, "
                + "gpt-bigcode, gpt-neox, opt, phi, stablelm, wav2vec2, hubert, wavlm, mpnet, modernbert, dinov2, swin, "
                + "siglip, sam");
        assertEquals("albert", TasksManager.getSupportedModelTypes("ONNX").get(0));
    }

    @Test
    void constructorsBuildTheirTasksConfiguration() {
        ExportConfigConstructor constructor = TasksManager.getExporterConfigConstructor("bert", "onnx", "masked-lm");
        ExportConfig config = constructor.create(ModelConfig.defaultsFor("bert"));
        assertEquals("bert", config.modelType());
        assertEquals(Exporter.ONNX, config.exporter());
        assertEquals(ExportTask.of(Task.MASKED_LM), config.task());
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), config.inputNames());
        assertEquals(List.of("logits"), config.outputNames());
        assertEquals(Map.of("use_cache", false), config.valuesOverride());
        assertEquals(11, config.defaultOpset());
        assertEquals(1e-4, config.atol());
        assertEquals(false, config.overriddenModelConfig().booleanValue("use_cache"));
        assertTrue(config.modelConfig().booleanValue("use_cache"), "the given config is left as it was");

        assertEquals("default", TasksManager.getExporterConfigConstructor("bert", "onnx").create(
                ModelConfig.defaultsFor("bert")).task().name());
        assertThrows(IllegalArgumentException.class, () -> constructor.create(null));
    }

    @Test
    void todaysTaskNamesResolveToCanonicalOnes() {
        ExportConfig config = TasksManager.getExporterConfigConstructor("gpt2", "onnx", "text-generation-with-past")
                .create(ModelConfig.defaultsFor("gpt2"));
        assertEquals("causal-lm-with-past", config.task().name());
        assertEquals(12 * 2 + 2, config.inputNames().size(), "GPT-2's 12 default layers");
        assertEquals(Map.of("use_cache", true, "pad_token_id", 0), config.valuesOverride());
        assertEquals(List.of("use_cache", "pad_token_id"), new ArrayList<>(config.valuesOverride().keySet()));
        assertEquals("default", TasksManager.getExporterConfigConstructor("vit", "onnx", "feature-extraction")
                .create(ModelConfig.defaultsFor("vit")).task().name());
    }

    @Test
    void cacheTensorsAreTypedAndNamedAsOptimumNamesThem() {
        ExportConfig decoder = TasksManager.getExporterConfigConstructor("gpt2", "onnx", "causal-lm-with-past")
                .create(ModelConfig.defaultsFor("gpt2"));
        DynamicTensor past = decoder.input("past_key_values.11.value").orElseThrow();
        assertEquals(Optional.of(new CacheTensor(CacheTensor.Direction.PAST, 11, CacheTensor.Attention.SELF,
                CacheTensor.Part.VALUE)), past.cache());
        assertEquals(ElementType.FLOAT, past.elementType());
        assertEquals(Optional.empty(), decoder.input("input_ids").orElseThrow().cache());
        ExportConfig seq2seq = TasksManager.getExporterConfigConstructor("t5", "onnx", "seq2seq-lm-with-past")
                .create(ModelConfig.defaultsFor("t5"));
        List<CacheTensor> presents = seq2seq.outputs().stream().flatMap(output -> output.cache().stream()).toList();
        assertEquals(CacheTensor.layers(CacheTensor.Direction.PRESENT, 6,
                List.of(CacheTensor.Attention.DECODER_SELF, CacheTensor.Attention.ENCODER_CROSS)), presents);
        assertEquals("present.5.encoder.value", presents.get(presents.size() - 1).name());
    }

    @Test
    void gpt2KeepsAPadTokenTheConfigSets() {
        ModelConfig withPad = ModelConfig.parse("{\"model_type\": \"gpt2\", \"pad_token_id\": 5}", "test");
        assertEquals(Map.of("use_cache", false), TasksManager.getExportConfig(withPad, "onnx", "causal-lm")
                .valuesOverride());
        ModelConfig zeroPad = ModelConfig.parse("{\"model_type\": \"codegen\", \"pad_token_id\": 0}", "test");
        assertEquals(Map.of("use_cache", false, "pad_token_id", 0),
                TasksManager.getExportConfig(zeroPad, "onnx", "default").valuesOverride(),
                "CodeGenConfig has use_cache (default true), so the export turns it off and sets the pad token");
    }

    @Test
    void debertaDropsTokenTypesWithoutATypeVocabulary() {
        ModelConfig none = ModelConfig.parse("{\"model_type\": \"deberta-v2\", \"type_vocab_size\": 0}", "test");
        ModelConfig two = ModelConfig.parse("{\"model_type\": \"deberta-v2\", \"type_vocab_size\": 2}", "test");
        assertEquals(List.of("input_ids", "attention_mask"),
                TasksManager.getExportConfig(none, "onnx", "multiple-choice").inputNames());
        ExportConfig withTypes = TasksManager.getExportConfig(two, "onnx", "multiple-choice");
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), withTypes.inputNames());
        assertEquals(Map.of(0, "batch_size", 1, "num_choices", 2, "sequence_length"),
                withTypes.input("token_type_ids").orElseThrow().dynamicAxes());
    }

    @Test
    void layerCountsComeFromEachTypesOwnAttribute() {
        ModelConfig gpt2 = ModelConfig.parse("{\"model_type\": \"gpt2\", \"n_layer\": 2, \"num_hidden_layers\": 7}",
                "test");
        assertEquals(List.of("input_ids", "past_key_values.0.key", "past_key_values.0.value",
                "past_key_values.1.key", "past_key_values.1.value", "attention_mask"),
                TasksManager.getExportConfig(gpt2, "onnx", "default-with-past").inputNames());
        ModelConfig neo = ModelConfig.parse("{\"model_type\": \"gpt_neo\", \"num_layers\": 1}", "test");
        assertEquals(List.of("last_hidden_state", "present.0.key", "present.0.value"),
                TasksManager.getExportConfig(neo, "onnx", "default-with-past").outputNames());
        ModelConfig bart = ModelConfig.parse("{\"model_type\": \"bart\", \"encoder_layers\": 3, "
                + "\"decoder_layers\": 1}", "test");
        assertEquals(List.of("logits", "present.0.decoder.key", "present.0.decoder.value", "present.0.encoder.key",
                "present.0.encoder.value"), TasksManager.getExportConfig(bart, "onnx", "seq2seq-lm-with-past")
                .outputNames());
        ModelConfig zero = ModelConfig.parse("{\"model_type\": \"gpt2\", \"n_layer\": 0}", "zero.json");
        assertEquals("zero.json: the layer count (n_layer) must be positive, got 0",
                assertThrows(Exporters4jException.class,
                        () -> TasksManager.getExportConfig(zero, "onnx", "causal-lm-with-past")).getMessage());
    }

    @Test
    void modelClassesPerTaskAndFramework() {
        assertEquals("AutoModelForCausalLM", TasksManager.getModelClassForTask("causal-lm"));
        assertEquals("AutoModelForCausalLM", TasksManager.getModelClassForTask("causal-lm-with-past", "pt"));
        assertEquals("TFAutoModelForCausalLM", TasksManager.getModelClassForTask("text-generation", "tf"));
        assertEquals("AutoModelForSpeechSeq2Seq", TasksManager.getModelClassForTask("automatic-speech-recognition"));
        assertEquals("TFAutoModelForSemanticSegmentation",
                TasksManager.getModelClassForTask("semantic-segmentation", "TF"));
        assertEquals(Optional.of(Task.MASKED_LM), TasksManager.getTaskForModelClass("TFAutoModelForMaskedLM"));
        assertEquals(Optional.of(Task.DEFAULT), TasksManager.getTaskForModelClass("AutoModel"));
        assertEquals(Optional.of(Task.CTC), TasksManager.getTaskForModelClass("AutoModelForCTC"));
        assertEquals(Optional.empty(), TasksManager.getTaskForModelClass("AutoModelForTextToSpectrogram"));
    }

    @Test
    void taskFormattingAndTheTaskList() {
        assertEquals("causal-lm", TasksManager.formatTask("causal-lm-with-past"));
        assertEquals("causal-lm", TasksManager.formatTask("text-generation-with-past"));
        assertEquals("seq2seq-lm", TasksManager.formatTask("summarization"));
        assertEquals("causal-lm-with-past", TasksManager.normalizeTask("Text-Generation-With-Past"));
        assertEquals(List.of("default", "default-with-past", "masked-lm", "causal-lm", "causal-lm-with-past",
                "seq2seq-lm", "seq2seq-lm-with-past", "sequence-classification", "token-classification",
                "multiple-choice", "object-detection", "question-answering", "image-classification",
                "image-segmentation", "masked-im", "semantic-segmentation", "speech2seq-lm",
                "speech2seq-lm-with-past", "audio-ctc", "audio-classification", "audio-frame-classification",
                "audio-xvector", "zero-shot-image-classification"), TasksManager.getAllTasks());
    }

    @Test
    void unknownModelTypeNamesCloseMatchesAndTheListingCommand() {
        UnknownModelTypeException error = assertThrows(UnknownModelTypeException.class,
                () -> TasksManager.getSupportedTasksForModelType("bret", "onnx"));
        assertEquals("unknown model type \"bret\": no export configuration is registered for it; close matches: "
                + "bert, bart, beit; run `./exporters4j tasks` to list all 78 supported model types",
                error.getMessage());
        UnknownModelTypeException named = assertThrows(UnknownModelTypeException.class,
                () -> TasksManager.getExporterConfigConstructor("mpt", "onnx", "default", "my-mpt"));
        assertEquals("unknown model type \"mpt\" (model my-mpt): no export configuration is registered for it; "
                + "close matches: opt, gpt2, gptj; run `./exporters4j tasks` to list all 78 supported model types",
                named.getMessage());
        assertThrows(UnknownModelTypeException.class, () -> TasksManager.getRegistrySource("mpt"));
    }

    @Test
    void unknownExporterListsTheExporters() {
        UnknownExporterException error = assertThrows(UnknownExporterException.class,
                () -> TasksManager.getSupportedTasksForModelType("bert", "tflite"));
        assertEquals("unknown exporter \"tflite\": the exporters are onnx; pass one of them (--exporter onnx is the "
                + "default)", error.getMessage());
        assertThrows(UnknownExporterException.class, () -> TasksManager.getSupportedModelTypes("coreml"));
    }

    @Test
    void unsupportedTaskListsTheModelTypesTasks() {
        UnsupportedTaskException error = assertThrows(UnsupportedTaskException.class,
                () -> TasksManager.getExporterConfigConstructor("distilbert", "onnx", "causal-lm"));
        assertEquals("distilbert does not support task \"causal-lm\" with the onnx exporter; its tasks are default, "
                + "masked-lm, sequence-classification, multiple-choice, token-classification, question-answering "
                + "(run `./exporters4j tasks --model-type distilbert`)", error.getMessage());
        UnsupportedTaskException synonym = assertThrows(UnsupportedTaskException.class,
                () -> TasksManager.getExporterConfigConstructor("vit", "onnx", "text-generation", "google/vit"));
        assertEquals("vit (google/vit) does not support task \"causal-lm\" (given as \"text-generation\") with the "
                + "onnx exporter; its tasks are default, image-classification, masked-im (run `./exporters4j tasks "
                + "--model-type vit`)", synonym.getMessage());
    }

    @Test
    void unknownTaskNamesListTaskNamesNotClasses() {
        UnknownTaskException error = assertThrows(UnknownTaskException.class,
                () -> TasksManager.getModelClassForTask("causal-ml"));
        assertEquals("unknown task \"causal-ml\" (did you mean causal-lm?); the tasks are default, default-with-past, "
                + "masked-lm, causal-lm, causal-lm-with-past, seq2seq-lm, seq2seq-lm-with-past, "
                + "sequence-classification, token-classification, multiple-choice, object-detection, "
                + "question-answering, image-classification, image-segmentation, masked-im, semantic-segmentation, "
                + "speech2seq-lm, speech2seq-lm-with-past, audio-ctc, audio-classification, audio-frame-classification, "
                + "audio-xvector, zero-shot-image-classification, and today's Optimum names for them "
                + "(feature-extraction, text-generation, fill-mask, ...)", error.getMessage());
        assertTrue(!error.getMessage().contains("AutoModel"));
        UnknownTaskException noPast = assertThrows(UnknownTaskException.class,
                () -> TasksManager.formatTask("masked-lm-with-past"));
        assertTrue(noPast.getMessage().startsWith("unknown task \"masked-lm-with-past\" (did you mean masked-lm"),
                noPast.getMessage());
        UnknownTaskException modern = assertThrows(UnknownTaskException.class,
                () -> TasksManager.getExporterConfigConstructor("vit", "onnx", "image-to-text"));
        assertEquals("task \"image-to-text\" is a task of today's Optimum with no equivalent among the Optimum "
                + "v1.5.2 tasks that exporters4j supports (" + String.join(", ", TasksManager.getAllTasks())
                + "); choose one of those", modern.getMessage());
    }

    @Test
    void frameworkErrors() {
        UnknownFrameworkException unknown = assertThrows(UnknownFrameworkException.class,
                () -> TasksManager.getModelClassForTask("default", "jax"));
        assertEquals("unknown framework \"jax\": use pt (PyTorch) or tf (TensorFlow), as Optimum v1.5.2 supports "
                + "only these two", unknown.getMessage());
        MissingModelClassException missing = assertThrows(MissingModelClassException.class,
                () -> TasksManager.getModelClassForTask("image-classification", "tf"));
        assertEquals("task \"image-classification\" has no TensorFlow model class (tf tasks: default, masked-lm, "
                + "causal-lm, seq2seq-lm, sequence-classification, token-classification, multiple-choice, "
                + "question-answering, semantic-segmentation, zero-shot-image-classification); use --framework pt",
                missing.getMessage());
    }

    @Test
    void everyErrorIsAnExporters4jExceptionOnOneLine() {
        List<Runnable> failures = List.of(
                () -> TasksManager.getSupportedTasksForModelType("nope", "onnx"),
                () -> TasksManager.getSupportedTasksForModelType("bert", "nope"),
                () -> TasksManager.getExporterConfigConstructor("bert", "onnx", "seq2seq-lm"),
                () -> TasksManager.getModelClassForTask("nope"),
                () -> TasksManager.getModelClassForTask("default", "nope"),
                () -> TasksManager.getModelClassForTask("object-detection", "tf"));
        for (Runnable failure : failures) {
            Exporters4jException error = assertThrows(Exporters4jException.class, failure::run);
            assertTrue(!error.getMessage().contains("\n"), error.getMessage());
        }
    }
}
