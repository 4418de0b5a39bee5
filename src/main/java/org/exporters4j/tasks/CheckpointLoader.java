package org.exporters4j.tasks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.hub.ModelInfo;
import org.exporters4j.hub.TransformersInfo;

/**
 * The work behind {@link TasksManager#determineFramework}, {@link TasksManager#inferTaskFromModel} and
 * {@link TasksManager#getModelFromTask}, on the files of one model source. Mirrors Optimum v1.5.2's
 * {@code TasksManager} where it has these queries, and goes on where it stops (a local folder's task, from
 * config.json).
 */
final class CheckpointLoader {
    /** The task name that asks for the task to be inferred, as Optimum's {@code --task auto}. */
    static final String AUTO = "auto";

    private CheckpointLoader() {}

    /**
     * As Optimum v1.5.2's {@code determine_framework}: the user's choice; a local folder → the framework of its
     * weight files (PyTorch first); a Hub repository → the framework of the weight files in its file list, else
     * PyTorch.
     *
     * @param framework the user's choice, or empty to determine it
     */
    static Framework determineFramework(ModelFiles files, Optional<Framework> framework) {
        if (framework.isPresent()) {
            return framework.get();
        }
        Optional<Framework> found = FrameworkWeightFiles.frameworkOf(files.fileNames());
        if (found.isPresent()) {
            return found.get();
        }
        if (files.source() instanceof ModelSource.LocalFolder local) {
            throw new ModelNotFoundException("cannot determine the framework of " + local.folder() + ": it has none "
                    + "of the weight files " + String.join(", ", FrameworkWeightFiles.allFileNames())
                    + " (it holds " + listing(files.fileNames()) + "); point at the folder save_pretrained wrote");
        }
        // as Optimum v1.5.2: when the Hub's files do not tell, PyTorch (the weights are looked for when loading)
        return Framework.PT;
    }

    /**
     * The canonical task of a model. A Hub repository: {@code transformersInfo.auto_model} (as Optimum v1.5.2's
     * {@code infer_task_from_model}), then the pipeline tag (as later Optimum versions), then config.json
     * {@code architectures}; a local folder (which Optimum cannot infer): config.json {@code architectures} through
     * Transformers' auto-model mappings.
     *
     * @throws TaskInferenceException when nothing maps to a task, or several tasks fit
     */
    static Task inferTask(ModelFiles files) {
        return taskCandidates(files).single();
    }

    /**
     * The tasks a model's class fits, found as {@link #inferTask} looks for them: one where the Hub's metadata names
     * it, every remaining candidate of config.json {@code architectures} otherwise (XLMWithLMHeadModel: causal-lm
     * and masked-lm).
     *
     * @throws TaskInferenceException when nothing maps to a task
     */
    static TaskCandidates taskCandidates(ModelFiles files) {
        List<String> found = new ArrayList<>();
        Optional<ModelInfo> info = files.hubInfo();
        if (info.isPresent()) {
            Optional<TransformersInfo> transformers = info.get().transformersInfo();
            Optional<String> autoModel = transformers.flatMap(TransformersInfo::autoModel);
            if (autoModel.isPresent()) {
                Optional<Task> task = TasksManager.getTaskForModelClass(autoModel.get());
                if (task.isPresent()) {
                    return new TaskCandidates(files.source(), "transformersInfo.auto_model " + autoModel.get(),
                            Map.of(task.get(), Set.of(autoModel.get())));
                }
                found.add("transformersInfo.auto_model " + autoModel.get() + " (no task loads it)");
            }
            List<String> tags = new ArrayList<>();
            transformers.flatMap(TransformersInfo::pipelineTag).ifPresent(tags::add);
            info.get().pipelineTag().filter(tag -> !tags.contains(tag)).ifPresent(tags::add);
            for (String tag : tags) {
                Optional<ExportTask> task = taskOfPipelineTag(tag);
                if (task.isPresent()) {
                    return new TaskCandidates(files.source(), "pipeline_tag " + tag,
                            Map.of(task.get().task(), Set.of()));
                }
                found.add("pipeline_tag " + tag + " (no exporters4j task)");
            }
            if (found.isEmpty()) {
                found.add("no transformersInfo or pipeline_tag on the Hub");
            }
        }
        ModelConfig config = ModelConfig.read(files.configFile());
        return candidatesFromArchitectures(config, files.source(), found);
    }

