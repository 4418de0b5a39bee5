package org.exporters4j.tasks;

/**
 * Where a row of the model-type registry comes from. The Optimum v1.5.2 rows reproduce its
 * {@code TasksManager._SUPPORTED_MODEL_TYPE} exactly (51 model types, 243 pairs); later rows add model types that
 * Optimum registered after v1.5.2 (Optimum 1.25.3's interface), and model types of exporters4j's own.
 */
public enum RegistrySource {
    /** Optimum v1.5.2's registry: tasks, configuration class, interface, opset and tolerance. */
    OPTIMUM_1_5_2("Optimum v1.5.2"),
    /**
     * A task a later Optimum added to an Optimum v1.5.2 model type (CodeGen's {@code -with-past} tasks), exported
     * with the type's Optimum v1.5.2 interface.
     */
    LATER_OPTIMUM("later Optimum"),
    /**
     * Optimum 1.25.3's registry ({@code ../shared/reference/optimum-1.25.3-onnx-registry.json}): the model types of
     * today's Hub, with its interface (position ids, today's task lists), opset and tolerance.
     */
    OPTIMUM_1_25_3("Optimum 1.25.3"),
    /**
     * A row of exporters4j's own for a model type no Optimum 1.25.3 registers (qwen3, gemma2, ...): the tasks and
     * interface of the registered type its configuration is built on.
     */
    EXPORTERS4J("exporters4j's own row");

    private final String description;

    RegistrySource(String description) {
        this.description = description;
    }

    /**
     * The name a registry answer gives an export task of a row from this source: Optimum v1.5.2's canonical names
     * ({@code causal-lm-with-past}) for its rows and the later decoders that follow them, Optimum 1.25.3's names
     * ({@code text-generation-with-past}) for today's rows and exporters4j's own, as that registry lists them.
     */
    public String taskName(ExportTask task) {
        return switch (this) {
            case OPTIMUM_1_5_2, LATER_OPTIMUM -> task.name();
            case OPTIMUM_1_25_3, EXPORTERS4J -> task.todaysName();
        };
    }

    /** For people: {@code Optimum v1.5.2}, {@code later Optimum}. */
    public String description() {
        return description;
    }
}
