package org.exporters4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.Revision;
import org.exporters4j.tasks.ModelSource;
import org.exporters4j.tasks.ModelSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code exporters4j inspect MODEL}: what a checkpoint folder or Hub model is (type, framework, task, classes,
 * weights) and which tasks it exports to. Formatting only; {@link ModelSummary#inspect} decides everything.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Describe a model: its type, framework, task (inferred), Transformers classes, weights and "
                + "the tasks it can be exported for.",
                "MODEL is a local checkpoint folder or a Hugging Face Hub repo id."})
final class InspectCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<HubSettings> hubSettings;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "A checkpoint folder or a Hub repo id (org/name).")
    String model;

    @Mixin
    HubOptions hubOptions;

    @Option(names = "--framework",
            converter = OptionValues.FrameworkName.class,
            description = "pt or tf (default: the framework of the weight files).")
    String framework;

    @Option(names = "--task", defaultValue = "auto", converter = OptionValues.TaskNameOrAuto.class,
            description = "The task to resolve instead of the inferred one (default: ${DEFAULT-VALUE}); picks one "
                    + "where the model's class fits several tasks (without it, inspect lists the tasks that fit).")
    String task;

    @Option(names = "--json", description = "Print JSON: model_type, framework, task, model_class, architecture, "
            + "weights, dtype, parameters, supported_tasks, fitting_tasks.")
    boolean json;

    InspectCommand(Supplier<HubSettings> hubSettings) {
        this.hubSettings = Objects.requireNonNull(hubSettings, "hubSettings");
    }

    @Override
    public Integer call() {
        HubSettings hub = hubSettings.get();
        String revision = hubOptions.revision;
        ModelSource source = ModelSource.of(model, revision == null ? Revision.MAIN : Revision.of(revision));
        ModelSummary summary = ModelSummary.inspect(source, task, framework,
                hubOptions.cacheDir == null ? hub : hub.withCacheDir(hubOptions.cacheDir));
        return new Answer(() -> toJson(summary), () -> text(summary)).print(spec, json);
    }

    /**
     * Exactly the documented keys, in their documented order. Where several tasks fit (none given with --task),
     * {@code task} and {@code model_class} are null, as is {@code architecture} unless every fitting task loads the
     * same class; {@code fitting_tasks} always lists each fitting task with its classes.
     */
    private static ObjectNode toJson(ModelSummary summary) {
        ObjectNode node = JSON.createObjectNode();
        node.put("model_type", summary.modelType());
        node.put("framework", summary.framework());
        node.put("task", summary.task().map(ModelSummary.TaskFit::task).orElse(null));
        node.put("model_class", summary.task().map(ModelSummary.TaskFit::modelClass).orElse(null));
        node.put("architecture", summary.architecture().orElse(null));
        ArrayNode weights = node.putArray("weights");
        summary.weights().forEach(weights::add);
        node.put("dtype", summary.dtype());
        node.put("parameters", summary.parameters());
        ArrayNode supported = node.putArray("supported_tasks");
        summary.supportedTasks().forEach(supported::add);
        ArrayNode fitting = node.putArray("fitting_tasks");
        for (ModelSummary.TaskFit fit : summary.fittingTasks()) {
            fitting.addObject().put("task", fit.task()).put("model_class", fit.modelClass())
                    .put("architecture", fit.architecture());
        }
        return node;
    }

    private static String text(ModelSummary summary) {
        String format = "%-16s%s%n";
        List<ModelSummary.TaskFit> fits = summary.fittingTasks();
        String task = summary.task().map(ModelSummary.TaskFit::task).orElseGet(() -> "several fit: "
                + fits.stream().map(ModelSummary.TaskFit::task).collect(Collectors.joining(", "))
                + " (pass --task with one of them)");
        String modelClass = summary.task().map(ModelSummary.TaskFit::modelClass).orElseGet(() -> fits.stream()
                .map(fit -> fit.modelClass() + " (" + fit.task() + ")").collect(Collectors.joining(", ")));
        String architecture = summary.architecture().orElseGet(() -> fits.stream()
                .map(fit -> fit.architecture() + " (" + fit.task() + ")").collect(Collectors.joining(", ")));
        StringBuilder text = new StringBuilder();
        text.append(String.format(format, "model", summary.source()));
        text.append(String.format(format, "files", summary.folder()));
        text.append(String.format(format, "model type", summary.modelType()));
        text.append(String.format(format, "framework", summary.framework()));
        text.append(String.format(format, "task", task));
        text.append(String.format(format, "model class", modelClass));
        text.append(String.format(format, "architecture", architecture));
        text.append(String.format(format, "weights", String.join(", ", summary.weights())));
        text.append(String.format(format, "dtype", summary.dtype()));
        text.append(String.format(format, "parameters", String.format("%,d", summary.parameters())));
        text.append(String.format(format, "onnx tasks", summary.supportedTasks().isEmpty()
                ? "none (no ONNX export configuration for " + summary.modelType() + ")"
                : String.join(", ", summary.supportedTasks())));
        return text.toString().stripTrailing();
    }
}