    /**
     * The tasks config.json {@code architectures} was saved for: every auto class listing one of the classes gives a
     * candidate task; where the model type is in the export registry, tasks it cannot export are left out when
     * others remain (BartForConditionalGeneration is listed for masked-lm and seq2seq-lm; bart exports only the
     * second). One candidate left is the task; several are for the caller to settle ({@link TaskCandidates#single}).
     *
     * @throws TaskInferenceException when no auto class of a task lists the architectures (it says to pass --task)
     */
    private static TaskCandidates candidatesFromArchitectures(ModelConfig config, ModelSource source,
                                                              List<String> foundBefore) {
        List<String> architectures = config.architectures();
        List<String> found = new ArrayList<>(foundBefore);
        if (architectures.isEmpty()) {
            found.add("config.json has no \"architectures\"");
            throw new TaskInferenceException("cannot infer the task of " + source.describe() + ": "
                    + String.join("; ", found) + "; pass --task (" + taskChoices(config.modelType()) + ")");
        }
        Map<Task, Set<String>> candidates = new LinkedHashMap<>();
        for (String architecture : architectures) {
            for (String autoClass : AutoModelMappings.autoClassesOf(architecture)) {
                TasksManager.getTaskForModelClass(autoClass).ifPresent(task ->
                        candidates.computeIfAbsent(task, t -> new LinkedHashSet<>()).add(autoClass));
            }
        }
        String listed = "config.json architectures " + String.join(", ", architectures);
        if (candidates.isEmpty()) {
            found.add(listed + " (no auto-model class of a task lists " + (architectures.size() == 1 ? "it" : "them")
                    + ")");
            throw new TaskInferenceException("cannot infer the task of " + source.describe() + ": "
                    + String.join("; ", found) + "; pass --task (" + taskChoices(config.modelType()) + ")");
        }
        Map<Task, Set<String>> exportable = new LinkedHashMap<>(candidates);
        supportedTasks(config.modelType()).ifPresent(supported -> exportable.keySet().retainAll(supported));
        return new TaskCandidates(source, listed, exportable.isEmpty() ? candidates : exportable);
    }

    /**
     * The tasks a model's class fits, in the order they were found, each with the auto classes that named it.
     *
     * @param source the model, for messages
     * @param origin what named the tasks, e.g. {@code config.json architectures XLMWithLMHeadModel}
     * @param autoClasses candidate task → the auto classes listing the model's class for it (one or more tasks)
     */
    record TaskCandidates(ModelSource source, String origin, Map<Task, Set<String>> autoClasses) {
        TaskCandidates {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(origin, "origin");
            if (autoClasses.isEmpty()) {
                throw new IllegalArgumentException("task candidates hold at least one task");
            }
            Map<Task, Set<String>> copy = new LinkedHashMap<>();
            autoClasses.forEach((task, classes) ->
                    copy.put(task, Collections.unmodifiableSet(new LinkedHashSet<>(classes))));
            autoClasses = Collections.unmodifiableMap(copy);
        }

        /** The candidate tasks, in the order they were found. */
        List<Task> tasks() {
            return List.copyOf(autoClasses.keySet());
        }

        /**
         * The one task, as the export infers it.
         *
         * @throws TaskInferenceException when several fit: it lists them with their auto classes and says to pass
         *     {@code --task}
         */
        Task single() {
            if (autoClasses.size() == 1) {
                return autoClasses.keySet().iterator().next();
            }
            String tasks = autoClasses.entrySet().stream()
                    .map(entry -> entry.getKey().canonicalName() + " (" + String.join(", ", entry.getValue()) + ")")
                    .collect(Collectors.joining(", "));
            throw new TaskInferenceException("the task of " + source.describe() + " is ambiguous: " + origin
                    + " is the model class of several tasks: " + tasks + "; pass --task with one of "
                    + autoClasses.keySet().stream().map(Task::canonicalName).collect(Collectors.joining(", ")));
        }
    }

