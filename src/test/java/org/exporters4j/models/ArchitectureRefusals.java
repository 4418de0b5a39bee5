package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.tasks.ModelTypes;

/**
 * Test helper: builds a fixture's graph with config.json values overridden and expects the architecture to refuse,
 * with a message naming what it must name.
 */
public final class ArchitectureRefusals {
    private ArchitectureRefusals() {}

    /**
     * Builds the first fixture of {@code modelType} and {@code task} with {@code overrides} applied to its config;
     * the build must throw {@code expected} whose message contains every one of {@code named}.
     */
    public static <T extends ArchitectureException> T refuse(Class<T> expected, String modelType, String task,
                                                             Variant variant, Map<String, ?> overrides,
                                                             String... named) {
        return refuse(expected, modelType, task, task, variant, overrides, named);
    }

    /**
     * As {@link #refuse(Class, String, String, Variant, Map, String...)}, with the checkpoint of one task's fixture
     * and the interface of another's (a checkpoint saved with another head).
     */
    public static <T extends ArchitectureException> T refuse(Class<T> expected, String modelType,
                                                             String checkpointTask, String interfaceTask,
                                                             Variant variant, Map<String, ?> overrides,
                                                             String... named) {
        Fixture fixture = fixture(modelType, checkpointTask);
        Fixture interfaceFixture = fixture(modelType, interfaceTask);
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(fixture.valuesOverride()).withOverrides(overrides);
        T error;
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            error = assertThrows(expected, () -> ModelTypes.architecture(modelType).build(config, weights,
                    variant, interfaceFixture.graphInterface(interfaceFixture.defaultOpset())));
        }
        for (String name : named) {
            assertTrue(error.getMessage().contains(name), "message should name " + name + ": " + error.getMessage());
        }
        return error;
    }

    private static Fixture fixture(String modelType, String task) {
        return Fixture.of(List.of(modelType)).stream().filter(f -> f.task().equals(task)).findFirst()
                .orElseThrow(() -> new AssertionError("no fixture " + modelType + "--" + task));
    }
}
