package org.exporters4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exporters4j.tasks.RegistrySource;
import org.exporters4j.tasks.TasksManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code exporters4j tasks}: the supported model types and tasks, one type's tasks, or a task's model class. */
@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = {"Without options: every supported model type and its tasks.",
                "--model-type: that type's tasks, one per line. --task: the Transformers auto-model class of a task."})
final class TasksCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--exporter", defaultValue = "onnx", converter = OptionValues.ExporterName.class,
            description = "Export backend (default: ${DEFAULT-VALUE}).")
    String exporter;

    @Option(names = "--model-type",
            converter = OptionValues.ModelType.class,
            description = "List the tasks of this model type (e.g. distilbert, gpt_neo).")
    String modelType;

    @Option(names = "--task",
            converter = OptionValues.TaskName.class,
            description = "Print the auto-model class of this task (e.g. causal-lm, text-generation).")
    String task;

    @Option(names = "--framework",
            converter = OptionValues.FrameworkName.class, description = "With --task: pt (default) or tf.")
    String framework;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (modelType != null && task != null) {
            throw new ParameterException(spec.commandLine(), "Use either --model-type or --task, not both");
        }
        if (framework != null && task == null) {
            throw new ParameterException(spec.commandLine(), "--framework only applies with --task");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (task != null) {
            String modelClass = TasksManager.getModelClassForTask(task, framework == null ? "pt" : framework);
            out.println(json ? PythonJson.write(JSON.getNodeFactory().textNode(modelClass)) : modelClass);
        } else if (modelType != null) {
            List<String> tasks = List.copyOf(TasksManager.getSupportedTasksForModelType(modelType, exporter).keySet());
            if (json) {
                ArrayNode array = JSON.createArrayNode();
                tasks.forEach(array::add);
                out.println(PythonJson.write(array));
            } else {
                tasks.forEach(out::println);
            }
        } else {
            Map<String, List<String>> table = TasksManager.getSupportedTasksByModelType(exporter);
            if (json) {
                ObjectNode object = JSON.createObjectNode();
                table.forEach((type, tasks) -> tasks.forEach(object.putArray(type)::add));
                out.println(PythonJson.write(object));
            } else {
                printTable(out, table);
            }
        }
        out.flush();
        return 0;
    }

    private void printTable(PrintWriter out, Map<String, List<String>> table) {
        int width = Math.max("model type".length(), table.keySet().stream().mapToInt(String::length).max().orElse(0));
        String format = "%-" + width + "s  %s%n";
        out.printf(format, "model type", "tasks (" + exporter.strip().toLowerCase(java.util.Locale.ROOT) + " exporter)");
        table.forEach((type, tasks) -> out.printf(format, type, String.join(", ", tasks)));
        // rows carry their source: Optimum v1.5.2's registry (its task names), then today's model types grouped by
        // the registry they come from (Optimum 1.25.3's names)
        Map<RegistrySource, List<String>> bySource = new java.util.EnumMap<>(RegistrySource.class);
        table.keySet().forEach(type -> bySource.computeIfAbsent(TasksManager.getRegistrySource(type),
                source -> new java.util.ArrayList<>()).add(type));
        int pairs = table.values().stream().mapToInt(List::size).sum();
        String sources = "";
        if (bySource.keySet().stream().anyMatch(source -> source != RegistrySource.OPTIMUM_1_5_2)) {
            List<String> v152 = bySource.getOrDefault(RegistrySource.OPTIMUM_1_5_2, List.of());
            StringBuilder text = new StringBuilder(": " + RegistrySource.OPTIMUM_1_5_2.description() + "'s "
                    + v152.size() + " and " + v152.stream().mapToInt(type -> table.get(type).size()).sum());
            bySource.forEach((source, types) -> {
                if (source != RegistrySource.OPTIMUM_1_5_2) {
                    text.append(", then ").append(String.join(", ", types)).append(" from ")
                            .append(source.description());
                }
            });
            sources = text.toString();
        }
        out.printf("%n%d model types, %d (model type, task) pairs%s; `exporters4j tasks --model-type TYPE` lists one "
                + "type's tasks%n", table.size(), pairs, sources);
    }
}
