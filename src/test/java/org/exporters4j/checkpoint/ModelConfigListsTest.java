package org.exporters4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ModelConfig#doubleList}: a list of numbers, a single number as a list of one, defaults, wrong types. */
class ModelConfigListsTest {
    @Test
    void listsOfNumbersAndSingleNumbersAreRead() {
        ModelConfig list = ModelConfig.parse("{\"model_type\": \"groupvit_vision_model\", \"assign_mlp_ratio\": [0.5, 4]}",
                "test");
        assertEquals(List.of(0.5, 4.0), list.doubleList("assign_mlp_ratio"));
        ModelConfig single = ModelConfig.parse("{\"model_type\": \"groupvit_vision_model\", \"assign_mlp_ratio\": 2}",
                "test");
        assertEquals(List.of(2.0), single.doubleList("assign_mlp_ratio"));
    }

    @Test
    void theClassDefaultAppliesAndAbsentKeysAreEmpty() {
        ModelConfig defaults = ModelConfig.defaultsFor("groupvit_vision_model");
        assertEquals(List.of(0.5, 4.0), defaults.doubleList("assign_mlp_ratio"));
        assertEquals(List.of(), defaults.doubleList("no_such_option"));
    }

    @Test
    void otherValuesAreErrorsNamingTheKey() {
        ModelConfig config = ModelConfig.parse("{\"model_type\": \"groupvit_vision_model\", "
                + "\"assign_mlp_ratio\": [0.5, \"four\"]}", "config.json");
        ModelConfigException error = assertThrows(ModelConfigException.class,
                () -> config.doubleList("assign_mlp_ratio"));
        assertTrue(error.getMessage().contains("assign_mlp_ratio"), error.getMessage());
        assertTrue(error.getMessage().contains("a number or a list of numbers"), error.getMessage());
    }
}
