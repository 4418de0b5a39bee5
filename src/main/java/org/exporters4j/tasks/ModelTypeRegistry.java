package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * model type → exporter → task → export-configuration constructor, built once from rows and unmodifiable; the
 * counterpart of Optimum v1.5.2's {@code TasksManager._SUPPORTED_MODEL_TYPE}. Model types keep the rows' order;
 * tasks keep each row's order. A second exporter, or a new model type, is new rows: the queries do not change.
 */
final class ModelTypeRegistry {
    /** One (model type, exporter) pair: its tasks in order and the backend configuration that serves them. */
    record Row(String modelType, Exporter exporter, ExportConfigFactory factory, List<ExportTask> tasks,
               RegistrySource source) {
        Row {
            if (source == null) {
                throw new IllegalArgumentException(modelType + ": a registry row needs its source");
            }
            if (modelType == null || !modelType.equals(normalize(modelType))) {
                throw new IllegalArgumentException("registry keys are lower-case with '-': " + modelType);
            }
            tasks = List.copyOf(tasks);
            if (tasks.isEmpty() || tasks.stream().distinct().count() != tasks.size()) {
                throw new IllegalArgumentException(modelType + " lists no task or a task twice: " + tasks);
            }
        }
    }

    /**
     * The ONNX row of a model type as the Optimum version it comes from registers it ({@link
     * ModelTypeRow#parityTasks()}).
     */
    static Row parityRow(ModelTypeRow row) {
        return new Row(row.modelType(), Exporter.ONNX, row.onnx(), row.parityTasks(), row.source());
    }

    /** A registered constructor, named for display as Optimum's {@code partial} would be. */
    private record Registered(String modelType, ExportTask task, ExportConfigFactory factory)
            implements ExportConfigConstructor {
        @Override
        public ExportConfig create(org.exporters4j.checkpoint.ModelConfig config) {
            if (config == null) {
                throw new IllegalArgumentException("a model config is required (ModelConfig.defaultsFor(\""
                        + modelType + "\") gives Transformers' defaults)");
            }
            return factory.create(modelType, task, config);
        }

        @Override
        public String toString() {
            return factory.configClassName() + "(task=" + task.name() + ")";
        }
    }

    private final Map<String, Map<Exporter, Map<ExportTask, ExportConfigConstructor>>> types;
    private final Map<String, RegistrySource> sources;

    private ModelTypeRegistry(Map<String, Map<Exporter, Map<ExportTask, ExportConfigConstructor>>> types,
                              Map<String, RegistrySource> sources) {
        this.types = types;
        this.sources = sources;
    }

    /** A registry of {@code rows}; a (model type, exporter) pair given twice is an error. */
    static ModelTypeRegistry of(List<Row> rows) {
        Map<String, Map<Exporter, Map<ExportTask, ExportConfigConstructor>>> types = new LinkedHashMap<>();
        Map<String, RegistrySource> sources = new LinkedHashMap<>();
        for (Row row : rows) {
            RegistrySource known = sources.putIfAbsent(row.modelType(), row.source());
            if (known != null && known != row.source()) {
                throw new IllegalStateException(row.modelType() + ": rows of one model type come from one source, "
                        + "not " + known + " and " + row.source());
            }
            Map<Exporter, Map<ExportTask, ExportConfigConstructor>> exporters =
                    types.computeIfAbsent(row.modelType(), key -> new EnumMap<>(Exporter.class));
            Map<ExportTask, ExportConfigConstructor> tasks = new LinkedHashMap<>();
            for (ExportTask task : row.tasks()) {
                tasks.put(task, new Registered(row.modelType(), task, row.factory()));
            }
            if (exporters.put(row.exporter(), Collections.unmodifiableMap(tasks)) != null) {
                throw new IllegalStateException("duplicate registry row: " + row.modelType() + " / "
                        + row.exporter().id());
            }
        }
        Map<String, Map<Exporter, Map<ExportTask, ExportConfigConstructor>>> frozen = new LinkedHashMap<>();
        types.forEach((type, exporters) -> frozen.put(type, Collections.unmodifiableMap(exporters)));
        return new ModelTypeRegistry(Collections.unmodifiableMap(frozen), Collections.unmodifiableMap(sources));
    }

    /** Optimum's key for a model type written any way: lower case, {@code _} → {@code -} ({@code gpt_neo} → {@code gpt-neo}). */
    static String normalize(String modelType) {
        return modelType == null ? "" : modelType.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    boolean contains(String modelType) {
        return types.containsKey(normalize(modelType));
    }

    /** Model types that have a configuration for {@code exporter}, in registry order. */
    List<String> modelTypes(Exporter exporter) {
        List<String> result = new ArrayList<>();
        types.forEach((type, exporters) -> {
            if (exporters.containsKey(exporter)) {
                result.add(type);
            }
        });
        return List.copyOf(result);
    }

    /** Where a registered model type's rows come from, or null for an unknown model type. */
    RegistrySource source(String modelType) {
        return sources.get(normalize(modelType));
    }

    /** Every model type, in registry order. */
    List<String> modelTypes() {
        return List.copyOf(types.keySet());
    }

    /** The exporters of a registered model type, in declaration order. */
    List<Exporter> exporters(String modelType) {
        return List.copyOf(types.get(normalize(modelType)).keySet());
    }

    /** task → constructor of a registered (model type, exporter) pair, or null when the type lacks the exporter. */
    Map<ExportTask, ExportConfigConstructor> tasks(String modelType, Exporter exporter) {
        Map<Exporter, Map<ExportTask, ExportConfigConstructor>> exporters = types.get(normalize(modelType));
        return exporters == null ? null : exporters.get(exporter);
    }
}
