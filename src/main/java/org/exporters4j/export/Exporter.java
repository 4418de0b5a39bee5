package org.exporters4j.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.hub.ExportFiles;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.Revision;
import org.exporters4j.models.Architecture;
import org.exporters4j.models.Component;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.RecordedWeights;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.ModelForm;
import org.exporters4j.models.WeightQuantization;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.DecoderMerge;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.HalfPrecisionConversion;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WrittenModel;
import org.exporters4j.tasks.ComponentExport;
import org.exporters4j.tasks.DynamicTensor;
import org.exporters4j.tasks.ExportConfig;
import org.exporters4j.tasks.ExportTask;
import org.exporters4j.tasks.Layout;
import org.exporters4j.tasks.ModelSource;
import org.exporters4j.tasks.OnnxFile;
import org.exporters4j.tasks.ModelTypeRow;
import org.exporters4j.tasks.ModelTypes;
import org.exporters4j.tasks.ResolvedModel;
import org.exporters4j.tasks.TaskNames;
import org.exporters4j.tasks.TasksManager;

/**
 * The library entry point of {@code export onnx}: the pipeline of Optimum v1.5.2's
 * {@code optimum.exporters.onnx.__main__.main}, built from the weights instead of traced.
 *
 * <ol>
 *   <li>the model (TasksManager.getModelFromTask): a local folder or a Hub snapshot, its config.json, the task
 *       ({@code auto}: inferred), the weights of the framework (TensorFlow weights under PyTorch names);</li>
 *   <li>the export configuration (TasksManager): interface, default opset, tolerance, {@code values_override};</li>
 *   <li>the opset (a lower opset than the configuration's default is refused, as Optimum refuses it);</li>
 *   <li>the architecture builds the graph from the overridden config and the memory-mapped weights;</li>
 *   <li>the writer streams it to {@code model.onnx} (+ {@code model.onnx_data}) in a staging folder beside the
 *       output (an export Optimum splits, SAM's, writes each graph to its own {@code <submodel>.onnx}); config.json (overrides applied) and the tokenizer and preprocessor files are written beside it;</li>
 *   <li>ONNX Runtime validates the staged model ({@link OnnxRuntimeValidator});</li>
 *   <li>only then the export is moved into the output folder. Any failure leaves no partial output.</li>
 * </ol>
 */
public final class Exporter {
    private Exporter() {}

    /**
     * Exports and, unless the request skips it, validates the model.
     *
     * @throws ValidationFailedException when validation fails (nothing is published; the report lists every check)
     * @throws org.exporters4j.Exporters4jException for any other problem, with a message that says what to do
     */
    public static ExportResult export(ExportRequest request) {
        Optional<ExportTask> task = ExportRequest.AUTO_TASK.equalsIgnoreCase(request.task().strip())
                ? Optional.empty() : Optional.of(TaskNames.parse(request.task()));
        HubSettings hub = HubSettings.fromSystem();
        ModelSource source = ModelSource.of(request.model(), request.revision().map(Revision::of).orElse(Revision.MAIN));
        try (ResolvedModel model = TasksManager.getModelFromTask(task, source, request.framework(),
                request.cacheDir().map(hub::withCacheDir).orElse(hub))) {
            return export(request, model);
        }
    }

