package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.nio.file.Path;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.hub.HubException;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.Revision;

/**
 * The one place that maps task names to Transformers model classes and (model type, exporter) pairs to export
 * configurations, with the semantics of Optimum v1.5.2's {@code optimum.exporters.tasks.TasksManager} and Java
 * names. Every answer names a task as the registry its model type comes from does ({@link RegistrySource#taskName}:
 * Optimum v1.5.2's canonical names, Optimum 1.25.3's for today's model types); every task argument accepts both.
 *
 * <p>The queries on a model take a local checkpoint folder or a Hub repo id: {@link #determineFramework} (the
 * weight files of the folder or of the repository's file list), {@link #inferTaskFromModel} (the Hub's
 * {@code transformersInfo}, or config.json {@code architectures}) and {@link #getModelFromTask} (the checkpoint
 * resolved, its config read and its weights opened, as the exporter consumes it). Those with a {@link HubSettings}
 * parameter reach the Hub with those settings; the others read them from the environment, as huggingface_hub does.
 */
public final class TasksManager {
    /** Optimum's registry, derived from the model-type rows: each type's tasks of the Optimum version it comes from. */
    private static final ModelTypeRegistry REGISTRY = ModelTypeRegistry.of(
            ModelTypes.rows().stream().map(ModelTypeRegistry::parityRow).toList());

    private TasksManager() {}

    /**
     * The tasks a model type supports with an exporter, in Optimum's order: task name (as its registry names it,
     * {@link RegistrySource#taskName}) → constructor of
     * the export configuration (unmodifiable).
     *
     * @param modelType a model type in any case, {@code _} or {@code -} ({@code gpt_neo}, {@code GPT-Neo})
     * @param exporter an export backend ({@code onnx})
     * @throws UnknownModelTypeException when no configuration is registered for the model type
     * @throws UnknownExporterException when the exporter does not exist or the model type has none for it
     */
    public static Map<String, ExportConfigConstructor> getSupportedTasksForModelType(String modelType,
            String exporter) {
        return getSupportedTasksForModelType(modelType, exporter, null);
    }

    /** As {@link #getSupportedTasksForModelType(String, String)}; {@code modelName} only names the model in errors. */
    public static Map<String, ExportConfigConstructor> getSupportedTasksForModelType(String modelType,
            String exporter, String modelName) {
        Map<String, ExportConfigConstructor> byName = new LinkedHashMap<>();
        RegistrySource source = REGISTRY.source(modelType);
        supportedTasks(modelType, exporter, modelName).forEach((task, constructor) ->
                byName.put(source.taskName(task), constructor));
        return Collections.unmodifiableMap(byName);
    }

    /** As {@link #getExporterConfigConstructor(String, String, String)} for the task {@code default}. */
    public static ExportConfigConstructor getExporterConfigConstructor(String modelType, String exporter) {
        return getExporterConfigConstructor(modelType, exporter, Task.DEFAULT.canonicalName(), null);
    }

    /**
     * The constructor of the export configuration for a model type, exporter and task.
     *
     * @param task a canonical task name or one of today's names for it ({@code text-generation-with-past})
     * @throws UnknownTaskException when the task name is unknown
     * @throws UnsupportedTaskException when the model type has no configuration for the task (the message lists
     *     those it has)
     */
    public static ExportConfigConstructor getExporterConfigConstructor(String modelType, String exporter,
            String task) {
        return getExporterConfigConstructor(modelType, exporter, task, null);
    }

    /**
     * The export task a name means for a model type: the task it names, except today's
     * {@code automatic-speech-recognition}, which is CTC for the types whose row registers CTC (wav2vec2, hubert,
     * wavlm) and speech2seq-lm otherwise.
     */
    public static ExportTask taskFor(String task, String modelType) {
        return CheckpointLoader.meaningFor(TaskNames.parse(task), modelType);
    }

