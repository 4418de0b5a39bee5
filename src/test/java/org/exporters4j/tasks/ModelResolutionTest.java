package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.WeightsFormat;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.NetworkMode;
import org.exporters4j.hub.RepoId;
import org.exporters4j.hub.Revision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** determineFramework, inferTaskFromModel and getModelFromTask on local folders the tests write. */
class ModelResolutionTest {
    private static final String TINY_BERT = """
            {"model_type": "bert", "architectures": ["%s"], "hidden_size": 4, "num_hidden_layers": 1,
             "num_attention_heads": 1, "intermediate_size": 4, "vocab_size": 8, "max_position_embeddings": 8}
            """;

    @TempDir
    Path temp;

    private HubSettings offline() {
        return HubSettings.fromEnvironment(Map.of(), temp.resolve("home")).withNetwork(NetworkMode.OFFLINE);
    }

    private Path folder(String name, String architecture, String... weightFiles) throws IOException {
        Path folder = Files.createDirectories(temp.resolve(name));
        Files.writeString(folder.resolve("config.json"), TINY_BERT.formatted(architecture));
        for (String file : weightFiles) {
            Files.writeString(folder.resolve(file), "not read: only the name matters here");
        }
        return folder;
    }

    private Framework determine(Path folder, String framework) {
        return TasksManager.determineFramework(new ModelSource.LocalFolder(folder), framework, offline());
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
            "pytorch_model.bin.index.json"})
    void aFolderWithPyTorchWeightsOfAnyLayoutIsPyTorch(String weightsFile) throws IOException {
        assertEquals(Framework.PT, determine(folder("pt", "BertModel", weightsFile), null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tf_model.h5", "tf_model.h5.index.json"})
    void aFolderWithOnlyTensorFlowWeightsIsTensorFlow(String weightsFile) throws IOException {
        assertEquals(Framework.TF, determine(folder("tf", "BertModel", weightsFile), null));
    }

    @Test
    void pyTorchWinsOverTensorFlowAsInOptimum() throws IOException {
        assertEquals(Framework.PT, determine(folder("both", "BertModel", "tf_model.h5", "pytorch_model.bin"), null));
    }

    @Test
    void theUsersFrameworkWinsAndIsValidated() throws IOException {
        Path folder = folder("pt", "BertModel", "model.safetensors");
        assertEquals(Framework.TF, determine(folder, "tf"));
        assertEquals(Framework.PT, determine(folder, "PT"));
        UnknownFrameworkException e = assertThrows(UnknownFrameworkException.class, () -> determine(folder, "jax"));
        assertTrue(e.getMessage().contains("\"jax\"") && e.getMessage().contains("pt") && e.getMessage().contains("tf"),
                e.getMessage());
    }

    @Test
    void aFolderWithoutWeightsNamesEveryFileLookedFor() throws IOException {
        Path folder = folder("none", "BertModel", "flax_model.msgpack");
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> determine(folder, null));
        assertEquals("cannot determine the framework of " + folder.toAbsolutePath().normalize() + ": it has none of "
                + "the weight files model.safetensors, model.safetensors.index.json, pytorch_model.bin, "
                + "pytorch_model.bin.index.json, tf_model.h5, tf_model.h5.index.json (it holds config.json, "
                + "flax_model.msgpack); point at the folder save_pretrained wrote", e.getMessage());
    }

    @Test
    void theTaskOfALocalFolderComesFromItsArchitectures() throws IOException {
        assertEquals("default", infer(folder("base", "BertModel")));
        assertEquals("masked-lm", infer(folder("mlm", "BertForMaskedLM")));
        assertEquals("causal-lm", infer(folder("clm", "BertLMHeadModel")));
        assertEquals("question-answering", infer(folder("qa", "BertForQuestionAnswering")));
        // a TensorFlow class name (as a config saved by hand may hold) maps through the TF auto classes
        assertEquals("sequence-classification", infer(folder("tf", "TFBertForSequenceClassification")));
    }

    @Test
    void anArchitectureNoTaskLoadsIsAnErrorThatSaysToPassTask() throws IOException {
        Path folder = folder("pretraining", "BertForPreTraining");
        TaskInferenceException e = assertThrows(TaskInferenceException.class, () -> infer(folder));
        assertEquals("cannot infer the task of local folder " + folder.toAbsolutePath().normalize() + ": config.json "
                + "architectures BertForPreTraining (no auto-model class of a task lists it); pass --task (the tasks "
                + "bert exports are default, masked-lm, causal-lm, sequence-classification, multiple-choice, "
                + "token-classification, question-answering)", e.getMessage());
    }

    @Test
    void aConfigWithoutArchitecturesIsAnErrorThatSaysToPassTask() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("bare"));
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        TaskInferenceException e = assertThrows(TaskInferenceException.class, () -> infer(folder));
        assertTrue(e.getMessage().contains("config.json has no \"architectures\"; pass --task (the tasks gpt2 "
                + "exports are default, causal-lm, sequence-classification, token-classification)"), e.getMessage());
    }

    @Test
    void severalArchitecturesOfDifferentTasksAreAmbiguous() throws IOException {
        Path folder = folder("two", "BertForMaskedLM\", \"BertForTokenClassification");
        TaskInferenceException e = assertThrows(TaskInferenceException.class, () -> infer(folder));
        assertTrue(e.getMessage().contains("is ambiguous") && e.getMessage().contains("masked-lm (AutoModelForMaskedLM)")
                && e.getMessage().contains("token-classification (AutoModelForTokenClassification)")
                && e.getMessage().endsWith("pass --task with one of masked-lm, token-classification"), e.getMessage());
    }

    /**
     * What inspect reports for that config (on real BERT weights): both tasks with their own auto class and concrete
     * class, no single task, class or architecture; naming the task resolves it as before.
     */
    @Test
    void aSummaryOfSeveralFittingTasksNamesEachWithItsClasses() throws IOException {
        Path folder = linkedFixture("bert--masked-lm", "model.safetensors");
        Path config = folder.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"BertForMaskedLM\"",
                "\"BertForMaskedLM\", \"BertForTokenClassification\""));
        ModelSource source = new ModelSource.LocalFolder(folder);
        ModelSummary summary = ModelSummary.inspect(source, "auto", null, offline());
        assertEquals(List.of(new ModelSummary.TaskFit("masked-lm", "AutoModelForMaskedLM", "BertForMaskedLM"),
                new ModelSummary.TaskFit("token-classification", "AutoModelForTokenClassification",
                        "BertForTokenClassification")), summary.fittingTasks());
        assertTrue(summary.task().isEmpty() && summary.architecture().isEmpty(), summary.toString());
        assertEquals(List.of("model.safetensors"), summary.weights());
        ModelSummary named = ModelSummary.inspect(source, "token-classification", null, offline());
        assertEquals(Optional.of(new ModelSummary.TaskFit("token-classification", "AutoModelForTokenClassification",
                "BertForTokenClassification")), named.task());
        assertEquals(summary.parameters(), named.parameters());
    }

    @Test
    void aMissingConfigIsAnErrorNamingIt() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("empty"));
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> infer(folder));
        assertTrue(e.getMessage().startsWith("config file not found: " + folder.toAbsolutePath().normalize()
                .resolve("config.json")), e.getMessage());
    }

    @Test
    void shardedSafetensorsResolveWithEveryShardListed() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("sharded"));
        Files.writeString(folder.resolve("config.json"), TINY_BERT.formatted("BertModel"));
        new SafetensorsFileWriter().add("embeddings.word_embeddings.weight", DType.F32, List.of(8L, 4L),
                SafetensorsFileWriter.ramp(32, 0.5f)).write(folder.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsFileWriter().add("pooler.dense.bias", DType.F16, List.of(4L), new byte[8])
                .add("embeddings.position_ids", DType.I64, List.of(1L, 8L), SafetensorsFileWriter.longs(0, 1, 2, 3,
                        4, 5, 6, 7))
                .write(folder.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(folder.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 216}, "weight_map": {
                  "embeddings.word_embeddings.weight": "model-00001-of-00002.safetensors",
                  "embeddings.position_ids": "model-00002-of-00002.safetensors",
                  "pooler.dense.bias": "model-00002-of-00002.safetensors"}}
                """);
        try (ResolvedModel model = TasksManager.getModelFromTask("auto", new ModelSource.LocalFolder(folder), null,
                offline())) {
            assertEquals(List.of("model.safetensors.index.json", "model-00001-of-00002.safetensors",
                    "model-00002-of-00002.safetensors"), model.weightFiles());
            assertEquals("default", model.task().name());
            assertEquals("AutoModel", model.modelClass());
            assertEquals("BertModel", model.architecture());
            ModelSummary summary = ModelSummary.of(model);
            assertEquals(32 + 4, summary.parameters(), "floating-point values; position_ids is a buffer");
            assertEquals("float32", summary.dtype(), "the floating-point type holding the most values");
            assertEquals(List.of("default", "masked-lm", "causal-lm", "sequence-classification", "multiple-choice",
                    "token-classification", "question-answering"), summary.supportedTasks());
        }
    }

    @Test
    void tensorFlowAsksForTheTensorFlowClassesAndFallsBackToPyTorchWeights() throws IOException {
        Path folder = linkedFixture("distilbert--sequence-classification", "model.safetensors");
        try (ResolvedModel model = TasksManager.getModelFromTask("auto", new ModelSource.LocalFolder(folder), "tf",
                offline())) {
            assertEquals(Framework.TF, model.framework());
            assertEquals("TFAutoModelForSequenceClassification", model.modelClass());
            assertEquals("TFDistilBertForSequenceClassification", model.architecture());
            assertEquals(WeightsFormat.SAFETENSORS, model.weights().format(), "as from_pt=True loads them");
        }
    }

    @Test
    void pyTorchFallsBackToTensorFlowWeightsWhereOnlyThoseExist() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("tf-only"));
        Files.writeString(folder.resolve("config.json"), TINY_BERT.formatted("BertModel"));
        writeKerasPooler(folder.resolve("tf_model.h5"));
        ModelSource source = new ModelSource.LocalFolder(folder);
        assertEquals(Framework.TF, TasksManager.determineFramework(source, null, offline()));
        try (ResolvedModel model = TasksManager.getModelFromTask("default", source, "pt", offline())) {
            assertEquals(Framework.PT, model.framework());
            assertEquals("AutoModel", model.modelClass());
            assertEquals("BertModel", model.architecture());
            assertEquals(WeightsFormat.TF_H5, model.weights().format(), "as from_tf=True loads them");
            assertEquals(List.of("tf_model.h5"), model.weightFiles());
            assertEquals(Set.of("pooler.dense.weight", "pooler.dense.bias"), Set.copyOf(model.weights().names()));
        }
        try (ResolvedModel model = TasksManager.getModelFromTask("auto", source, null, offline())) {
            assertEquals(Framework.TF, model.framework());
            assertEquals("TFAutoModel", model.modelClass());
            assertEquals("TFBertModel", model.architecture());
        }
    }

    @Test
    void theArchitectureConfigJsonNamesIsChosenAmongSeveralAsTransformersDoes() {
        ModelConfig config = ModelConfig.parse("{\"model_type\": \"deit\", \"architectures\": "
                + "[\"DeiTForImageClassificationWithTeacher\"]}", "test config.json");
        ExportTask task = TaskNames.parse("image-classification");
        assertEquals("DeiTForImageClassificationWithTeacher",
                CheckpointLoader.architectureFor("AutoModelForImageClassification", config, task));
        ModelConfig plain = ModelConfig.parse("{\"model_type\": \"deit\"}", "test config.json");
        assertEquals("DeiTForImageClassification",
                CheckpointLoader.architectureFor("AutoModelForImageClassification", plain, task));
    }

    @Test
    void aTaskWhoseModelClassHasNoClassForTheModelTypeIsAnError() throws IOException {
        Path folder = linkedFixture("bert--default", "model.safetensors");
        UnsupportedTaskException e = assertThrows(UnsupportedTaskException.class, () -> TasksManager.getModelFromTask(
                "seq2seq-lm", new ModelSource.LocalFolder(folder), null, offline()));
        assertTrue(e.getMessage().startsWith("Transformers' AutoModelForSeq2SeqLM has no class for model type bert, "
                + "so task seq2seq-lm cannot load this checkpoint"), e.getMessage());
        MissingModelClassException tf = assertThrows(MissingModelClassException.class, () ->
                TasksManager.getModelFromTask("image-classification", new ModelSource.LocalFolder(folder), "tf",
                        offline()));
        assertTrue(tf.getMessage().contains("use --framework pt"), tf.getMessage());
    }

    @Test
    void withPastTasksAndTodaysNamesResolveToTheirCanonicalTask() throws IOException {
        Path folder = linkedFixture("gpt2--causal-lm", "pytorch_model.bin");
        try (ResolvedModel model = TasksManager.getModelFromTask("text-generation-with-past",
                new ModelSource.LocalFolder(folder), null, offline())) {
            assertEquals("causal-lm-with-past", model.task().name());
            assertEquals("AutoModelForCausalLM", model.modelClass());
            assertEquals("GPT2LMHeadModel", model.architecture());
        }
    }

    @Test
    void weightsWithoutTensorsAreRejected() throws IOException {
        Path folder = folder("empty-weights", "BertModel");
        SafetensorsFileWriter.writeRaw(folder.resolve("model.safetensors"), "{}      ", new byte[0]);
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> TasksManager.getModelFromTask(
                "auto", new ModelSource.LocalFolder(folder), null, offline()));
        assertTrue(e.getMessage().contains("hold no tensors"), e.getMessage());
    }

    @Test
    void aModelArgumentIsAFolderAHubIdOrAnError() throws IOException {
        Path folder = folder("here", "BertModel");
        assertEquals(new ModelSource.LocalFolder(folder), ModelSource.of(folder.toString()));
        assertEquals(new ModelSource.HubRepository(RepoId.of("org/name"), Revision.of("v1")),
                ModelSource.of("org/name", Revision.of("v1")));
        ModelNotFoundException file = assertThrows(ModelNotFoundException.class,
                () -> ModelSource.of(folder.resolve("config.json").toString()));
        assertTrue(file.getMessage().contains("is a file, not a checkpoint folder"), file.getMessage());
        ModelNotFoundException neither = assertThrows(ModelNotFoundException.class,
                () -> ModelSource.of(temp.resolve("missing/folder").toString()));
        assertTrue(neither.getMessage().startsWith("no folder named " + temp.resolve("missing/folder")
                + " exists, and it is not a Hub repo id either"), neither.getMessage());
        assertThrows(ModelNotFoundException.class, () -> ModelSource.of(" "));
    }

    @Test
    void weightFileNamesFollowTransformersPreference() {
        assertEquals(List.of("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                "pytorch_model.bin.index.json"), FrameworkWeightFiles.fileNames(Framework.PT));
        assertEquals(List.of("tf_model.h5", "tf_model.h5.index.json"), FrameworkWeightFiles.fileNames(Framework.TF));
        assertEquals("model.safetensors", FrameworkWeightFiles.firstPresent(Framework.PT,
                List.of("pytorch_model.bin", "model.safetensors", "tf_model.h5")).orElseThrow());
        assertEquals("tf_model.h5", FrameworkWeightFiles.firstPresent(Framework.TF,
                List.of("pytorch_model.bin", "tf_model.h5")).orElseThrow());
        assertEquals("pytorch_model.bin.index.json", FrameworkWeightFiles.firstPresent(Framework.TF,
                List.of("pytorch_model.bin.index.json", "config.json")).orElseThrow());
        assertTrue(FrameworkWeightFiles.firstPresent(Framework.PT, List.of("config.json")).isEmpty());
    }

    private String infer(Path folder) {
        return TasksManager.inferTaskFromModel(new ModelSource.LocalFolder(folder), offline());
    }

    /** A folder with a fixture's config.json and one of its weight files (links). */
    private Path linkedFixture(String fixture, String weightsFile) throws IOException {
        Path checkpoint = SharedFiles.fixtures().resolve(fixture).resolve("checkpoint");
        Path folder = Files.createDirectories(temp.resolve(fixture));
        Files.copy(checkpoint.resolve("config.json"), folder.resolve("config.json"));
        Files.copy(checkpoint.resolve(weightsFile), folder.resolve(weightsFile));
        return folder;
    }

    /**
     * A Keras weights file as TFBertModel's {@code save_weights} lays it out, with only the pooler dense layer:
     * {@code layer_names}, the layer group's {@code weight_names}, and the kernel ([in, out]) and bias datasets.
     */
    private static void writeKerasPooler(Path file) {
        String kernel = "tf_bert_model/bert/pooler/dense/kernel:0";
        String bias = "tf_bert_model/bert/pooler/dense/bias:0";
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putAttribute("layer_names", new String[] {"bert"});
            hdf.putAttribute("backend", "tensorflow");
            WritableGroup layer = hdf.putGroup("bert");
            layer.putAttribute("weight_names", new String[] {kernel, bias});
            WritableGroup dense = layer.putGroup("tf_bert_model").putGroup("bert").putGroup("pooler").putGroup("dense");
            dense.putDataset("kernel:0", new float[][] {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}});
            dense.putDataset("bias:0", new float[] {0.5f, 0.25f, 0.125f, 0});
        }
    }
}
