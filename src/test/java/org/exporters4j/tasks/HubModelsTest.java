package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.exporters4j.SharedFiles;
import org.exporters4j.WeightsFormat;
import org.exporters4j.hub.HubException;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.NetworkMode;
import org.exporters4j.hub.RepoId;
import org.exporters4j.hub.Revision;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model queries on Hub repo ids, against a Hub-shaped server on 127.0.0.1 ({@link LocalHub}). */
class HubModelsTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path temp;

    private LocalHub hub;
    private HubSettings settings;

    @BeforeEach
    void startHub() throws IOException {
        hub = LocalHub.start();
        settings = hub.settings(temp.resolve("cache"));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    /** A repository holding a fixture's checkpoint files (those named, or all) and a tokenizer file. */
    private ModelSource repo(String id, String fixture, Optional<String> pipelineTag, Optional<String> autoModel,
            Optional<String> transformersPipelineTag, String... files) throws IOException {
        Path checkpoint = SharedFiles.fixtures().resolve(fixture).resolve("checkpoint");
        Path folder = Files.createDirectories(temp.resolve("repos").resolve(id.replace('/', '_')));
        List<String> names = files.length > 0 ? List.of(files)
                : List.of("config.json", "model.safetensors", "pytorch_model.bin");
        for (String name : names) {
            Path source = checkpoint.resolve(name);
            if (Files.exists(source)) {
                Files.copy(source, folder.resolve(name));
            } else {
                Files.writeString(folder.resolve(name), "{}");
            }
        }
        Files.writeString(folder.resolve("vocab.txt"), "[PAD]\n[UNK]\n");
        Files.writeString(folder.resolve("README.md"), "# a model card the export does not need\n");
        hub.add(new LocalHub.Repo(id, COMMIT, folder, pipelineTag, autoModel, transformersPipelineTag));
        return new ModelSource.HubRepository(RepoId.of(id), Revision.MAIN);
    }

    @Test
    void theTaskOfAHubModelComesFromTransformersInfoAutoModelWithoutDownloadingAnything() throws IOException {
        ModelSource source = repo("org/bert-mlm", "bert--masked-lm", Optional.of("fill-mask"),
                Optional.of("AutoModelForMaskedLM"), Optional.of("fill-mask"));
        assertEquals("masked-lm", TasksManager.inferTaskFromModel(source, settings));
        assertEquals(List.of(), hub.downloadedFiles());
        assertEquals(List.of(new LocalHub.Request("GET", "/api/models/org/bert-mlm/revision/main")), hub.requests());
    }

    @Test
    void aTensorFlowAutoClassMapsToItsTaskToo() throws IOException {
        ModelSource source = repo("org/tf-qa", "bert--question-answering", Optional.empty(),
                Optional.of("TFAutoModelForQuestionAnswering"), Optional.empty());
        assertEquals("question-answering", TasksManager.inferTaskFromModel(source, settings));
    }

    @Test
    void anAutoClassWithoutATaskFallsBackToThePipelineTag() throws IOException {
        ModelSource source = repo("org/pretrained", "bert--default", Optional.of("text-classification"),
                Optional.of("AutoModelForPreTraining"), Optional.empty());
        assertEquals("sequence-classification", TasksManager.inferTaskFromModel(source, settings));
        ModelSource transformersTag = repo("org/tagged", "gpt2--default", Optional.empty(), Optional.empty(),
                Optional.of("text-generation"));
        assertEquals("causal-lm", TasksManager.inferTaskFromModel(transformersTag, settings));
    }

    @Test
    void withoutHubMetadataTheConfigArchitecturesDecide() throws IOException {
        ModelSource source = repo("org/plain", "distilbert--token-classification", Optional.empty(),
                Optional.empty(), Optional.empty());
        assertEquals("token-classification", TasksManager.inferTaskFromModel(source, settings));
        assertEquals(List.of("config.json"), hub.downloadedFiles());
    }

    @Test
    void nothingThatMapsToATaskIsAnErrorListingWhatWasFound() throws IOException {
        ModelSource source = repo("org/odd", "bert--default", Optional.of("image-to-text"),
                Optional.of("AutoModelForPreTraining"), Optional.empty(), "config.json", "model.safetensors");
        Files.writeString(temp.resolve("repos/org_odd/config.json"), "{\"model_type\": \"bert\"}");
        TaskInferenceException e = assertThrows(TaskInferenceException.class,
                () -> TasksManager.inferTaskFromModel(source, settings));
        assertEquals("cannot infer the task of Hub repository org/odd: transformersInfo.auto_model "
                + "AutoModelForPreTraining (no task loads it); pipeline_tag image-to-text (no exporters4j task); "
                + "config.json has no \"architectures\"; pass --task (the tasks bert exports are default, masked-lm, "
                + "causal-lm, sequence-classification, multiple-choice, token-classification, question-answering)",
                e.getMessage());
    }

    @Test
    void theFrameworkOfAHubModelComesFromItsFileList() throws IOException {
        assertEquals(Framework.PT, TasksManager.determineFramework(repo("org/pt", "bert--default", Optional.empty(),
                Optional.empty(), Optional.empty(), "config.json", "pytorch_model.bin"), null, settings));
        assertEquals(Framework.PT, TasksManager.determineFramework(repo("org/sharded", "bert--default",
                Optional.empty(), Optional.empty(), Optional.empty(), "config.json", "model.safetensors.index.json"),
                null, settings));
        assertEquals(Framework.TF, TasksManager.determineFramework(repo("org/tf", "bert--default", Optional.empty(),
                Optional.empty(), Optional.empty(), "config.json", "tf_model.h5"), null, settings));
        // as Optimum v1.5.2: when the file list does not tell, PyTorch
        assertEquals(Framework.PT, TasksManager.determineFramework(repo("org/config-only", "bert--default",
                Optional.empty(), Optional.empty(), Optional.empty(), "config.json"), null, settings));
        assertEquals(List.of(), hub.downloadedFiles(), "the file list comes from the model info");
    }

    @Test
    void getModelFromTaskFetchesOnlyWhatTheExportNeeds() throws IOException {
        ModelSource source = repo("org/bert-mlm", "bert--masked-lm", Optional.of("fill-mask"),
                Optional.of("AutoModelForMaskedLM"), Optional.of("fill-mask"));
        try (ResolvedModel model = TasksManager.getModelFromTask("auto", source, null, settings)) {
            assertEquals("bert", model.modelType());
            assertEquals("masked-lm", model.task().name());
            assertEquals("AutoModelForMaskedLM", model.modelClass());
            assertEquals("BertForMaskedLM", model.architecture());
            assertEquals(Optional.of(COMMIT), model.commit());
            assertEquals(temp.resolve("cache/models--org--bert-mlm/snapshots/" + COMMIT).toAbsolutePath(),
                    model.folder());
            assertEquals(List.of("model.safetensors"), model.weightFiles());
            assertEquals(WeightsFormat.SAFETENSORS, model.weights().format());
            assertEquals(45, model.weights().names().size());
        }
        assertEquals(List.of("config.json", "model.safetensors", "vocab.txt"), hub.downloadedFiles());
        assertEquals(COMMIT, Files.readString(temp.resolve("cache/models--org--bert-mlm/refs/main")));
    }

    @Test
    void aRepositoryWithOnlyPyTorchBinWeightsIsFetchedAsSuch() throws IOException {
        ModelSource source = repo("org/bin", "roberta--sequence-classification", Optional.empty(),
                Optional.of("AutoModelForSequenceClassification"), Optional.empty(), "config.json",
                "pytorch_model.bin");
        try (ResolvedModel model = TasksManager.getModelFromTask("auto", source, null, settings)) {
            assertEquals("RobertaForSequenceClassification", model.architecture());
            assertEquals(List.of("pytorch_model.bin"), model.weightFiles());
        }
        assertEquals(List.of("config.json", "pytorch_model.bin", "vocab.txt"), hub.downloadedFiles());
    }

    @Test
    void theCacheServesTheModelOfflineAfterOneOnlineRun() throws IOException {
        ModelSource source = repo("org/t5", "t5--seq2seq-lm", Optional.of("text2text-generation"),
                Optional.of("AutoModelForSeq2SeqLM"), Optional.of("text2text-generation"));
        try (ResolvedModel model = TasksManager.getModelFromTask("auto", source, null, settings)) {
            assertEquals("T5ForConditionalGeneration", model.architecture());
        }
        hub.close(); // nothing answers from now on
        HubSettings offline = settings.withNetwork(NetworkMode.OFFLINE);
        assertEquals(Framework.PT, TasksManager.determineFramework(source, null, offline));
        assertEquals("seq2seq-lm", TasksManager.inferTaskFromModel(source, offline), "from the cached config.json");
        try (ResolvedModel model = TasksManager.getModelFromTask("auto", source, null, offline)) {
            assertEquals("seq2seq-lm", model.task().name());
            assertEquals("AutoModelForSeq2SeqLM", model.modelClass());
            assertEquals(List.of("model.safetensors"), model.weightFiles());
            assertEquals(Optional.of(COMMIT), model.commit());
        }
        ModelSource other = new ModelSource.HubRepository(RepoId.of("org/never-fetched"), Revision.MAIN);
        HubException e = assertThrows(HubException.class,
                () -> TasksManager.determineFramework(other, null, offline));
        assertTrue(e.getMessage().startsWith("HF_HUB_OFFLINE is set and Hub repository org/never-fetched is not in "
                + "the cache"), e.getMessage());
    }

    @Test
    void aTaskTheModelTypeCannotLoadFailsBeforeAnyWeightsAreFetched() throws IOException {
        ModelSource source = repo("org/vit", "vit--default", Optional.empty(), Optional.of("AutoModel"),
                Optional.empty());
        UnsupportedTaskException e = assertThrows(UnsupportedTaskException.class,
                () -> TasksManager.getModelFromTask("causal-lm", source, null, settings));
        assertTrue(e.getMessage().startsWith("Transformers' AutoModelForCausalLM has no class for model type vit"),
                e.getMessage());
        assertEquals(List.of("config.json"), hub.downloadedFiles());
    }

    @Test
    void aCommitRevisionPinsTheSnapshot() throws IOException {
        repo("org/pinned", "vit--image-classification", Optional.empty(),
                Optional.of("AutoModelForImageClassification"), Optional.empty());
        ModelSource source = new ModelSource.HubRepository(RepoId.of("org/pinned"), Revision.of(COMMIT));
        try (ResolvedModel model = TasksManager.getModelFromTask("auto", source, null, settings)) {
            assertEquals("ViTForImageClassification", model.architecture());
            assertEquals(Optional.of(COMMIT), model.commit());
        }
    }

    @Test
    void anUnknownRepositoryThatCouldBeAFolderSaysSo() {
        ModelSource source = new ModelSource.HubRepository(RepoId.of("models/missing"), Revision.MAIN);
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> TasksManager.getModelFromTask("auto", source, null, settings));
        assertTrue(e.getMessage().startsWith("no local folder models/missing exists, and as a Hub repo id: "),
                e.getMessage());
        HubException bare = assertThrows(HubException.class, () -> TasksManager.inferTaskFromModel(
                new ModelSource.HubRepository(RepoId.of("missing-model"), Revision.MAIN), settings));
        assertEquals(HubException.Kind.REPOSITORY_NOT_FOUND, bare.kind());
    }
}
