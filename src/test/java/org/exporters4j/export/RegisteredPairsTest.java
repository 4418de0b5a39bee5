package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.TensorSpec;
import org.exporters4j.tasks.ExportConfig;
import org.exporters4j.tasks.ExportTask;
import org.exporters4j.tasks.Layout;
import org.exporters4j.tasks.ModelTypeRow;
import org.exporters4j.tasks.ModelTypes;
import org.exporters4j.tasks.RegistrySource;
import org.exporters4j.tasks.Task;
import org.exporters4j.tasks.TaskNames;
import org.exporters4j.tasks.TasksManager;
import org.exporters4j.tasks.UnsupportedTaskException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every (model type, task) pair a row registers either builds its graph — on the fixture of the pair, on the
 * fixture of the same head without the cache (CodeGen's with-past tasks, registered by a later Optimum), in
 * fixtures/ or fixtures-today/ — with exactly the export configuration's inputs and
 * outputs, or is refused with the row's reason, by the graph table and by {@code export onnx}.
 */
class RegisteredPairsTest {
    @TempDir
    static Path temp;

    @TestFactory
    Stream<DynamicTest> everyRegisteredPairBuildsOrSaysWhyNot() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ModelTypeRow row : ModelTypes.rows()) {
            for (ExportTask task : row.registeredTasks()) {
                tests.add(DynamicTest.dynamicTest(row.modelType() + " " + task.name(), () -> check(row, task)));
            }
        }
        assertEquals(243 + 2 + 59 + 33 + 13 + 17 + 1 + 1, tests.size(), "Optimum v1.5.2's 243 pairs, CodeGen's two "
                + "with-past tasks of later Optimum, the 59 of today's Llama family (with mixtral, olmo, phi3 and "
                + "starcoder2), the 33 of falcon, gpt-bigcode, gpt-neox, opt, phi and stablelm, the 13 of wav2vec2, "
                + "hubert and wavlm, the 17 of mpnet, modernbert, dinov2, swin and siglip, sam's, and whisper's "
                + "audio-classification, which Optimum 1.25.3 added to a v1.5.2 type");
        return tests.stream();
    }

    private static void check(ModelTypeRow row, ExportTask task) throws IOException {
        Optional<String> whyNot = row.whyNotBuilt(task);
        if (whyNot.isPresent()) {
            if (row.graph().isPresent()) {
                assertFalse(row.graph().get().variants().contains(task.graphVariant()), row.modelType());
            } else {
                ArchitectureException error = assertThrows(ArchitectureException.class,
                        () -> ModelTypes.architecture(row.modelType()));
                assertTrue(error.getMessage().contains("has no ONNX graph builder yet"), error.getMessage());
            }
            return;
        }
        Path checkpoint = checkpointFor(row, task);
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
        ExportConfig exportConfig = TasksManager.getExportConfig(config, org.exporters4j.tasks.Exporter.ONNX, task);
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            OnnxModel model = row.graph().orElseThrow().build(exportConfig.overriddenModelConfig(), weights,
                    task.graphVariant(), Exporter.graphInterface(exportConfig, exportConfig.defaultOpset()));
            assertEquals(exportConfig.inputNames(), model.inputs().stream().map(TensorSpec::name).toList());
            assertEquals(exportConfig.outputNames(), model.outputs().stream().map(TensorSpec::name).toList());
            // each graph of a split export (SAM's vision encoder, prompt encoder and mask decoder)
            for (ExportConfig.Submodel submodel : exportConfig.submodels()) {
                ExportConfig part = submodel.config();
                OnnxModel graph = row.graph().orElseThrow().build(exportConfig.overriddenModelConfig(), weights,
                        task.graphVariant(), Exporter.graphInterface(part, exportConfig.defaultOpset()));
                assertEquals(part.inputNames(), graph.inputs().stream().map(TensorSpec::name).toList());
                assertEquals(part.outputNames(), graph.outputs().stream().map(TensorSpec::name).toList());
            }
        }
    }

    /**
     * The fixture of the pair, else that of the same head without the cache: of fixtures/ (Optimum v1.5.2's
     * interface), else of fixtures-today/ (today's model types), else of fixtures-layout/ (named after Optimum
     * 1.25.3's task: whisper--audio-classification, the task Optimum 1.25.3 added to a v1.5.2 type).
     */
    private static Path checkpointFor(ModelTypeRow row, ExportTask task) throws IOException {
        List<Fixture> fixtures = new ArrayList<>();
        for (Path set : List.of(SharedFiles.fixtures(), SharedFiles.fixturesToday())) {
            try (Stream<Path> folders = Files.list(set)) {
                folders.filter(folder -> folder.getFileName().toString().startsWith(row.modelType() + "--"))
                        .sorted().map(Fixture::read).forEach(fixtures::add);
            }
        }
        for (Variant variant : List.of(task.graphVariant(), Variant.of(task.task().head()))) {
            Optional<Fixture> fixture = fixtures.stream()
                    .filter(f -> TasksManager.taskFor(f.task(), f.modelType()).graphVariant().equals(variant))
                    .findFirst();
            if (fixture.isPresent()) {
                return fixture.get().checkpoint();
            }
        }
        Optional<Path> layoutFixture = SharedFiles.find("fixtures-layout/" + row.modelType() + "--"
                + task.todaysName());
        if (layoutFixture.isPresent()) {
            return layoutFixture.get().resolve("checkpoint");
        }
        throw new AssertionError(row.modelType() + " " + task.name() + " is built but has no fixture: add its "
                + "fixture");
    }

    @Test
    void exactlyThePairTransformersCannotLoadIsNotBuilt() {
        List<String> notBuilt = new ArrayList<>();
        for (ModelTypeRow row : ModelTypes.rows()) {
            for (ExportTask task : row.registeredTasks()) {
                row.whyNotBuilt(task).ifPresent(reason -> notBuilt.add(row.modelType() + " " + task.name()));
            }
        }
        assertEquals(List.of("flaubert causal-lm"), notBuilt);
        ModelTypeRow flaubert = ModelTypes.find("flaubert").orElseThrow();
        assertEquals(Optional.of("Optimum v1.5.2 registers causal-lm for flaubert, but Transformers' "
                + "AutoModelForCausalLM has no class for flaubert, so no checkpoint can be loaded for it (Optimum's "
                + "own export of the pair fails the same way) and exporters4j does not build it"),
                flaubert.whyNotBuilt(ExportTask.of(Task.CAUSAL_LM)));
    }

    @Test
    void builtIsNeverMoreThanRegistered() {
        ModelTypeRow codegen = ModelTypes.find("codegen").orElseThrow();
        assertEquals(Optional.of(RegistrySource.LATER_OPTIMUM), codegen.sourceOf(ExportTask.withPast(Task.CAUSAL_LM)));
        assertEquals(List.of("default", "causal-lm"), TasksManager.getSupportedTasksByModelType("onnx").get("codegen"));
        UnsupportedTaskException parity = assertThrows(UnsupportedTaskException.class,
                () -> TasksManager.getExporterConfigConstructor("codegen", "onnx", "causal-lm-with-past"));
        assertEquals("codegen does not support task \"causal-lm-with-past\" with the onnx exporter; its tasks are "
                + "default, causal-lm (run `./exporters4j tasks --model-type codegen`); later Optimum registers "
                + "causal-lm-with-past for codegen, and `export onnx --task causal-lm-with-past` exports it",
                parity.getMessage());
        ModelTypeRow data2vec = ModelTypes.find("data2vec-text").orElseThrow();
        assertTrue(data2vec.sourceOf(ExportTask.of(Task.CAUSAL_LM)).isEmpty());
        assertEquals(List.of("Data2VecTextForCausalLM"), data2vec.classes(Task.CAUSAL_LM,
                org.exporters4j.tasks.Framework.PT));
        assertFalse(ModelTypes.architecture("data2vec-text").variants().contains(
                ExportTask.of(Task.CAUSAL_LM).graphVariant()));
        for (ModelTypeRow row : ModelTypes.rows()) {
            row.graph().ifPresent(graph -> assertEquals(graph.variants(), Set.copyOf(row.exportableTasks().stream()
                    .map(ExportTask::graphVariant).toList()), row.modelType()));
        }
    }

    @Test
    void flaubertCausalLmIsRefusedWithoutContradiction() {
        Path checkpoint = SharedFiles.fixtures().resolve("flaubert--default").resolve("checkpoint");
        UnsupportedTaskException error = assertThrows(UnsupportedTaskException.class, () -> Exporter.export(
                ExportRequest.of(checkpoint.toString(), temp.resolve("flaubert-out")).withTask("causal-lm")));
        assertTrue(error.getMessage().startsWith("Optimum v1.5.2 registers causal-lm for flaubert, but Transformers' "
                + "AutoModelForCausalLM has no class for flaubert"), error.getMessage());
        assertTrue(error.getMessage().contains("; the tasks flaubert exports are default, masked-lm, "
                + "sequence-classification, multiple-choice, token-classification, question-answering ("),
                error.getMessage());
        assertFalse(Files.exists(temp.resolve("flaubert-out")));
    }

    /**
     * detr, Optimum v1.5.2's last type to be built: its default layout keeps v1.5.2's DetrOnnxConfig (pixel_mask
     * beside pixel_values; segmentation's logits, pred_boxes and pred_masks), layout optimum is Optimum 1.25.3's
     * (pixel_values alone; logits and pred_masks); a timm backbone of another layout than the plain ResNets is
     * refused naming use_timm_backbone, the backbone and the fix.
     */
    @Test
    void detrExportsBothInterfacesAndRefusesTimmBackbones() throws IOException {
        ModelConfig config = ModelConfig.read(SharedFiles.fixturesToday().resolve("detr--image-segmentation")
                .resolve("checkpoint").resolve("config.json"));
        ExportConfig v152 = TasksManager.getExportConfig(config, org.exporters4j.tasks.Exporter.ONNX,
                ExportTask.of(Task.IMAGE_SEGMENTATION));
        assertEquals(List.of("pixel_values", "pixel_mask"), v152.inputNames());
        assertEquals(List.of("logits", "pred_boxes", "pred_masks"), v152.outputNames());
        ExportConfig today = TasksManager.getExportConfig(config, org.exporters4j.tasks.Exporter.ONNX,
                ExportTask.of(Task.IMAGE_SEGMENTATION), Layout.OPTIMUM);
        assertEquals(List.of("pixel_values"), today.inputNames());
        assertEquals(List.of("logits", "pred_masks"), today.outputNames());

        Path checkpoint = Files.createDirectories(temp.resolve("detr"));
        Files.writeString(checkpoint.resolve("config.json"), "{\"model_type\": \"detr\", \"architectures\": "
                + "[\"DetrForObjectDetection\"], \"backbone\": \"resnet50d\"}", StandardCharsets.UTF_8);
        new SafetensorsFileWriter().metadata("format", "pt").add("class_labels_classifier.bias", DType.F32,
                List.of(2L), SafetensorsFileWriter.floats(0.5f, -0.5f)).write(checkpoint.resolve("model.safetensors"));
        Exception error = assertThrows(Exception.class, () -> Exporter.export(
                ExportRequest.of(checkpoint.toString(), temp.resolve("detr-out"))));
        assertTrue(error.getMessage().contains("sets use_timm_backbone true with backbone \"resnet50d\", a timm "
                + "model of another layout"), error.getMessage());
        assertTrue(error.getMessage().contains("use_timm_backbone false with a backbone_config of model_type "
                + "\"resnet\""), error.getMessage());
        assertFalse(Files.exists(temp.resolve("detr-out")));
    }

    /**
     * detr's default layout exports Optimum v1.5.2's interface and validates (pixel_mask all ones, batches of 2 and
     * 3); SAM's export writes its two graphs and validates both.
     */
    @Test
    void detrsV152InterfaceAndSamsSplitExportValidate() throws Exception {
        Path detr = SharedFiles.fixturesToday().resolve("detr--object-detection").resolve("checkpoint");
        ExportResult result;
        try {
            result = Exporter.export(ExportRequest.of(detr.toString(), temp.resolve("detr-v152"))
                    .withTask("object-detection"));
        } catch (ValidationFailedException e) {
            throw new AssertionError(e.report().format(), e);
        }
        assertEquals(Layout.OPTIMUM_1_5, result.layout());
        assertTrue(result.validation().orElseThrow().passed(), result.validation().orElseThrow().format());
        try (var session = ai.onnxruntime.OrtEnvironment.getEnvironment().createSession(result.modelFile().toString(),
                new ai.onnxruntime.OrtSession.SessionOptions())) {
            assertEquals(List.of("pixel_values", "pixel_mask"), List.copyOf(session.getInputNames()));
        }
        Path sam = SharedFiles.fixturesToday().resolve("sam--feature-extraction").resolve("checkpoint");
        ExportResult split = Exporter.export(ExportRequest.of(sam.toString(), temp.resolve("sam-out"))
                .withTask("feature-extraction"));
        assertTrue(split.validation().orElseThrow().passed(), split.validation().orElseThrow().format());
        assertTrue(split.validation().orElseThrow().modelFile().contains("vision_encoder.onnx"),
                split.validation().orElseThrow().modelFile());
        assertEquals(temp.resolve("sam-out").resolve("prompt_encoder_mask_decoder.onnx").toAbsolutePath(),
                split.modelFile());
        assertTrue(Files.isRegularFile(temp.resolve("sam-out").resolve("vision_encoder.onnx")));
        assertFalse(Files.exists(temp.resolve("sam-out").resolve("model.onnx")));
    }

    @Test
    void codegenWithPastExportsAndValidates() {
        Path checkpoint = SharedFiles.fixtures().resolve("codegen--causal-lm").resolve("checkpoint");
        ExportResult result = Exporter.export(ExportRequest.of(checkpoint.toString(), temp.resolve("codegen-out"))
                .withTask("causal-lm-with-past"));
        assertEquals(ExportTask.withPast(Task.CAUSAL_LM), result.task());
        assertTrue(result.validation().orElseThrow().passed());
        assertTrue(Files.isRegularFile(result.modelFile()));
    }
}
