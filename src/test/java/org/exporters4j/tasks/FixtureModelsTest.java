package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.WeightsFormat;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.NetworkMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every checkpoint under {@code ../shared/fixtures} resolves, with task {@code auto}, to its manifest's model type,
 * task (the base task of a {@code -with-past} fixture), auto class and model class: once from a folder holding only
 * {@code pytorch_model.bin}, once from one holding only {@code model.safetensors}.
 */
class FixtureModelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The two fixtures whose config.json files are identical ({@code XLMWithLMHeadModel} is both Transformers'
     * causal-LM and masked-LM class for xlm, and xlm exports both): nothing in the folder tells the task, so
     * inference must refuse and name both; with the task given they resolve like the others.
     */
    private static final Set<String> AMBIGUOUS = Set.of("xlm--causal-lm", "xlm--masked-lm");

    /** A temporary folder of links to fixture files (JUnit's @TempDir warns about every link it deletes). */
    private Path temp;

    @BeforeEach
    void createTemporaryFolder() throws IOException {
        temp = Files.createTempDirectory("fixture-models");
    }

    @AfterEach
    void deleteTemporaryFolder() throws IOException {
        try (Stream<Path> walk = Files.walk(temp)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path); // a link is deleted, never its target
            }
        }
    }

    /** One fixture folder with its manifest. */
    private record Fixture(String name, Path checkpoint, JsonNode manifest) {
        String expectedTask() {
            return TaskNames.parse(manifest.get("task").asText()).task().canonicalName();
        }

        /** The weights file of a format: vendored, else ../shared's (a fresh clone has one .bin per model type). */
        Optional<Path> file(WeightsFormat format) {
            return SharedFiles.locate(checkpoint.resolve(format.fileName()));
        }

        List<WeightsFormat> formatsAtHand() {
            return Stream.of(WeightsFormat.PYTORCH, WeightsFormat.SAFETENSORS).filter(f -> file(f).isPresent())
                    .toList();
        }
    }

    @Test
    void everyFixtureResolvesToItsManifestFromEitherWeightsFileAlone() throws IOException {
        List<Fixture> fixtures = fixtures();
        assertEquals(239, fixtures.size(), "fixture folders with a manifest");
        HubSettings unusedHub = offlineHub();
        int resolved = 0;
        for (Fixture fixture : fixtures) {
            for (WeightsFormat format : fixture.formatsAtHand()) {
                Path folder = onlyWith(fixture, format);
                ModelSource source = new ModelSource.LocalFolder(folder);
                String where = fixture.name() + " from " + format.fileName();
                String task = CheckpointLoader.AUTO;
                if (AMBIGUOUS.contains(fixture.name())) {
                    TaskInferenceException e = assertThrows(TaskInferenceException.class,
                            () -> TasksManager.inferTaskFromModel(source, unusedHub), where);
                    assertTrue(e.getMessage().contains("ambiguous") && e.getMessage().contains("causal-lm")
                            && e.getMessage().contains("masked-lm") && e.getMessage().contains("--task"), e.getMessage());
                    task = fixture.expectedTask();
                } else {
                    assertEquals(fixture.expectedTask(), TasksManager.inferTaskFromModel(source, unusedHub), where);
                }
                try (ResolvedModel model = TasksManager.getModelFromTask(task, source, null, unusedHub)) {
                    assertEquals(fixture.manifest().get("model_type").asText(), model.modelType(), where);
                    assertEquals(fixture.expectedTask(), model.task().name(), where);
                    assertEquals(fixture.manifest().get("auto_class").asText(), model.modelClass(), where);
                    assertEquals(fixture.manifest().get("model_class").asText(), model.architecture(), where);
                    assertEquals(Framework.PT, model.framework(), where);
                    assertEquals(format, model.weights().format(), where);
                    assertEquals(List.of(format.fileName()), model.weightFiles(), where);
                    assertEquals(folder.toAbsolutePath().normalize(), model.folder(), where);
                    assertEquals(Optional.empty(), model.commit(), where);
                    assertEquals(fixture.manifest().at("/checkpoint/state_dict_keys").asInt(),
                            model.weights().names().size(), where);
                }
                resolved++;
            }
        }
        assertEquals(239 + fixtures.stream().filter(f -> f.file(WeightsFormat.PYTORCH).isPresent()).count(),
                resolved);
    }

    /**
     * The parameter count is the same from both files except for tied weights: the .bin stores a tied group once
     * (one storage), the safetensors file once per name. The manifest's tied groups give the difference.
     */
    @Test
    void parameterCountsDifferOnlyByTheTiedCopiesTheSafetensorsFileStoresAgain() throws IOException {
        HubSettings unusedHub = offlineHub();
        int tiedFixtures = 0;
        for (Fixture fixture : fixtures()) {
            if (fixture.file(WeightsFormat.PYTORCH).isEmpty()) {
                continue; // a fresh clone keeps pytorch_model.bin for one fixture per model type
            }
            String task = fixture.expectedTask();
            ModelSummary fromBin = ModelSummary.inspect(new ModelSource.LocalFolder(onlyWith(fixture,
                    WeightsFormat.PYTORCH)), task, null, unusedHub);
            ModelSummary fromSafetensors;
            long duplicated = 0;
            try (ResolvedModel model = TasksManager.getModelFromTask(task, new ModelSource.LocalFolder(
                    onlyWith(fixture, WeightsFormat.SAFETENSORS)), null, unusedHub)) {
                fromSafetensors = ModelSummary.of(model);
                for (JsonNode group : fixture.manifest().at("/checkpoint/tied_parameters")) {
                    List<TensorInfo> saved = new ArrayList<>();
                    group.forEach(name -> {
                        if (model.weights().contains(name.asText())) {
                            saved.add(model.weights().info(name.asText()));
                        }
                    });
                    if (saved.size() > 1 && isFloatingPoint(saved.get(0).dtype())) {
                        duplicated += (saved.size() - 1) * saved.get(0).elementCount();
                    }
                }
            }
            assertEquals(fromBin.parameters() + duplicated, fromSafetensors.parameters(), fixture.name());
            assertEquals(fromBin.dtype(), fromSafetensors.dtype(), fixture.name());
            assertEquals("float32", fromBin.dtype(), fixture.name());
            tiedFixtures += duplicated > 0 ? 1 : 0;
        }
        // every fixture's .bin with ../shared; one per model type in a fresh clone
        assertTrue(tiedFixtures > (SharedFiles.shared().isPresent() ? 50 : 15), "fixtures with tied weights: "
                + tiedFixtures);
    }

    /** Model types without floating-point buffers: the count equals Transformers' {@code num_parameters()}. */
    @Test
    void theParameterCountOfAPyTorchCheckpointIsTransformersNumParameters() throws IOException {
        HubSettings unusedHub = offlineHub();
        for (String name : List.of("bert--masked-lm", "roberta--default", "t5--seq2seq-lm", "vit--image-classification",
                "distilbert--question-answering", "albert--masked-lm")) {
            Fixture fixture = fixture(SharedFiles.fixtures().resolve(name));
            ModelSummary summary = ModelSummary.inspect(new ModelSource.LocalFolder(onlyWith(fixture,
                    WeightsFormat.PYTORCH)), CheckpointLoader.AUTO, null, unusedHub);
            assertEquals(fixture.manifest().at("/checkpoint/parameters").asLong(), summary.parameters(), name);
        }
    }

    private Path onlyWith(Fixture fixture, WeightsFormat format) throws IOException {
        Path folder = temp.resolve(fixture.name() + "-" + format.name().toLowerCase());
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder);
            // links, not copies: the readers follow them, and the suite stays fast
            Files.createSymbolicLink(folder.resolve("config.json"), fixture.checkpoint().resolve("config.json"));
            Files.createSymbolicLink(folder.resolve(format.fileName()), fixture.file(format).orElseThrow());
        }
        return folder;
    }

    private HubSettings offlineHub() {
        // local folders never reach the Hub; offline settings make sure of it
        return HubSettings.fromEnvironment(java.util.Map.of("HF_HUB_OFFLINE", "1"), temp.resolve("home"))
                .withNetwork(NetworkMode.OFFLINE);
    }

    private static boolean isFloatingPoint(DType type) {
        return type == DType.F32 || type == DType.F16 || type == DType.BF16 || type == DType.F64;
    }

    private static List<Fixture> fixtures() throws IOException {
        List<Fixture> fixtures = new ArrayList<>();
        try (Stream<Path> children = Files.list(SharedFiles.fixtures())) {
            for (Path folder : children.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList()) {
                fixtures.add(fixture(folder));
            }
        }
        return fixtures;
    }

    private static Fixture fixture(Path folder) throws IOException {
        return new Fixture(folder.getFileName().toString(), folder.resolve("checkpoint"),
                JSON.readTree(folder.resolve("manifest.json").toFile()));
    }
}
