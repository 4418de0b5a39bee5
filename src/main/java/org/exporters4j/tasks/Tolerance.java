package org.exporters4j.tasks;

import java.util.EnumMap;
import java.util.Map;

/**
 * The absolute tolerance for validating an export against the source model: one value, or per task where Optimum's
 * {@code ATOL_FOR_VALIDATION} is a dict (indexed by the task without {@code -with-past}, as Optimum v1.5.2's CLI
 * does).
 */
record Tolerance(double defaultAtol, Map<Task, Double> perTask) {
    Tolerance {
        requireValid(defaultAtol);
        perTask.values().forEach(Tolerance::requireValid);
        EnumMap<Task, Double> copy = new EnumMap<>(Task.class);
        copy.putAll(perTask);
        perTask = java.util.Collections.unmodifiableMap(copy);
    }

    static Tolerance of(double atol) {
        return new Tolerance(atol, Map.of());
    }

    double forTask(Task task) {
        return perTask.getOrDefault(task, defaultAtol);
    }

    private static void requireValid(double atol) {
        if (!(atol > 0) || Double.isInfinite(atol)) {
            throw new IllegalArgumentException("a validation tolerance must be positive and finite, got " + atol);
        }
    }
}
