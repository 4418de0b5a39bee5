package org.exporters4j.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.Checkpoints;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.hub.ExportFiles;
import org.exporters4j.hub.RepoId;
import org.exporters4j.models.Architecture;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Architectures;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WrittenModel;
import org.exporters4j.tasks.AutoModelMappings;
import org.exporters4j.tasks.DynamicTensor;
import org.exporters4j.tasks.ExportConfig;
import org.exporters4j.tasks.ExportTask;
import org.exporters4j.tasks.Framework;
import org.exporters4j.tasks.Task;
import org.exporters4j.tasks.TaskHeads;
import org.exporters4j.tasks.TaskNames;
import org.exporters4j.tasks.TasksManager;

/**
 * The library entry point of {@code export onnx}: the pipeline of Optimum v1.5.2's
 * {@code optimum.exporters.onnx.__main__.main}, built from the weights instead of traced.
 *
 * <ol>
 *   <li>the model folder's config.json; the task ({@code auto}: from config.json {@code architectures});</li>
 *   <li>the export configuration (TasksManager): interface, default opset, tolerance, {@code values_override};</li>
 *   <li>the opset (a lower opset than the configuration's default is refused, as Optimum refuses it);</li>
 *   <li>the architecture builds the graph from the overridden config and the memory-mapped weights;</li>
 *   <li>the writer streams it to {@code model.onnx} (+ {@code model.onnx_data}) in a staging folder beside the
 *       output; config.json (overrides applied) and the tokenizer and preprocessor files are written beside it;</li>
 *   <li>ONNX Runtime validates the staged model ({@link OnnxRuntimeValidator});</li>
 *   <li>only then the export is moved into the output folder. Any failure leaves no partial output.</li>
 * </ol>
 */
public final class Exporter {
    /** The exporter backend of the export configurations this pipeline writes. */
    private static final String ONNX = "onnx";

    private Exporter() {}

    /**
     * Exports and, unless the request skips it, validates the model.
     *
     * @throws ValidationFailedException when validation fails (nothing is published; the report lists every check)
     * @throws org.exporters4j.Exporters4jException for any other problem, with a message that says what to do
     */
    public static ExportResult export(ExportRequest request) {
        Path folder = modelFolder(request);
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        Framework framework = request.framework().orElse(Framework.PT);
        if (framework != Framework.PT) {
            throw new ExportException("--framework tf is not supported yet: exporters4j reads PyTorch weights "
                    + "(model.safetensors or pytorch_model.bin); use --framework pt");
        }
        ExportTask task = resolveTask(request.task(), config);
        ExportConfig exportConfig = TasksManager.getExportConfig(config, ONNX, task.name());
        int opset = request.opset().orElse(exportConfig.defaultOpset());
        if (opset < exportConfig.defaultOpset()) {
            // as Optimum v1.5.2 __main__: "Opset {opset} is not sufficient to export {model_type}"
            throw new ExportException("opset " + opset + " is not sufficient to export " + config.modelType()
                    + ": at least " + exportConfig.defaultOpset() + " is required (" + exportConfig.configClassName()
                    + "); pass --opset " + exportConfig.defaultOpset() + " or higher, or leave --opset out");
        }
        if (opset > Opset.MAX_VERSION) {
            throw new ExportException("opset " + opset + " is newer than exporters4j knows (at most "
                    + Opset.MAX_VERSION + "); pass --opset between " + exportConfig.defaultOpset() + " and "
                    + Opset.MAX_VERSION);
        }
        double atol = request.atol().orElse(exportConfig.atol());
        Architecture architecture = architectureOf(config);
        Variant variant = TaskHeads.variantOf(task);
        GraphInterface graphInterface = graphInterface(exportConfig, opset);
        ModelConfig overridden = exportConfig.overriddenModelConfig();

        try (OutputFolder output = OutputFolder.prepare(request.output())) {
            WrittenModel written;
            try (Weights weights = Checkpoints.openWeights(folder)) {
                OnnxModel model = architecture.build(overridden, weights, variant, graphInterface);
                written = new ModelWriter(request.weightsLocation()).write(model, output.staging());
            }
            List<String> copied = writeCompanionFiles(folder, overridden, output.staging());
            Optional<ValidationReport> report = Optional.empty();
            if (request.validation() == ExportRequest.Validation.VALIDATE) {
                ValidationReport validation = OnnxRuntimeValidator.validate(written.modelFile(),
                        output.target().resolve(written.modelFile().getFileName().toString()).toString(),
                        exportConfig, atol);
                if (!validation.passed()) {
                    throw new ValidationFailedException("validation of the exported " + config.modelType() + " "
                            + task.name() + " model failed: " + validation.mismatches().size() + " of "
                            + validation.checks().size() + " checks (see the report); nothing was written to "
                            + output.target() + "; rerun with --no-validate to keep the model anyway", validation);
                }
                report = Optional.of(validation);
            }
            output.publish();
            Path target = output.target();
            return new ExportResult(target, target.resolve(written.modelFile().getFileName().toString()),
                    written.externalDataFile().map(file -> target.resolve(file.getFileName().toString())),
                    TasksManager.normalizeModelType(config.modelType()), task.name(), opset, atol, copied, report);
        }
    }

