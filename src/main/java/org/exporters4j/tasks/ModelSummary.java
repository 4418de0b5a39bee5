package org.exporters4j.tasks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.hub.HubSettings;

/**
 * What {@code ./exporters4j inspect} reports about a model: its type, the framework and task it resolves to, the
 * Transformers classes that load it, its weights and what the exporter can do with it.
 *
 * @param source         where the model came from, e.g. {@code Hub repository bert-base-uncased}
 * @param folder         the local folder read: the user's, or the Hub snapshot in the cache
 * @param modelType      {@code model_type} as config.json spells it
 * @param framework      {@code pt} or {@code tf}
 * @param fittingTasks   the tasks the summary stands for, each with its auto class and concrete class: the one given
 *                       with {@code --task} or inferred; several where the checkpoint's class serves several tasks
 *                       and none was given (XLMWithLMHeadModel: causal-lm and masked-lm), in the order inference
 *                       found them
 * @param weights        the weight files read, relative to the checkpoint folder
 * @param dtype          the element type of the parameters, as PyTorch names it ({@code float32}): the floating-point
 *                       type holding the most values (the type holding the most values when none is floating-point)
 * @param parameters     the number of floating-point values in the weights, tensors that share one storage (tied
 *                       weights in a pytorch_model.bin) counted once; integer and boolean buffers (position ids,
 *                       causal masks) are not parameters
 * @param supportedTasks the tasks the ONNX exporter supports for the model type, in Optimum's order (empty when the
 *                       model type has no export configuration)
 */
public record ModelSummary(String source, Path folder, String modelType, String framework, List<TaskFit> fittingTasks,
                           List<String> weights, String dtype, long parameters, List<String> supportedTasks) {

    /**
     * One task a checkpoint fits.
     *
     * @param task         the canonical task, e.g. {@code masked-lm}
     * @param modelClass   the auto class of the task and framework, e.g. {@code AutoModelForMaskedLM}
     * @param architecture the concrete class it builds for the model type, e.g. {@code XLMWithLMHeadModel}
     */
    public record TaskFit(String task, String modelClass, String architecture) {
        public TaskFit {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(modelClass, "modelClass");
            Objects.requireNonNull(architecture, "architecture");
        }
    }

    public ModelSummary {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(framework, "framework");
        fittingTasks = List.copyOf(fittingTasks);
        if (fittingTasks.isEmpty()) {
            throw new IllegalArgumentException("a model summary stands for at least one task");
        }
        weights = List.copyOf(weights);
        Objects.requireNonNull(dtype, "dtype");
        if (parameters < 0) {
            throw new IllegalArgumentException("a parameter count is not negative: " + parameters);
        }
        supportedTasks = List.copyOf(supportedTasks);
    }

    /** The task, its auto class and concrete class, when one task fits (or was given); empty when several fit. */
    public Optional<TaskFit> task() {
        return fittingTasks.size() == 1 ? Optional.of(fittingTasks.get(0)) : Optional.empty();
    }

    /** The concrete class every fitting task loads, when they agree (they do when config.json names one class). */
    public Optional<String> architecture() {
        List<String> classes = fittingTasks.stream().map(TaskFit::architecture).distinct().toList();
        return classes.size() == 1 ? Optional.of(classes.get(0)) : Optional.empty();
    }

    /**
     * Resolves a model as {@link TasksManager#getModelFromTask} does and summarises it; the weights are closed again.
     * With {@code auto}, a checkpoint whose class fits several tasks is summarised anyway (its weights are the same
     * for each), naming every task that fits instead of stopping as an export does; a class that fits no task is
     * still an error.
     *
     * @param task      a task name, or {@code auto} to infer it
     * @param framework {@code pt}, {@code tf}, or null to determine it
     */
    public static ModelSummary inspect(ModelSource model, String task, String framework, HubSettings hub) {
        if (!CheckpointLoader.AUTO.equalsIgnoreCase(task.strip())) {
            try (ResolvedModel resolved = TasksManager.getModelFromTask(task, model, framework, hub)) {
                return of(resolved);
            }
        }
        Optional<Framework> chosen = framework == null ? Optional.empty() : Optional.of(Framework.parse(framework));
        try (ModelFiles files = ModelFiles.of(model, hub)) {
            return TasksManager.withSourceNamed(model, () -> {
                List<Task> candidates = CheckpointLoader.taskCandidates(files).tasks();
                try (ResolvedModel resolved = CheckpointLoader.load(files,
                        Optional.of(ExportTask.of(candidates.get(0))), chosen)) {
                    List<TaskFit> fits = new ArrayList<>();
                    for (Task candidate : candidates) {
                        ExportTask exportTask = ExportTask.of(candidate);
                        String modelClass = TasksManager.modelClassFor(candidate, resolved.framework());
                        fits.add(new TaskFit(exportTask.name(), modelClass,
                                CheckpointLoader.architectureFor(modelClass, resolved.config(), exportTask)));
                    }
                    return summary(resolved, fits);
                }
            });
        }
    }

    /** The summary of a resolved model; reads tensor headers only, never tensor data. */
    public static ModelSummary of(ResolvedModel model) {
        return summary(model, List.of(new TaskFit(model.task().name(), model.modelClass(), model.architecture())));
    }

    private static ModelSummary summary(ResolvedModel model, List<TaskFit> fits) {
        Weights weights = model.weights();
        Map<DType, Long> valuesByType = new EnumMap<>(DType.class);
        Set<Object> countedStorages = new HashSet<>();
        long parameters = 0;
        for (String name : weights.names()) {
            TensorInfo info = weights.info(name);
            valuesByType.merge(info.dtype(), info.elementCount(), Long::sum);
            if (isFloatingPoint(info.dtype()) && countedStorages.add(weights.storageIdentity(name))) {
                parameters += info.elementCount();
            }
        }
        return new ModelSummary(model.source().describe(), model.folder(), model.modelType(), model.framework().id(),
                fits, model.weightFiles(), dominantType(valuesByType).torchName(), parameters,
                supportedTasks(model.modelType()));
    }

    /** Floating-point types before the others, then the type holding more values (ties: DType's order). */
    private static DType dominantType(Map<DType, Long> valuesByType) {
        Comparator<Map.Entry<DType, Long>> order = Comparator
                .comparing((Map.Entry<DType, Long> entry) -> isFloatingPoint(entry.getKey()))
                .thenComparing(Map.Entry::getValue)
                .thenComparing(entry -> -entry.getKey().ordinal());
        return valuesByType.entrySet().stream().max(order).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException("a resolved model holds at least one tensor"));
    }

    private static boolean isFloatingPoint(DType type) {
        return switch (type) {
            case F64, F32, F16, BF16 -> true;
            default -> false;
        };
    }

    /**
     * The type's ONNX tasks as the registry it comes from lists them (the row's parity tasks, named as that registry
     * names them); none without a row.
     */
    private static List<String> supportedTasks(String modelType) {
        return ModelTypes.find(modelType).map(row -> row.parityTasks().stream().map(row.source()::taskName).toList())
                .orElse(List.of());
    }
}