    private static ExportResult export(ExportRequest request, ResolvedModel model) {
        ModelConfig config = model.config();
        ExportTask task = model.task();
        Layout layout = layoutOf(request, config, task);
        ExportConfig exportConfig = TasksManager.getExportConfig(config, org.exporters4j.tasks.Exporter.ONNX, task,
                layout);
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
        requireBuildable(request.form());
        requireQuantizable(request.form());
        // a 16-bit model agrees with its float32 graph to half precision, and so do its runs with each other
        double atol = request.atol().orElse(request.form().precision() == ModelForm.Precision.FLOAT32
                ? exportConfig.atol() : HALF_PRECISION_ATOL);
        Architecture architecture = architectureOf(config, task);
        Variant variant = task.graphVariant();
        ModelConfig overridden = exportConfig.overriddenModelConfig();

        Path checkpointFolder = model.folder().toAbsolutePath().normalize();
        Path requested = request.output().toAbsolutePath().normalize();
        // real paths: through a symbolic link (to the folder or to one of its parents) the output is still the
        // checkpoint folder
        if (OutputFolder.realLocation(requested).equals(OutputFolder.realLocation(checkpointFolder))) {
            throw new ExportException("the output folder " + requested + " is the checkpoint folder "
                    + (requested.equals(checkpointFolder) ? "itself" : checkpointFolder + " (through a symbolic link)")
                    + ": the export would replace its config.json with the export's; choose another OUTPUT_DIR, e.g. "
                    + checkpointFolder.resolve("onnx"));
        }
        List<ComponentExport> files = TasksManager.getExportConfigs(config, org.exporters4j.tasks.Exporter.ONNX, task,
                layout);
        OutputFolder output = OutputFolder.prepare(request.output());
        try (output) {
            RecordedWeights weights = new RecordedWeights(model.weights());
            Path modelFolder = output.stagedFolder(layout.modelFolder());
            ModelWriter writer = new ModelWriter(request.weightsLocation());
            // one model.onnx; an encoder-decoder's split (OnnxFile); or each graph of a submodel export (SAM) in its
            // own file, as Optimum's main_export writes them
            Map<OnnxFile, OnnxModel> graphs = new EnumMap<>(OnnxFile.class);
            // the float32 graph of each file written in another precision, for the validation
            Map<OnnxFile, OnnxModel> references = new EnumMap<>(OnnxFile.class);
            Map<OnnxFile, WrittenModel> writtenFiles = new EnumMap<>(OnnxFile.class);
            List<WrittenGraph> submodelGraphs = new ArrayList<>();
            List<ExportConfig.Submodel> submodels = exportConfig.submodels();
            List<QuantizedFile> quantizedFiles = new ArrayList<>();
            WrittenModel written;
            if (submodels.isEmpty()) {
                for (ComponentExport file : files) {
                    OnnxModel graph;
                    if (file.file().component().isPresent()) {
                        OnnxModel reference = architecture.build(overridden, weights, variant, graphInterface(
                                file.config(), opset, file.file().component().get()).withForm(request.form()));
                        graph = inPrecision(reference, request.form());
                        if (graph != reference) {
                            references.put(file.file(), reference);
                        }
                    } else {
                        // as Optimum 1.25.3's post_process_exported_models: the two decoders merged once written
                        // (each already in its precision, so their weights are still stored once)
                        graph = DecoderMerge.merge(graphs.get(OnnxFile.DECODER_MODEL),
                                graphs.get(OnnxFile.DECODER_WITH_PAST_MODEL), OnnxFile.USE_CACHE_BRANCH);
                    }
                    graphs.put(file.file(), graph);
                    writtenFiles.put(file.file(), writer.writeInto(graph, modelFolder, file.file() == OnnxFile.MODEL
                            ? ModelWriter.DEFAULT_FILE_NAME : file.file().fileName()));
                    quantizedFiles.add(new QuantizedFile(writtenFiles.get(file.file()), file.config(), graph,
                            file.file().component().map(component -> graphInterface(file.config(), opset, component)
                                    .withForm(float32Reference(request.form())))));
                }
                written = writtenFiles.get(files.get(0).file());
            } else {
                WrittenModel last = null;
                for (ExportConfig.Submodel submodel : submodels) {
                    OnnxModel reference = architecture.build(overridden, weights, variant,
                            graphInterface(submodel.config(), opset).withForm(request.form()));
                    OnnxModel graph = inPrecision(reference, request.form());
                    last = writer.writeInto(graph, modelFolder, submodel.fileName());
                    submodelGraphs.add(new WrittenGraph(last, submodel.config(), graph,
                            graph == reference ? Optional.empty() : Optional.of(reference)));
                    quantizedFiles.add(new QuantizedFile(last, submodel.config(), graph, Optional.of(
                            graphInterface(submodel.config(), opset).withForm(float32Reference(
                                    request.form())))));
                }
                written = last;
            }
            List<String> unusedTensors = List.copyOf(weights.unread());
            List<String> copied = writeCompanionFiles(model.folder(), layout == Layout.TRANSFORMERS_JS
                    ? withTransformersJsConfig(overridden, modelFolder, java.util.stream.Stream.concat(
                            writtenFiles.values().stream(), submodelGraphs.stream().map(WrittenGraph::model)).toList())
                    : overridden,
                    output.staging());
            List<String> notes = new ArrayList<>(missingConsumerFiles(layout, copied));
            List<OnnxModel> everyGraph = java.util.stream.Stream.concat(graphs.values().stream(),
                    submodelGraphs.stream().map(WrittenGraph::graph)).toList();
            if (request.form().fused() && everyGraph.stream().noneMatch(OnnxModel::hasFusedOperators)) {
                // the family has no fused form: its builder followed the plain path
                notes.add("--optimize: the " + config.modelType() + " " + task.name() + " graph has no fused form in "
                        + "exporters4j yet; it is written with standard operators, as without --optimize");
            }
            if (request.form().quantization().embeddings() == WeightQuantization.Storage.QUANTIZED
                    && everyGraph.stream().noneMatch(graph -> graph.nodes().stream().anyMatch(node -> node.opType()
                            .equals("GatherBlockQuantized")))) {
                // only the families whose token lookup is a plain Gather of whole int4 blocks read a quantized table
                notes.add("--quantize-embeddings: the " + config.modelType() + " " + task.name() + " graph keeps its "
                        + "embedding tables float32 (exporters4j quantizes them for the Llama family only, when each "
                        + "row is whole blocks of --quantize-block-size)");
            }
            Optional<ValidationReport> report = Optional.empty();
            if (request.validation() == ExportRequest.Validation.VALIDATE) {
                ValidationReport validation = request.form().quantization().quantized()
                        ? validateQuantized(quantizedFiles, new FloatReference(architecture, overridden, weights,
                                variant, request.form().float32ReferenceLabel()), output, atol,
                                request.agreementTolerance(), notes)
                        : submodels.isEmpty()
                        ? validate(files, writtenFiles, graphs, output, atol)
                        : validateSubmodels(submodelGraphs, output, atol);
                validation = withReferenceChecks(validation, files, writtenFiles, references, submodelGraphs, output,
                        atol, request.form());
                // a quantized form (fused or not) was compared above with the plain float32 graph, by cosine and
                // top-1 rather than atol, and a float16 form with its float32 graph by withReferenceChecks
                if (!request.form().equals(ModelForm.PLAIN) && !request.form().quantization().quantized()
                        && request.form().precision() == ModelForm.Precision.FLOAT32) {
                    validation = withPlainComparison(validation, request.form(), submodels.isEmpty()
                            ? files.stream().filter(file -> file.file().component().isPresent())
                                    .map(file -> new PlainReference(writtenFiles.get(file.file()), file.config(),
                                            () -> architecture.build(overridden, weights, variant, graphInterface(
                                                    file.config(), opset, file.file().component().get()))))
                                    .toList()
                            : submodelGraphs.stream().map(graph -> new PlainReference(graph.model(), graph.config(),
                                    () -> architecture.build(overridden, weights, variant,
                                            graphInterface(graph.config(), opset)))).toList(), atol,
                            output.staging());
                }
                if (!validation.passed()) {
                    throw new ValidationFailedException("validation of the exported " + config.modelType() + " "
                            + task.name() + " model failed: " + validation.mismatches().size() + " of "
                            + validation.checks().size() + " checks (see the report); nothing was written to "
                            + output.target() + "; rerun with --no-validate to keep the model anyway", validation);
                }
                report = Optional.of(validation);
            }
            OutputFolder.Published published = output.publish();
            Path target = output.target();
            return new ExportResult(target, target.resolve(output.staging().relativize(written.modelFile())),
                    written.externalDataFile().map(file -> target.resolve(output.staging().relativize(file))),
                    TasksManager.normalizeModelType(config.modelType()), task, opset, atol, copied, report,
                    unusedTensors, published.removedFiles(),
                    output.removedStaging().stream().map(OutputFolder.RemovedStaging::folder).toList(), layout, notes,
                    (submodels.isEmpty() ? writtenFiles.values().stream()
                            : submodelGraphs.stream().map(WrittenGraph::model)).map(file -> target.resolve(
                                    output.staging().relativize(file.modelFile()))).toList());
        } catch (ExportInterruptedException e) {
            // a stop (SIGTERM, Ctrl-C) deferred to the end of validation or publishing; the folder is closed now
            throw new ExportInterruptedException(e.signal(), "stopped by " + e.signal() + ": " + output.outcome());
        }
    }