    /**
     * As Optimum v1.5.2's {@code get_model_from_task}: the framework, the task ({@code auto} → inferred), the
     * model class for the task, the architecture the class builds for the model type (Transformers'
     * {@code _get_model_class}), the config and the weights of the framework, falling back to the other
     * framework's weights (as {@code from_tf} / {@code from_pt}), checked against the architecture.
     */
    static ResolvedModel load(ModelFiles files, Optional<ExportTask> task, Optional<Framework> framework) {
        Framework chosen = determineFramework(files, framework);
        ExportTask exportTask = meaningFor(task.orElseGet(() -> ExportTask.of(inferTask(files))),
                ModelConfig.read(files.configFile()).modelType());
        String modelClass = TasksManager.modelClassFor(exportTask.task(), chosen);
        // the class is settled from config.json alone, before any weights are fetched from the Hub
        architectureFor(modelClass, ModelConfig.read(files.configFile()), exportTask);
        ModelFiles.Checkout checkout = files.checkout(chosen);
        ModelConfig config = ModelConfig.read(checkout.folder().resolve("config.json"));
        String architecture = architectureFor(modelClass, config, exportTask);
        String weightsFile = checkout.weightsFile()
                .or(() -> FrameworkWeightFiles.firstPresent(chosen, ModelFiles.listFolder(checkout.folder())))
                .orElseThrow(() -> new ModelNotFoundException("no weights in " + checkout.folder() + ": looked for "
                        + String.join(", ", FrameworkWeightFiles.allFileNames()) + "; point at the folder "
                        + "save_pretrained wrote, with its weights"));
        Weights weights = Checkpoints.open(checkout.folder().resolve(weightsFile));
        try {
            checkWeights(weights, architecture);
            List<String> weightFiles = weights.files().stream()
                    .map(file -> relativeName(checkout.folder(), file))
                    .toList();
            return new ResolvedModel(files.source(), checkout.folder(), checkout.commit(), config, exportTask, chosen,
                    modelClass, architecture, weights, weightFiles);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /**
     * The task a name means for a model type: today's Optimum gives {@code automatic-speech-recognition} to both
     * {@code AutoModelForSpeechSeq2Seq} and {@code AutoModelForCTC}, so for a type whose row exports CTC and not
     * speech2seq-lm (wav2vec2, hubert, wavlm) that task is CTC; every other task is itself.
     */
    static ExportTask meaningFor(ExportTask task, String modelType) {
        if (task.task() != Task.SPEECH2SEQ_LM || task.usesPast()) {
            return task;
        }
        ExportTask ctc = ExportTask.of(Task.CTC);
        return ModelTypes.find(modelType)
                .filter(row -> row.sourceOf(task).isEmpty() && row.sourceOf(ctc).isPresent())
                .map(row -> ctc).orElse(task);
    }

    /**
     * The class an auto class builds for the config's model type, as Transformers' {@code _get_model_class}: where
     * the mapping lists several, the one config.json {@code architectures} names (with or without the {@code TF}
     * prefix), else the first.
     */
    static String architectureFor(String modelClass, ModelConfig config, ExportTask task) {
        List<String> classes = AutoModelMappings.architecturesFor(modelClass, config.modelType());
        if (classes.isEmpty()) {
            Optional<ModelTypeRow> row = ModelTypes.find(config.modelType());
            if (row.isPresent() && row.get().sourceOf(task).isPresent()) {
                // a pair Optimum registers although Transformers cannot load it (flaubert causal-lm)
                throw new UnsupportedTaskException(row.get().whyNotBuilt(task).orElseThrow() + "; "
                        + taskChoices(config.modelType()) + " (" + config.source() + ")");
            }
            throw new UnsupportedTaskException("Transformers' " + modelClass + " has no class for model type "
                    + config.modelType() + ", so task " + task.name() + " cannot load this checkpoint ("
                    + config.source() + "); " + taskChoices(config.modelType()));
        }
        for (String named : config.architectures()) {
            for (String candidate : classes) {
                if (candidate.equals(named) || candidate.equals("TF" + named)) {
                    return candidate;
                }
            }
        }
        return classes.get(0);
    }

    /**
     * What every checkpoint must pass before an export: at least one tensor, each with a readable header entry. Which
     * tensors the task's graph needs is decided when the graph is built: a missing one is an error naming it
     * (models.MissingWeightsException), and the ones it leaves out are reported beside the export (what
     * Transformers calls unexpected keys when loading the class).
     */
    private static void checkWeights(Weights weights, String architecture) {
        if (weights.names().isEmpty()) {
            throw new WeightsMismatchException("the weights in " + weights.files() + " hold no tensors; "
                    + architecture + " needs its parameters: re-save the model with save_pretrained");
        }
        for (String name : weights.names()) {
            weights.info(name);
        }
    }

    /**
     * The base tasks exporters4j exports for a model type (registered, and built); empty when no row describes the
     * type.
     */
    private static Optional<Set<Task>> supportedTasks(String modelType) {
        return ModelTypes.find(modelType).map(row -> {
            Set<Task> tasks = new LinkedHashSet<>();
            row.exportableTasks().forEach(task -> tasks.add(task.task()));
            return tasks;
        });
    }

    private static String taskChoices(String modelType) {
        return supportedTasks(modelType)
                .map(tasks -> tasks.isEmpty()
                        ? "exporters4j exports no task of " + modelType + " yet"
                        : "the tasks " + modelType + " exports are " + tasks.stream().map(Task::canonicalName)
                        .collect(Collectors.joining(", ")))
                .orElse("the tasks are " + String.join(", ", TasksManager.getAllTasks()));
    }

    /** The task a Hub pipeline tag stands for ({@code fill-mask} → masked-lm), as today's Optimum maps it. */
    private static Optional<ExportTask> taskOfPipelineTag(String tag) {
        try {
            return Optional.of(TaskNames.parse(tag));
        } catch (UnknownTaskException e) {
            return Optional.empty(); // a tag without an Optimum v1.5.2 task: the next source of truth decides
        }
    }

    private static String relativeName(Path folder, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path base = folder.toAbsolutePath().normalize();
        Path relative = absolute.startsWith(base) ? base.relativize(absolute) : absolute.getFileName();
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }

    private static String listing(List<String> names) {
        if (names.isEmpty()) {
            return "no files";
        }
        List<String> shown = names.subList(0, Math.min(8, names.size()));
        return String.join(", ", shown) + (names.size() > shown.size() ? " and " + (names.size() - shown.size())
                + " more" : "");
    }
}