    /**
     * The local checkpoint folder of the request's model. Hub ids are the Hub work's seam: until
     * {@code TasksManager.getModelFromTask} resolves them, a Hub id is an error that says how to proceed.
     */
    private static Path modelFolder(ExportRequest request) {
        Path path = Path.of(request.model());
        if (Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve("config.json"))) {
                throw new ExportException("the model folder " + path.toAbsolutePath() + " has no config.json; pass a "
                        + "Transformers checkpoint folder (config.json beside model.safetensors or pytorch_model.bin)");
            }
            return path;
        }
        if (Files.exists(path)) {
            throw new ExportException("--model " + request.model() + " is a file; pass the checkpoint's folder "
                    + "(config.json beside model.safetensors or pytorch_model.bin)");
        }
        if (RepoId.parse(request.model()).isPresent() && !request.model().startsWith(".")
                && !request.model().startsWith("/")) {
            throw new ExportException("'" + request.model() + "' is not a local folder; exporting straight from the "
                    + "Hugging Face Hub is not supported by export onnx yet: download the model (config.json, weights"
                    + " and tokenizer files) into a folder and pass that folder to --model");
        }
        throw new ExportException("the model folder " + path.toAbsolutePath() + " does not exist; pass a "
                + "Transformers checkpoint folder to --model");
    }

    /** The task to export: the request's (synonyms accepted), or for {@code auto} the one config.json implies. */
    private static ExportTask resolveTask(String requested, ModelConfig config) {
        if (!requested.strip().toLowerCase(Locale.ROOT).equals(ExportRequest.AUTO_TASK)) {
            return TaskNames.parse(requested);
        }
        Map<String, ?> supported = TasksManager.getSupportedTasksForModelType(config.modelType(), ONNX);
        List<String> architectures = config.architectures();
        Set<Task> candidates = new LinkedHashSet<>();
        for (String architecture : architectures) {
            for (String autoClass : AutoModelMappings.autoClassesOf(architecture)) {
                TasksManager.getTaskForModelClass(autoClass)
                        .filter(task -> supported.containsKey(task.canonicalName()))
                        .ifPresent(candidates::add);
            }
        }
        if (candidates.size() == 1) {
            return ExportTask.of(candidates.iterator().next());
        }
        String found = architectures.isEmpty() ? "config.json lists no architectures"
                : candidates.isEmpty() ? "config.json's architectures " + architectures + " map to no exportable task"
                : "config.json's architectures " + architectures + " map to several tasks "
                        + candidates.stream().map(Task::canonicalName).toList();
        throw new ExportException("cannot infer the task of " + config.source() + ": " + found + "; pass --task, one "
                + "of " + String.join(", ", supported.keySet()));
    }

    private static Architecture architectureOf(ModelConfig config) {
        try {
            return Architectures.forModelType(config.modelType());
        } catch (ArchitectureException e) {
            throw new ExportException(e.getMessage() + " (the task registry knows it; the graph builder for it "
                    + "is not written yet)", e);
        }
    }

    /** The export configuration's interface as a graph request. */
    static GraphInterface graphInterface(ExportConfig exportConfig, int opset) {
        return new GraphInterface(
                exportConfig.inputs().stream().map(Exporter::interfaceTensor).toList(),
                exportConfig.outputs().stream().map(Exporter::interfaceTensor).toList(),
                Opset.of(opset));
    }

    private static InterfaceTensor interfaceTensor(DynamicTensor tensor) {
        ElementType type = switch (tensor.elementType()) {
            case INT64 -> ElementType.INT64;
            case FLOAT32 -> ElementType.FLOAT;
        };
        return InterfaceTensor.of(tensor.name(), type, tensor.dynamicAxes());
    }

    /**
     * config.json with the export's {@code values_override} applied (as Optimum saves {@code model.config}), and the
     * checkpoint's tokenizer, preprocessor and generation files, copied as they are.
     */
    private static List<String> writeCompanionFiles(Path folder, ModelConfig overridden, Path staging) {
        List<String> written = new ArrayList<>();
        try {
            Files.writeString(staging.resolve("config.json"), overridden.toJson(), StandardCharsets.UTF_8);
            written.add("config.json");
            for (String name : ExportFiles.COMPANION_FILES) {
                Path source = folder.resolve(name);
                if (Files.isRegularFile(source)) {
                    Files.copy(source, staging.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                    written.add(name);
                }
            }
        } catch (IOException e) {
            throw new ExportException("cannot write the config and tokenizer files into " + staging + ": " + e
                    + "; check the output folder's free space and permissions", e);
        }
        return List.copyOf(written);
    }
}
