package org.exporters4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.exporters4j.tasks.ModelTypeRow;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;

/**
 * The config defaults and the model-type table describe the same model types: every row has its Transformers
 * configuration class, and every configuration class belongs to a row or is a sub-configuration a row reads
 * ({@code clip_text_model}). Both are keyed by model type ({@code _} and {@code -} alike).
 */
class ConfigDefaultsAndRowsTest {
    @Test
    void everyRowHasConfigDefaultsAndEveryConfigClassHasARow() {
        List<String> withoutDefaults = new ArrayList<>();
        Set<String> described = new TreeSet<>();
        for (ModelTypeRow row : ModelTypes.rows()) {
            if (!ConfigDefaults.isKnown(row.modelType())) {
                withoutDefaults.add(row.modelType());
            }
            described.add(ConfigDefaults.canonicalModelType(row.modelType()));
            for (String subType : row.subConfigTypes()) {
                assertTrue(ConfigDefaults.isKnown(subType), row.modelType() + " reads a " + subType + " config");
                described.add(ConfigDefaults.canonicalModelType(subType));
            }
        }
        assertEquals(List.of(), withoutDefaults, "rows without config defaults");
        List<String> withoutRow = ConfigDefaults.modelTypes().stream().filter(type -> !described.contains(type))
                .toList();
        assertEquals(List.of(), withoutRow, "config classes no row describes or reads");
        assertTrue(described.containsAll(List.of("clip_text_model", "owlvit_vision_model", "groupvit_text_model",
                "gpt_neo", "data2vec-text")), described.toString());
    }
}