    /**
     * Validates every file written: one {@code model.onnx} as always ({@link OnnxRuntimeValidator}); the files of an
     * encoder-decoder split each on its own configuration, the merged decoder on both branches against the two
     * decoder files, and the decoder with past against the decoder without it on the same tokens
     * ({@link Seq2SeqValidator}); one report of every check, each named after its file.
     */
    private static ValidationReport validate(List<ComponentExport> files, Map<OnnxFile, WrittenModel> written,
                                             Map<OnnxFile, OnnxModel> graphs, OutputFolder output, double atol) {
        if (files.size() == 1) {
            WrittenModel only = written.get(files.get(0).file());
            return OnnxRuntimeValidator.validate(only.modelFile(), displayName(output, only),
                    files.get(0).config(), atol, Optional.of(graphs.get(files.get(0).file())));
        }
        List<ValidationReport> reports = new ArrayList<>();
        for (ComponentExport file : files) {
            if (file.file().component().isPresent()) {
                WrittenModel model = written.get(file.file());
                reports.add(OnnxRuntimeValidator.validate(model.modelFile(), displayName(output, model),
                        file.config(), atol, Optional.of(graphs.get(file.file()))));
            }
        }
        reports.addAll(Seq2SeqValidator.validate(files, written, atol));
        List<ValidationReport.OutputCheck> checks = new ArrayList<>();
        for (ValidationReport report : reports) {
            String name = Path.of(report.modelFile()).getFileName().toString();
            for (ValidationReport.OutputCheck check : report.checks()) {
                checks.add(check.inFile(name));
            }
        }
        String names = written.values().stream().map(model -> displayName(output, model))
                .collect(java.util.stream.Collectors.joining(", "));
        return new ValidationReport(names, checks);
    }