    /** As {@link #getExporterConfigConstructor(String, String, String)}; {@code modelName} names the model in errors. */
    public static ExportConfigConstructor getExporterConfigConstructor(String modelType, String exporter, String task,
            String modelName) {
        Map<ExportTask, ExportConfigConstructor> tasks = supportedTasks(modelType, exporter, modelName);
        ExportTask exportTask = CheckpointLoader.meaningFor(TaskNames.parse(task), modelType);
        ExportConfigConstructor constructor = tasks.get(exportTask);
        if (constructor == null) {
            String key = ModelTypeRegistry.normalize(modelType);
            RegistrySource source = REGISTRY.source(key);
            String asked = "\"" + source.taskName(exportTask) + "\""
                    + (source.taskName(exportTask).equals(task) ? "" : " (given as \"" + task + "\")");
            throw new UnsupportedTaskException(describe(key, modelName) + " does not support task " + asked
                    + " with the " + Exporter.parse(exporter).id() + " exporter; its tasks are "
                    + tasks.keySet().stream().map(source::taskName).collect(Collectors.joining(", "))
                    + " (run `./exporters4j tasks --model-type " + key + "`)" + laterRegistration(key, exportTask));
        }
        return constructor;
    }

    /**
     * For a task a later Optimum added to a v1.5.2 model type (CodeGen's {@code -with-past} tasks), which the
     * Optimum v1.5.2 registry answers leave out: where it can be exported instead.
     */
    private static String laterRegistration(String modelType, ExportTask task) {
        return ModelTypes.find(modelType).flatMap(row -> row.sourceOf(task))
                .map(source -> "; " + source.description() + " registers " + task.name() + " for " + modelType
                        + ", and `export onnx --task " + task.name() + "` exports it")
                .orElse("");
    }

    /**
     * The export configuration of a model type and task for a model config: {@code
     * getExporterConfigConstructor(config's model type, exporter, task).create(config)}.
     */
    public static ExportConfig getExportConfig(ModelConfig config, String exporter, String task) {
        return getExporterConfigConstructor(config.modelType(), exporter, task).create(config);
    }

    /**
     * The export configuration of a task for a model config, or for the model type's Transformers defaults when no
     * config is given ({@link ModelConfig#defaultsFor}).
     *
     * @param modelType the model type; may be null when {@code config} is given (its {@code model_type} is used)
     * @param config the model config; may be null when {@code modelType} is given
     * @throws ModelTypeMismatchException when both are given and the config is of another model type
     */
    public static ExportConfig getExportConfig(String modelType, ModelConfig config, String exporter, String task) {
        if (config == null && modelType == null) {
            throw new IllegalArgumentException("a model type or a model config is required");
        }
        if (config != null && modelType != null
                && !ModelTypeRegistry.normalize(modelType).equals(ModelTypeRegistry.normalize(config.modelType()))) {
            throw new ModelTypeMismatchException("model type \"" + modelType + "\" does not match the model_type \""
                    + config.modelType() + "\" of " + config.source() + "; leave the model type out to use the "
                    + "config's, or give the config of a " + modelType + " model");
        }
        String type = modelType != null ? modelType : config.modelType();
        ExportConfigConstructor constructor = getExporterConfigConstructor(type, exporter, task);
        return constructor.create(config != null ? config : ModelConfig.defaultsFor(type));
    }

    /**
     * The export configuration of a registered export task for a model config, typed: every task the model type's
     * row registers, also those a later Optimum added to a v1.5.2 type (CodeGen's {@code -with-past} tasks), which
     * the Optimum-parity queries above leave out.
     *
     * @throws UnknownModelTypeException when no row describes the config's model type
     * @throws UnsupportedTaskException when the row does not register the task (the message lists those it does)
     */
    public static ExportConfig getExportConfig(ModelConfig config, Exporter exporter, ExportTask task) {
        return getExportConfig(config, exporter, task, ModelTypes.find(config.modelType())
                .map(row -> row.defaultLayout(task))
                .orElse(Layout.OPTIMUM_1_5));
    }

    /**
     * As {@link #getExportConfig(ModelConfig, Exporter, ExportTask)}, with the configuration of {@code layout}:
     * Optimum 1.25.3's for {@code optimum} and {@code transformers.js} where the row has it.
     *
     * @throws IllegalArgumentException when the row has no such layout (see {@link ModelTypeRow#whyNotLaidOut})
     */
    public static ExportConfig getExportConfig(ModelConfig config, Exporter exporter, ExportTask task,
                                               Layout layout) {
        supportedTasks(config.modelType(), exporter.id(), null); // the unknown-type and unknown-exporter errors
        ModelTypeRow row = ModelTypes.find(config.modelType()).orElseThrow();
        if (row.sourceOf(task).isEmpty()) {
            throw new UnsupportedTaskException(row.modelType() + " does not support task \"" + task.name()
                    + "\" with the " + exporter.id() + " exporter; its tasks are " + row.registeredTasks().stream()
                    .map(ExportTask::name).collect(Collectors.joining(", ")) + " (run `./exporters4j tasks "
                    + "--model-type " + row.modelType() + "`)");
        }
        row.whyNotLaidOut(layout, task).ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
        return row.onnx().forLayout(layout).create(row.modelType(), task, config);
    }

