package org.exporters4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.Revision;
import org.exporters4j.tasks.ModelSource;
import org.exporters4j.tasks.ModelSummary;
import picocli.CommandLine.Command;
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

    @Option(names = "--revision", description = "Hub branch, tag or commit (default: main).")
    String revision;

    @Option(names = {"--cache-dir", "--cache_dir"}, paramLabel = "DIR",
            description = "Hub cache folder (default: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub).")
    Path cacheDir;

    @Option(names = "--framework", description = "pt or tf (default: the framework of the weight files).")
    String framework;

    @Option(names = "--task", defaultValue = "auto",
            description = "The task to resolve instead of the inferred one (default: ${DEFAULT-VALUE}); needed when "
                    + "the model's class fits several tasks.")
    String task;

    @Option(names = "--json", description = "Print JSON: model_type, framework, task, model_class, architecture, "
            + "weights, dtype, parameters, supported_tasks.")
    boolean json;

    InspectCommand(Supplier<HubSettings> hubSettings) {
        this.hubSettings = Objects.requireNonNull(hubSettings, "hubSettings");
    }

    @Override
    public Integer call() {
        HubSettings hub = hubSettings.get();
        ModelSource source = ModelSource.of(model, revision == null ? Revision.MAIN : Revision.of(revision));
        ModelSummary summary = ModelSummary.inspect(source, task, framework,
                cacheDir == null ? hub : hub.withCacheDir(cacheDir));
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? PythonJson.write(toJson(summary)) : text(summary));
        out.flush();
        return 0;
    }

    /** Exactly the documented keys, in their documented order. */
    private static ObjectNode toJson(ModelSummary summary) {
        ObjectNode node = JSON.createObjectNode();
        node.put("model_type", summary.modelType());
        node.put("framework", summary.framework());
        node.put("task", summary.task());
        node.put("model_class", summary.modelClass());
        node.put("architecture", summary.architecture());
        summary.weights().forEach(node.putArray("weights")::add);
        node.put("dtype", summary.dtype());
        node.put("parameters", summary.parameters());
        summary.supportedTasks().forEach(node.putArray("supported_tasks")::add);
        if (!node.has("weights")) {
            node.putArray("weights");
        }
        if (!node.has("supported_tasks")) {
            node.putArray("supported_tasks");
        }
        return node;
    }

    private static String text(ModelSummary summary) {
        String format = "%-16s%s%n";
        StringBuilder text = new StringBuilder();
        text.append(String.format(format, "model", summary.source()));
        text.append(String.format(format, "files", summary.folder()));
        text.append(String.format(format, "model type", summary.modelType()));
        text.append(String.format(format, "framework", summary.framework()));
        text.append(String.format(format, "task", summary.task()));
        text.append(String.format(format, "model class", summary.modelClass()));
        text.append(String.format(format, "architecture", summary.architecture()));
        text.append(String.format(format, "weights", String.join(", ", summary.weights())));
        text.append(String.format(format, "dtype", summary.dtype()));
        text.append(String.format(format, "parameters", String.format("%,d", summary.parameters())));
        text.append(String.format(format, "onnx tasks", summary.supportedTasks().isEmpty()
                ? "none (no ONNX export configuration for " + summary.modelType() + ")"
                : String.join(", ", summary.supportedTasks())));
        return text.toString().stripTrailing();
    }
}