    private static String displayName(OutputFolder output, WrittenModel model) {
        return output.target().resolve(output.staging().relativize(model.modelFile())).toString();
    }

    /** Each submodel's file on its own configuration (SAM), one report of every check. */
    private static ValidationReport validateSubmodels(List<WrittenGraph> graphs, OutputFolder output, double atol) {
        List<String> files = new ArrayList<>();
        List<ValidationReport.OutputCheck> checks = new ArrayList<>();
        for (WrittenGraph graph : graphs) {
            ValidationReport one = OnnxRuntimeValidator.validate(graph.model().modelFile(),
                    displayName(output, graph.model()), graph.config(), atol);
            files.add(one.modelFile());
            checks.addAll(one.checks());
        }
        return new ValidationReport(String.join(", ", files), checks);
    }

    /** The largest float32 graph (weights, in bytes) a quantized export is compared with in ONNX Runtime. */
    static final long MAX_FLOAT32_REFERENCE_BYTES = 6L << 30;

    /**
     * {@code --quantize} writes float32 activations (the quantized MatMuls take and give float32): refused with another
     * precision, naming the options and the fix. With {@code --optimize} the dense layers of a fused graph are
     * quantized as the plain graph's (every fused family builds its dense layers as the same {@code Linear}).
     */
    private static void requireQuantizable(ModelForm form) {
        if (form.quantization().quantized() && form.precision() != ModelForm.Precision.FLOAT32) {
            throw new ExportException("--quantize " + form.quantization().scheme().name().toLowerCase(Locale.ROOT)
                    + " cannot be combined with --dtype " + form.precision().name().toLowerCase(Locale.ROOT)
                    + ": the quantized MatMuls (DynamicQuantizeMatMul, MatMulNBits) are written for float32 "
                    + "activations; drop --dtype (quantized weights already shrink the model) or drop --quantize");
        }
    }