    /**
     * The configuration of every file the export writes in {@code layout}, in Optimum 1.25.3's order: one
     * {@code model.onnx}, or for an encoder-decoder in today's layouts its encoder and decoder files
     * ({@code optimum/exporters/utils.py:_get_submodels_and_export_configs}).
     *
     * @throws IllegalArgumentException when the row has no such layout (see {@link ModelTypeRow#whyNotLaidOut})
     */
    public static List<ComponentExport> getExportConfigs(ModelConfig config, Exporter exporter, ExportTask task,
                                                         Layout layout) {
        ExportConfig main = getExportConfig(config, exporter, task, layout); // the registry's checks and errors
        ModelTypeRow row = ModelTypes.find(config.modelType()).orElseThrow();
        OnnxModelRow onnx = row.onnx().forLayout(layout);
        return Seq2SeqSplit.files(onnx.family(), task).equals(List.of(OnnxFile.MODEL))
                ? List.of(new ComponentExport(OnnxFile.MODEL, main)) : onnx.createFiles(row.modelType(), task, config);
    }

    /** As {@link #getModelClassForTask(String, String)} for PyTorch. */
    public static String getModelClassForTask(String task) {
        return getModelClassForTask(task, Framework.PT.id());
    }

    /**
     * The Transformers auto-model class that loads a checkpoint for a task, e.g. {@code AutoModelForCausalLM}; a
     * {@code -with-past} task loads its base task's class.
     *
     * @throws UnknownTaskException when the task name is unknown
     * @throws UnknownFrameworkException when the framework is not {@code pt} or {@code tf}
     * @throws MissingModelClassException when Transformers has no class for the task in that framework
     */
    public static String getModelClassForTask(String task, String framework) {
        return modelClassFor(TaskNames.parse(task).task(), Framework.parse(framework));
    }

    /** As {@link #getModelClassForTask(String, String)}, typed. */
    static String modelClassFor(Task task, Framework framework) {
        return task.modelClass(framework).orElseThrow(() -> new MissingModelClassException("task \""
                + task.canonicalName() + "\" has no " + framework.displayName() + " model class ("
                + framework.id() + " tasks: " + tasksWithClass(framework) + "); use --framework pt"));
    }

