package org.exporters4j.tasks;

/**
 * Where a row of the model-type registry comes from. The Optimum v1.5.2 rows reproduce its
 * {@code TasksManager._SUPPORTED_MODEL_TYPE} exactly (51 model types, 243 pairs); later rows add model types that
 * Optimum registered after v1.5.2, with their task lists in v1.5.2's task names.
 */
public enum RegistrySource {
    /** Optimum v1.5.2's registry: tasks, configuration class, interface, opset and tolerance. */
    OPTIMUM_1_5_2("Optimum v1.5.2"),
    /**
     * A model type Optimum registered later (llama from v1.10.1's {@code LlamaOnnxConfig}; mistral and qwen2 with
     * the task lists of today's Optimum): Optimum 1.10.1's decoder interface, opset 13, atol 1e-5.
     */
    LATER_OPTIMUM("later Optimum");

    private final String description;

    RegistrySource(String description) {
        this.description = description;
    }

    /** For people: {@code Optimum v1.5.2}, {@code later Optimum}. */
    public String description() {
        return description;
    }
}