    /** A file of a quantized export, its configuration and graph, and the interface of its float32 twin if any. */
    private record QuantizedFile(WrittenModel model, ExportConfig config, OnnxModel graph,
                                 Optional<GraphInterface> floatInterface) {}

    /**
     * The form a quantized export is compared with: the plain float32 graph of the same weights (Optimum's form). A
     * fused quantized export is compared with it too, not with its fused float32 graph, so the agreement figures
     * hold the fusion and the quantization together, with the quantized export's bounds (a float tolerance, which
     * the fused float32 form is held to against the plain graph, cannot bound quantized outputs).
     */
    private static ModelForm float32Reference(ModelForm form) {
        return form.withQuantization(WeightQuantization.NONE).withOperators(ModelForm.Operators.STANDARD);
    }

    /**
     * What builds the float32 graph of a file from the same weights, in this process ({@link #float32Reference}),
     * and how the report names it ({@code float32}, or {@code plain float32} beside a fused export).
     */
    private record FloatReference(Architecture architecture, ModelConfig config, RecordedWeights weights,
                                  Variant variant, String reportLabel) {
        OnnxModel build(GraphInterface graphInterface) {
            return architecture.build(config, weights, variant, graphInterface);
        }
    }

    /**
     * Validates a quantized export: every file's interface and runs as for a float export, without the first-example
     * comparison (which a float tolerance bounds); instead each file built from a graph of its own is compared with
     * the float32 graph of the same weights (built and written to a temporary folder, then deleted), output by
     * output: max abs diff, cosine and, for LM heads, top-1 agreement, held to {@code tolerance}
     * ({@link QuantizedAgreement}). A merged decoder is not run (its two branches are the files compared); a note
     * says so. A float32 graph of more than {@link #MAX_FLOAT32_REFERENCE_BYTES} is not built (ONNX Runtime would
     * hold both models at once): a note says so.
     */
    private static ValidationReport validateQuantized(List<QuantizedFile> quantizedFiles, FloatReference reference,
                                                      OutputFolder output, double atol, AgreementTolerance tolerance,
                                                      List<String> notes) {
        List<ValidationReport.OutputCheck> checks = new ArrayList<>();
        List<String> names = new ArrayList<>();
        boolean several = quantizedFiles.size() > 1;
        for (QuantizedFile file : quantizedFiles) {
            String displayName = displayName(output, file.model());
            if (file.floatInterface().isEmpty()) {
                // the merged decoder: its inputs include use_cache_branch, which only the comparison of its branches
                // with the decoder files feeds (Seq2SeqValidator, within atol: int8 activations quantized over
                // different input sets cannot hold it); its branches are those files, validated here
                notes.add("the quantized " + file.model().modelFile().getFileName() + " was not run on its own: its "
                        + "two branches are the decoder files, each validated against its float32 graph");
                continue;
            }
            names.add(displayName);
            List<ValidationReport.OutputCheck> fileChecks = new ArrayList<>(OnnxRuntimeValidator.validate(
                    file.model().modelFile(), displayName, file.config(), atol, Optional.of(file.graph()),
                    OnnxRuntimeValidator.ValueCheck.AGAINST_FLOAT32_GRAPH).checks());
            OnnxModel floatGraph = reference.build(file.floatInterface().get());
            if (floatGraph.initializerBytes() > MAX_FLOAT32_REFERENCE_BYTES) {
                notes.add("the quantized " + file.model().modelFile().getFileName() + " was not compared with "
                        + "its float32 graph: that graph's weights are " + floatGraph.initializerBytes()
                        + " bytes, over the " + MAX_FLOAT32_REFERENCE_BYTES + " bytes ONNX Runtime is given for "
                        + "it beside the quantized model");
            } else {
                fileChecks.addAll(compareWithFloat32(file, floatGraph, reference, tolerance, output.staging()));
            }
            String name = file.model().modelFile().getFileName().toString();
            for (ValidationReport.OutputCheck check : fileChecks) {
                checks.add(several ? check.inFile(name) : check);
            }
        }
        return new ValidationReport(String.join(", ", names), checks);
    }

