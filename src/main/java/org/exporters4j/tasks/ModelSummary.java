package org.exporters4j.tasks;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * @param task           the canonical task (inferred unless one was given)
 * @param modelClass     the auto class of the task, e.g. {@code AutoModelForMaskedLM}
 * @param architecture   the concrete class, e.g. {@code BertForMaskedLM}
 * @param weights        the weight files read, relative to the checkpoint folder
 * @param dtype          the element type of the parameters, as PyTorch names it ({@code float32}): the floating-point
 *                       type holding the most values (the type holding the most values when none is floating-point)
 * @param parameters     the number of floating-point values in the weights, tensors that share one storage (tied
 *                       weights in a pytorch_model.bin) counted once; integer and boolean buffers (position ids,
 *                       causal masks) are not parameters
 * @param supportedTasks the tasks the ONNX exporter supports for the model type, in Optimum's order (empty when the
 *                       model type has no export configuration)
 */
public record ModelSummary(String source, Path folder, String modelType, String framework, String task, String modelClass, String architecture,
                           List<String> weights, String dtype, long parameters, List<String> supportedTasks) {
    private static final String EXPORTER = "onnx";

    public ModelSummary {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(framework, "framework");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(modelClass, "modelClass");
        Objects.requireNonNull(architecture, "architecture");
        weights = List.copyOf(weights);
        Objects.requireNonNull(dtype, "dtype");
        if (parameters < 0) {
            throw new IllegalArgumentException("a parameter count is not negative: " + parameters);
        }
        supportedTasks = List.copyOf(supportedTasks);
    }

    /**
     * Resolves a model as {@link TasksManager#getModelFromTask} does and summarises it; the weights are closed again.
     *
     * @param task      a task name, or {@code auto} to infer it
     * @param framework {@code pt}, {@code tf}, or null to determine it
     */
    public static ModelSummary inspect(ModelSource model, String task, String framework, HubSettings hub) {
        try (ResolvedModel resolved = TasksManager.getModelFromTask(task, model, framework, hub)) {
            return of(resolved);
        }
    }

    /** The summary of a resolved model; reads tensor headers only, never tensor data. */
    public static ModelSummary of(ResolvedModel model) {
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
        return new ModelSummary(model.source().describe(), model.folder(), model.modelType(), model.framework().id(), model.task().name(), model.modelClass(),
                model.architecture(), model.weightFiles(), dominantType(valuesByType).torchName(), parameters,
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

    private static List<String> supportedTasks(String modelType) {
        String key = TasksManager.normalizeModelType(modelType);
        return TasksManager.getSupportedModelTypes(EXPORTER).contains(key)
                ? TasksManager.getSupportedTasksByModelType(EXPORTER).get(key)
                : List.of();
    }
}
