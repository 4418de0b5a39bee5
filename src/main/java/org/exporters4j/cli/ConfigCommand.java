package org.exporters4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.tasks.DynamicTensor;
import org.exporters4j.tasks.ExportConfig;
import org.exporters4j.tasks.TasksManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code exporters4j config}: the export configuration of a model type and task. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"The export configuration of a model type and task: inputs and outputs with dynamic axes (in "
                + "graph order), default opset, validation tolerance and config values overridden for export.",
                "Without --config the model type's Transformers defaults apply."})
final class ConfigCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--model-type",
            converter = OptionValues.ModelType.class,
            description = "Model type (e.g. bert, gpt_neo); default: the config's.")
    String modelType;

    @Option(names = "--task", defaultValue = "default",
            converter = OptionValues.TaskName.class, description = "Task (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--config", description = "A model's config.json.")
    Path config;

    @Option(names = "--exporter", defaultValue = "onnx", converter = OptionValues.ExporterName.class,
            description = "Export backend (default: ${DEFAULT-VALUE}).")
    String exporter;

    @Option(names = "--json", description = "Print JSON: {\"inputs\", \"outputs\", \"opset\", \"atol\", \"values_override\"}.")
    boolean json;

    @Override
    public Integer call() {
        if (modelType == null && config == null) {
            throw new ParameterException(spec.commandLine(), "Give --model-type, --config or both");
        }
        ModelConfig modelConfig = config == null ? null : ModelConfig.read(config);
        ExportConfig export = TasksManager.getExportConfig(modelType, modelConfig, exporter, task);
        return new Answer(() -> toJson(export), () -> toText(export)).print(spec, json);
    }

    private static ObjectNode toJson(ExportConfig export) {
        ObjectNode root = JSON.createObjectNode();
        root.set("inputs", tensors(export.inputs()));
        root.set("outputs", tensors(export.outputs()));
        root.put("opset", export.defaultOpset());
        root.put("atol", export.atol());
        root.set("values_override", JSON.valueToTree(export.valuesOverride()));
        return root;
    }

    private static ObjectNode tensors(List<DynamicTensor> tensors) {
        ObjectNode object = JSON.createObjectNode();
        for (DynamicTensor tensor : tensors) {
            ObjectNode axes = object.putObject(tensor.name());
            tensor.dynamicAxes().forEach((index, name) -> axes.put(Integer.toString(index), name));
        }
        return object;
    }

    private static String toText(ExportConfig export) {
        int width = 2 + java.util.stream.Stream.concat(export.inputs().stream(), export.outputs().stream())
                .mapToInt(tensor -> tensor.name().length()).max().orElse(0);
        StringBuilder text = new StringBuilder();
        text.append(export.modelType()).append(", task ").append(export.task().name()).append(", ")
                .append(export.exporter().id()).append(" exporter (").append(export.configClassName())
                .append(")\nconfig:          ").append(export.modelConfig().source())
                .append("\ndefault opset:   ").append(export.defaultOpset())
                .append("\natol:            ").append(PythonJson.pythonFloat(export.atol()))
                .append("\nvalues_override: ").append(export.valuesOverride().isEmpty() ? "(none)"
                        : export.valuesOverride().entrySet().stream().map(Map.Entry::toString)
                        .collect(Collectors.joining(", ")))
                .append("\ninputs (graph order):\n");
        export.inputs().forEach(tensor -> line(text, tensor, width));
        text.append("outputs:\n");
        export.outputs().forEach(tensor -> line(text, tensor, width));
        return text.toString().stripTrailing();
    }

    private static void line(StringBuilder text, DynamicTensor tensor, int width) {
        text.append(String.format("  %-" + width + "s%-9s%s%n", tensor.name(), tensor.elementType().torchName(),
                tensor.dynamicAxes().entrySet().stream().map(axis -> axis.getKey() + ": " + axis.getValue())
                        .collect(Collectors.joining(", ", "{", "}"))));
    }
}