    /**
     * The quantized file's agreement with its float32 graph, written for the comparison into a hidden folder of the
     * staging folder (beside the export, not in a RAM-backed temporary folder), removed afterwards.
     */
    private static List<ValidationReport.OutputCheck> compareWithFloat32(QuantizedFile file, OnnxModel floatGraph,
                                                                        FloatReference reference,
                                                                        AgreementTolerance tolerance, Path staging) {
        Path modelFile = file.model().modelFile();
        try (ReferenceFolder folder = ReferenceFolder.create(staging, "float32")) {
            return folder.compare(floatGraph, modelFile.getFileName().toString(), floatFile -> QuantizedAgreement
                    .compare(modelFile, floatFile, reference.reportLabel(), file.config(), reference.variant().head(),
                            tolerance));
        }
    }

    /** A written file of a non-plain form, its configuration, and how to build its graph in the plain form. */
    private record PlainReference(WrittenModel model, ExportConfig config,
                                  java.util.function.Supplier<OnnxModel> plainGraph) {}

    /**
     * {@code report} with each file of a non-plain form compared to its plain graph, built here from the same
     * weights and written to a hidden folder of the staging folder removed afterwards
     * ({@link OnnxRuntimeValidator#compareWithPlain}).
     */
    private static ValidationReport withPlainComparison(ValidationReport report, ModelForm form,
                                                       List<PlainReference> references, double atol, Path staging) {
        List<ValidationReport.OutputCheck> checks = new ArrayList<>(report.checks());
        try (ReferenceFolder folder = ReferenceFolder.create(staging, "plain")) {
            for (PlainReference reference : references) {
                Path file = reference.model().modelFile();
                for (ValidationReport.OutputCheck check : folder.compare(reference.plainGraph().get(),
                        file.getFileName().toString(), plain -> OnnxRuntimeValidator.compareWithPlain(file, plain,
                                form.toString(), reference.config(), atol))) {
                    checks.add(references.size() == 1 ? check : check.inFile(file.getFileName().toString()));
                }
            }
        }
        return new ValidationReport(report.modelFile(), checks);
    }

    /** The graph builder of the model type's row; a registered pair it cannot build is refused with the reason. */
    private static Architecture architectureOf(ModelConfig config, ExportTask task) {
        ModelTypeRow row = ModelTypes.find(config.modelType()).orElseThrow(() -> new ExportException(
                "model type " + config.modelType() + " has no row in the model-type table"));
        Optional<String> whyNot = row.whyNotBuilt(task);
        if (whyNot.isPresent()) {
            String exportable = row.exportableTasks().stream().map(ExportTask::name)
                    .collect(java.util.stream.Collectors.joining(", "));
            throw new ExportException(whyNot.get() + "; " + (exportable.isEmpty()
                    ? "no task of " + row.modelType() + " can be exported by exporters4j yet; Optimum's "
                            + "`optimum-cli export onnx` exports it meanwhile"
                    : "the tasks " + row.modelType() + " exports are " + exportable));
        }
        return row.graph().orElseThrow();
    }

    /**
     * The layout asked for, or the task's default for the model type; one the type or the task does not have is
     * refused naming the option, the value and the layouts there are ({@link ModelTypeRow#whyNotLaidOut}).
     */
    private static Layout layoutOf(ExportRequest request, ModelConfig config, ExportTask task) {
        ModelTypeRow row = ModelTypes.find(config.modelType()).orElseThrow(() -> new ExportException(
                "model type " + config.modelType() + " has no row in the model-type table"));
        Layout layout = request.layout().orElse(row.defaultLayout(task));
        row.whyNotLaidOut(layout, task).ifPresent(why -> {
            throw new ExportException(why);
        });
        return layout;
    }