    /**
     * The task a Transformers auto-model class loads for ({@code AutoModelForCausalLM} → {@code causal-lm}): the
     * lookup half of Optimum's {@code infer_task_from_model}, which gets the class name from the Hub.
     */
    public static Optional<Task> getTaskForModelClass(String autoModelClassName) {
        for (Task task : Task.values()) {
            for (Framework framework : Framework.values()) {
                if (task.modelClass(framework).filter(autoModelClassName::equals).isPresent()) {
                    return Optional.of(task);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The framework to load a model with, as Optimum v1.5.2's {@code determine_framework}: {@code framework} when
     * given; for a local folder, the framework of its weight files (pytorch_model.bin, model.safetensors and their
     * sharded indexes → pt, also beside TensorFlow weights; tf_model.h5 → tf); for a Hub repo id, the weight files
     * in the repository's file list at the default branch; pt when that list has none.
     *
     * @param model     a local checkpoint folder or a Hub repo id
     * @param framework {@code pt}, {@code tf}, or null to determine it (Optimum's {@code None})
     * @throws ModelNotFoundException when the model is neither a folder nor a repo id, or a folder has no weights
     *     (the message names the files looked for)
     * @throws UnknownFrameworkException when {@code framework} is not pt or tf
     */
    public static Framework determineFramework(String model, String framework) {
        return determineFramework(ModelSource.of(model), framework, HubSettings.fromSystem());
    }

    /** As {@link #determineFramework(String, String)} for a model source, reaching the Hub with {@code hub}. */
    public static Framework determineFramework(ModelSource model, String framework, HubSettings hub) {
        try (ModelFiles files = ModelFiles.of(model, hub)) {
            Optional<Framework> chosen = framework == null ? Optional.empty() : Optional.of(Framework.parse(framework));
            return withSourceNamed(model, () -> CheckpointLoader.determineFramework(files, chosen));
        }
    }

    /**
     * The canonical task a model was saved for. A Hub repo id: the Hub's {@code transformersInfo.auto_model} mapped
     * to its task (as Optimum v1.5.2's {@code infer_task_from_model}), else its pipeline tag (as later Optimum
     * versions), else config.json {@code architectures}. A local folder (which Optimum cannot infer):
     * config.json {@code architectures} through Transformers' auto-model mappings ({@code BertForMaskedLM} →
     * {@code masked-lm}, {@code BertModel} → {@code default}); of several candidate tasks, those the model type
     * cannot export are dropped.
     *
     * @throws TaskInferenceException when nothing maps to a task, or several tasks remain (the message lists what
     *     was found and says to pass --task)
     */
    public static String inferTaskFromModel(String model) {
        return inferTaskFromModel(ModelSource.of(model), HubSettings.fromSystem());
    }

    /** As {@link #inferTaskFromModel(String)} for a model source, reaching the Hub with {@code hub}. */
    public static String inferTaskFromModel(ModelSource model, HubSettings hub) {
        try (ModelFiles files = ModelFiles.of(model, hub)) {
            return withSourceNamed(model, () -> CheckpointLoader.inferTask(files).canonicalName());
        }
    }

    /**
     * The model to export for a task, as Optimum v1.5.2's {@code get_model_from_task}: the framework
     * ({@link #determineFramework}), the task ({@code auto} → {@link #inferTaskFromModel}), its model class
     * ({@link #getModelClassForTask}) and the concrete architecture Transformers' auto mappings give for the model
     * type ({@code AutoModelForSequenceClassification} + distilbert → {@code DistilBertForSequenceClassification});
     * the config, and the weights of the framework, or of the other framework where only those exist (as
     * {@code from_tf} / {@code from_pt} load them), checked against the architecture. From the Hub only the files
     * an export needs are fetched: config.json, the weights in one format, tokenizer and processor files.
     *
     * @param task      a task name (canonical or today's), or {@code auto}
     * @param model     a local checkpoint folder or a Hub repo id
     * @param framework {@code pt}, {@code tf}, or null to determine it
     * @param cacheDir  the Hub cache folder, or null for huggingface_hub's ({@code HF_HUB_CACHE}, ...)
     * @param revision  the Hub branch, tag or commit, or null for {@code main}
     * @return the model; the caller closes it (it owns the opened weights)
     */
    public static ResolvedModel getModelFromTask(String task, String model, String framework, Path cacheDir,
            String revision) {
        HubSettings hub = HubSettings.fromSystem();
        return getModelFromTask(task, ModelSource.of(model, revision == null ? Revision.MAIN : Revision.of(revision)),
                framework, cacheDir == null ? hub : hub.withCacheDir(cacheDir));
    }

    /** As {@link #getModelFromTask(String, String, String, Path, String)}, reaching the Hub with {@code hub}. */
    public static ResolvedModel getModelFromTask(String task, ModelSource model, String framework, HubSettings hub) {
        Optional<ExportTask> exportTask = CheckpointLoader.AUTO.equalsIgnoreCase(task.strip())
                ? Optional.empty() : Optional.of(TaskNames.parse(task));
        return getModelFromTask(exportTask, model,
                framework == null ? Optional.empty() : Optional.of(Framework.parse(framework)), hub);
    }

    /**
     * As {@link #getModelFromTask(String, String, String, Path, String)}, typed: the export task, or empty to infer
     * it ({@code auto}); the framework, or empty to determine it.
     */
    public static ResolvedModel getModelFromTask(Optional<ExportTask> task, ModelSource model,
            Optional<Framework> framework, HubSettings hub) {
        try (ModelFiles files = ModelFiles.of(model, hub)) {
            return withSourceNamed(model, () -> CheckpointLoader.load(files, task, framework));
        }
    }

    /**
     * The canonical name of a task's base task, as Optimum's {@code format_task}: {@code causal-lm-with-past} and
     * {@code text-generation-with-past} both give {@code causal-lm}.
     */
    public static String formatTask(String task) {
        return TaskNames.parse(task).task().canonicalName();
    }

    /** The canonical name of a task given by any accepted name ({@code text-generation-with-past} → {@code causal-lm-with-past}). */
    public static String normalizeTask(String task) {
        return TaskNames.parse(task).name();
    }

    /** Every canonical export-task name, in Optimum's task order, each followed by its {@code -with-past} form. */
    public static List<String> getAllTasks() {
        return TaskNames.canonicalNames();
    }

    /**
     * Where a model type's registry rows come from: Optimum v1.5.2's registry, or a model type Optimum registered
     * later (llama, mistral, qwen2).
     *
     * @throws UnknownModelTypeException when no configuration is registered for the model type
     */
    public static RegistrySource getRegistrySource(String modelType) {
        RegistrySource source = REGISTRY.source(modelType);
        if (source == null) {
            supportedTasks(modelType, Exporter.ONNX.id(), null); // throws the registry's unknown-model-type error
            throw new IllegalStateException("no source for registered model type " + modelType);
        }
        return source;
    }

    /** Model types with a configuration for the exporter, in Optimum's registry order. */
    public static List<String> getSupportedModelTypes(String exporter) {
        return REGISTRY.modelTypes(Exporter.parse(exporter));
    }

    /**
     * model type → its task names (as its registry names them, {@link RegistrySource#taskName}), for the exporter,
     * both in Optimum's order (unmodifiable).
     */
    public static Map<String, List<String>> getSupportedTasksByModelType(String exporter) {
        Exporter parsed = Exporter.parse(exporter);
        Map<String, List<String>> table = new LinkedHashMap<>();
        for (String modelType : REGISTRY.modelTypes(parsed)) {
            RegistrySource source = REGISTRY.source(modelType);
            table.put(modelType, REGISTRY.tasks(modelType, parsed).keySet().stream().map(source::taskName).toList());
        }
        return Collections.unmodifiableMap(table);
    }

    /** Optimum's key for a model type written any way ({@code gpt_neo}, {@code GPT-Neo} → {@code gpt-neo}). */
    public static String normalizeModelType(String modelType) {
        return ModelTypeRegistry.normalize(modelType);
    }

    private static Map<ExportTask, ExportConfigConstructor> supportedTasks(String modelType, String exporter,
            String modelName) {
        String key = ModelTypeRegistry.normalize(modelType);
        if (!REGISTRY.contains(key)) {
            List<String> close = CloseMatches.of(key, REGISTRY.modelTypes(), 3);
            throw new UnknownModelTypeException("unknown model type \"" + modelType + "\""
                    + (modelName == null ? "" : " (model " + modelName + ")")
                    + ": no export configuration is registered for it"
                    + (close.isEmpty() ? "" : "; close matches: " + String.join(", ", close))
                    + "; run `./exporters4j tasks` to list all " + REGISTRY.modelTypes().size()
                    + " supported model types");
        }
        Exporter parsed = Exporter.parse(exporter);
        Map<ExportTask, ExportConfigConstructor> tasks = REGISTRY.tasks(key, parsed);
        if (tasks == null) {
            throw new UnknownExporterException(describe(key, modelName) + " has no " + parsed.id()
                    + " export configuration; its exporters are " + REGISTRY.exporters(key).stream()
                    .map(Exporter::id).collect(Collectors.joining(", ")));
        }
        return tasks;
    }

    private static String describe(String modelType, String modelName) {
        return modelName == null ? modelType : modelType + " (" + modelName + ")";
    }

    private static String tasksWithClass(Framework framework) {
        List<String> names = new ArrayList<>();
        for (Task task : Task.values()) {
            if (task.modelClass(framework).isPresent()) {
                names.add(task.canonicalName());
            }
        }
        return String.join(", ", names);
    }

    /**
     * Runs a query on a model source; a Hub repo id the Hub does not know, when it could also have been meant as a
     * folder, gets an error that says no folder of that name exists either.
     */
    static <T> T withSourceNamed(ModelSource model, Supplier<T> query) {
        try {
            return query.get();
        } catch (HubException e) {
            if (e.kind() == HubException.Kind.REPOSITORY_NOT_FOUND
                    && model instanceof ModelSource.HubRepository hub && hub.repo().namespace().isPresent()) {
                throw new ModelNotFoundException("no local folder " + hub.repo() + " exists, and as a Hub repo id: "
                        + e.getMessage(), e);
            }
            throw e;
        }
    }
}
