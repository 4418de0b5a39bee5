package org.exporters4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config values outside their range are refused when read, naming the stored attribute, the value and the range. */
class ConfigRangesTest {
    private static String refusal(String json, String key) {
        ModelConfig config = ModelConfig.parse(json, "c.json");
        return assertThrows(ModelConfigException.class, () -> {
            if (key.contains("eps")) {
                config.doubleValue(key);
            } else {
                config.intValue(key);
            }
        }).getMessage();
    }

    /** A minimum the reader sets ({@link ModelConfig#intAtLeast}): the message names the key, the value and why. */
    @Test
    void readersRefuseIntegersBelowTheirMinimum() {
        ModelConfig config = ModelConfig.parse("{\"model_type\": \"longt5\", \"local_radius\": -1, "
                + "\"global_block_size\": 0, \"num_heads\": 1}", "c.json");
        assertEquals("c.json sets local_radius -1; it must be 0 or more (LongT5 uses 127)",
                assertThrows(ModelConfigException.class,
                        () -> config.intAtLeast("local_radius", 0, "LongT5 uses 127")).getMessage());
        assertEquals("c.json sets local_radius -1; it must be 0 or more",
                assertThrows(ModelConfigException.class, () -> config.nonNegativeInt("local_radius")).getMessage());
        assertEquals("c.json sets global_block_size 0; it must be 1 or more",
                assertThrows(ModelConfigException.class, () -> config.positiveInt("global_block_size")).getMessage());
        assertEquals(1, config.positiveInt("num_heads"));
        assertEquals(0, ModelConfig.parse("{\"model_type\": \"longt5\", \"local_radius\": 0}", "c.json")
                .nonNegativeInt("local_radius"));
    }

    @Test
    void layerCountsRunFromOneToTheCap() {
        assertEquals("c.json: the layer count (n_layer) must be positive, got -3",
                refusal("{\"model_type\": \"gpt2\", \"n_layer\": -3}", "num_hidden_layers"));
        assertEquals("c.json: the layer count (num_hidden_layers) must be at most 4096 (exporters4j's cap on layers;"
                + " the largest published models have under 200), got 4097",
                refusal("{\"model_type\": \"bert\", \"num_hidden_layers\": 4097}", "num_hidden_layers"));
        assertEquals(4096, ModelConfig.parse("{\"model_type\": \"bert\", \"num_hidden_layers\": 4096}", "c.json")
                .intValue("num_hidden_layers"));
        assertEquals(1, ModelConfig.parse("{\"model_type\": \"distilbert\", \"n_layers\": 1}", "c.json")
                .intValue("n_layers"));
    }

    @Test
    void widthsVocabulariesAndKeyValueHeadsArePositive() {
        assertEquals("c.json: the width (hidden_size) must be positive, got 0",
                refusal("{\"model_type\": \"bert\", \"hidden_size\": 0}", "hidden_size"));
        assertEquals("c.json: the width (n_embd) must be positive, got -768",
                refusal("{\"model_type\": \"gpt2\", \"n_embd\": -768}", "hidden_size"));
        assertEquals("c.json: the vocabulary size (vocab_size) must be positive, got 0",
                refusal("{\"model_type\": \"bert\", \"vocab_size\": 0}", "vocab_size"));
        assertEquals("c.json: the attention head count (num_key_value_heads) must be positive, got 0",
                refusal("{\"model_type\": \"llama\", \"num_key_value_heads\": 0}", "num_key_value_heads"));
        assertEquals(8, ModelConfig.parse("{\"model_type\": \"t5\", \"d_kv\": 8}", "c.json").intValue("d_kv"));
    }

    @Test
    void epsilonsArePositiveAndFiniteHeadsPositive() {
        assertEquals("c.json: the layer norm epsilon (rms_norm_eps) must be positive, got 0.0",
                refusal("{\"model_type\": \"llama\", \"rms_norm_eps\": 0.0}", "rms_norm_eps"));
        assertEquals("c.json: the layer norm epsilon (layer_norm_eps) must be a finite number, got \"Infinity\"",
                refusal("{\"model_type\": \"bert\", \"layer_norm_eps\": 1e400}", "layer_norm_eps"));
        assertEquals(1e-12, ModelConfig.parse("{\"model_type\": \"bert\", \"layer_norm_eps\": 1e-12}", "c.json")
                .doubleValue("layer_norm_eps"));
        assertEquals("c.json: the attention head count (n_head) must be positive, got 0",
                refusal("{\"model_type\": \"gpt2\", \"n_head\": 0}", "num_attention_heads"));
    }

    @Test
    void overridesAndUnreadValuesAreCheckedWhenRead() {
        ModelConfig config = ModelConfig.parse("{\"model_type\": \"bert\", \"num_hidden_layers\": 0}", "c.json");
        assertEquals("bert", config.modelType(), "a value no one reads is not an error");
        ModelConfig overridden = ModelConfig.parse("{\"model_type\": \"bert\"}", "c.json")
                .withOverrides(Map.of("num_hidden_layers", 5000));
        assertEquals("c.json: the layer count (num_hidden_layers) must be at most 4096 (exporters4j's cap on layers;"
                + " the largest published models have under 200), got 5000",
                assertThrows(ModelConfigException.class, () -> overridden.intValue("num_hidden_layers")).getMessage());
    }
}