    /**
     * The tokenizer files transformers.js needs that the checkpoint lacks: its {@code AutoTokenizer} reads
     * {@code tokenizer.json} and {@code tokenizer_config.json} (it cannot build a fast tokenizer from vocab files);
     * the export is written all the same, with one note per missing file. Other layouts: none.
     */
    private static List<String> missingConsumerFiles(Layout layout, List<String> copied) {
        if (layout != Layout.TRANSFORMERS_JS) {
            return List.of();
        }
        List<String> notes = new ArrayList<>();
        for (String name : TRANSFORMERS_JS_TOKENIZER_FILES) {
            if (!copied.contains(name)) {
                notes.add("the checkpoint has no " + name + ": transformers.js' AutoTokenizer (and so its text "
                        + "pipelines) needs it to load this folder; add the original repository's " + name
                        + " to the output folder, or run the model with your own tokenizer");
            }
        }
        return List.copyOf(notes);
    }

    /**
     * config.json's {@code transformers.js_config} for the transformers.js layout, replacing the checkpoint's (whose
     * dtypes and per-device settings name files this export does not write): {@code "dtype": "fp32"}, so that
     * transformers.js loads {@code onnx/<name>.onnx} on every device (v3 and v4 default to {@code q8}, i.e.
     * {@code <name>_quantized.onnx}, on {@code wasm}, and v3 warns "dtype not specified" on node's {@code cpu}:
     * {@code getSession} and {@code DEFAULT_DEVICE_DTYPE_MAPPING} / {@code DEFAULT_DTYPE_SUFFIX_MAPPING} of
     * {@code src/models.js} (3.x) and {@code src/models/session.js}, {@code src/utils/dtypes.js} (4.x)); with
     * external data, {@code "use_external_data_format": {"<name>.onnx": 1}}, without which neither loads
     * {@code <name>.onnx_data} (their {@code getModelDataFiles}).
     */
    private static ModelConfig withTransformersJsConfig(ModelConfig config, Path modelFolder,
                                                        List<WrittenModel> files) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("dtype", "fp32");
        Map<String, Integer> externalData = new TreeMap<>();
        for (WrittenModel file : files) {
            if (file.externalDataFile().isPresent()) {
                externalData.put(modelFolder.relativize(file.modelFile()).toString(), 1);
            }
        }
        if (!externalData.isEmpty()) {
            settings.put("use_external_data_format", externalData);
        }
        return config.withOverrides(Map.of("transformers.js_config", settings));
    }

    /** What transformers.js' {@code AutoTokenizer.from_pretrained} reads from a local model folder. */
    private static final List<String> TRANSFORMERS_JS_TOKENIZER_FILES = List.of("tokenizer.json",
            "tokenizer_config.json");

    /** The export configuration's interface as a graph request. */
    static GraphInterface graphInterface(ExportConfig exportConfig, int opset) {
        return graphInterface(exportConfig, opset, Component.MODEL);
    }

    /** The export configuration's interface as a request for the graph of one part of the model. */
    static GraphInterface graphInterface(ExportConfig exportConfig, int opset, Component component) {
        return new GraphInterface(
                exportConfig.inputs().stream().map(Exporter::interfaceTensor).toList(),
                exportConfig.outputs().stream().map(Exporter::interfaceTensor).toList(),
                Opset.of(opset), component, exportConfig.transformers());
    }

    private static InterfaceTensor interfaceTensor(DynamicTensor tensor) {
        return tensor.cache().map(cache -> InterfaceTensor.of(cache, tensor.elementType(), tensor.dynamicAxes()))
                .orElseGet(() -> InterfaceTensor.of(tensor.name(), tensor.elementType(), tensor.dynamicAxes()));
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

    /**
     * A written graph, the configuration whose interface it has (the export's, or a submodel's) and, when written in
     * another precision, its float32 graph.
     */
    private record WrittenGraph(WrittenModel model, ExportConfig config, OnnxModel graph,
                                Optional<OnnxModel> reference) {}

    /**
     * The default validation tolerance of a {@code --dtype fp16} export, relative to each output's scale: every
     * output within 0.01 × max(1, its largest float32 magnitude) of the float32 graph's on the same inputs, and the
     * runs' comparisons with each other (first example alone, with and without past) within 0.01 absolute; float16
     * keeps about 3 significant digits, and a dozen layers add their roundings. {@code --atol} changes it.
     */
    public static final double HALF_PRECISION_ATOL = 0.01;
    /** {@link #HALF_PRECISION_ATOL} as the CLI help prints it. */
    public static final String HALF_PRECISION_ATOL_TEXT = "" + HALF_PRECISION_ATOL;

    /**
     * Refuses the forms no graph can be written in: bfloat16 (ONNX Runtime's CPU execution provider, the one this
     * export validates with and the one the Java and Python packages ship, has bfloat16 kernels for data movement
     * only: Cast, Concat, Gather, Reshape, Slice, Transpose, Unsqueeze; MatMul, Add, Mul, Softmax and every other
     * arithmetic operator fail to load), and float16 combined with fused operators (written for float32;
     * {@link #requireQuantizable} refuses it with quantized weights).
     */
    private static void requireBuildable(ModelForm form) {
        if (form.precision() == ModelForm.Precision.BFLOAT16) {
            throw new ExportException("--dtype bf16 is not supported: ONNX Runtime's CPU execution provider has no "
                    + "bfloat16 kernel for MatMul, Add, Mul, Softmax or any other arithmetic operator (only Cast, "
                    + "Concat, Gather, Reshape, Slice, Transpose and Unsqueeze), so a bfloat16 model could neither be"
                    + " validated nor run on CPU; export with --dtype fp16 (half the size of float32; a bfloat16 "
                    + "checkpoint converts to it directly), or leave --dtype out for float32");
        }
        if (form.precision() == ModelForm.Precision.FLOAT16 && form.fused()) {
            throw new ExportException("--dtype fp16 with --optimize is not supported yet: the fused operators are "
                    + "written for float32; export with one of the two options");
        }
    }

    /**
     * {@code graph} in the form's precision: itself for float32; for float16 the one conversion every family gets
     * ({@link HalfPrecisionConversion}), Optimum's float32 inputs and outputs kept with Casts at the boundary.
     */
    private static OnnxModel inPrecision(OnnxModel graph, ModelForm form) {
        return switch (form.precision()) {
            case FLOAT32 -> graph;
            case FLOAT16 -> HalfPrecisionConversion.convert(graph, ElementType.FLOAT16,
                    HalfPrecisionConversion.InterfaceTypes.FLOAT32);
            case BFLOAT16 -> throw new IllegalStateException("refused by requireBuildable");
        };
    }

    /**
     * {@code validation} with, for every file written in another precision than float32, each output against the
     * float32 graph's on the same inputs ({@link ReferenceValidator}).
     */
    private static ValidationReport withReferenceChecks(ValidationReport validation, List<ComponentExport> files,
                                                        Map<OnnxFile, WrittenModel> written,
                                                        Map<OnnxFile, OnnxModel> references,
                                                        List<WrittenGraph> submodels, OutputFolder output,
                                                        double atol, ModelForm form) {
        List<ReferenceValidator.Pair> pairs = new ArrayList<>();
        for (ComponentExport file : files) {
            OnnxModel reference = references.get(file.file());
            if (reference != null) {
                WrittenModel model = written.get(file.file());
                pairs.add(new ReferenceValidator.Pair(model, displayName(output, model), reference, file.config()));
            }
        }
        for (WrittenGraph graph : submodels) {
            graph.reference().ifPresent(reference -> pairs.add(new ReferenceValidator.Pair(graph.model(),
                    displayName(output, graph.model()), reference, graph.config())));
        }
        if (pairs.isEmpty()) {
            return validation;
        }
        List<ValidationReport.OutputCheck> checks = new ArrayList<>(validation.checks());
        checks.addAll(ReferenceValidator.compare(pairs, output.staging(), atol,
                form.precision().name().toLowerCase(java.util.Locale.ROOT) + " vs float32 graph"));
        return new ValidationReport(validation.modelFile(), checks);
    }
}
