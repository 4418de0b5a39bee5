package org.exporters4j.models.mobilebert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;
import org.exporters4j.models.UnsupportedConfigException;
import org.junit.jupiter.api.Test;

/** MobileBertConfig's options as Transformers 4.25.1 reads them, and the values refused. */
class MobileBertOptionsTest {
    private static MobileBertOptions read(String extra) {
        return MobileBertOptions.read(ModelConfig.parse("{\"model_type\": \"mobilebert\", \"hidden_size\": 24, "
                + "\"num_attention_heads\": 4, \"intra_bottleneck_size\": 12, \"embedding_size\": 12" + extra + "}",
                "test/config.json"));
    }

    @Test
    void theDefaultsAreMobileBertConfigs() {
        MobileBertOptions options = read("");
        assertEquals(12, options.trueHiddenSize());
        assertEquals(3, options.headSize());
        assertEquals(Normalization.Kind.NO_NORM, options.normalization());
        assertEquals(MobileBertOptions.TokenInput.TRIGRAM, options.tokenInput());
        assertEquals(MobileBertOptions.AttentionInputs.SHARED_QUERY_KEY_BOTTLENECK, options.attentionInputs());
        assertEquals(4, options.feedForwardNetworks());
        assertEquals(MobileBertOptions.Pooling.DENSE_TANH, options.pooling());
    }

    @Test
    void trueHiddenSizeIsComputedAsMobileBertConfigSetsItLast() {
        assertEquals(12, read(", \"true_hidden_size\": 24").trueHiddenSize());
        MobileBertOptions plain = read(", \"use_bottleneck\": false, \"true_hidden_size\": 12");
        assertEquals(24, plain.trueHiddenSize());
        assertEquals(MobileBertOptions.AttentionInputs.NO_BOTTLENECK, plain.attentionInputs());
    }

    @Test
    void theAttentionInputsFollowTheBottleneckSwitches() {
        assertEquals(MobileBertOptions.AttentionInputs.BOTTLENECKED,
                read(", \"use_bottleneck_attention\": true").attentionInputs());
        assertEquals(MobileBertOptions.AttentionInputs.RESIDUAL_BOTTLENECK,
                read(", \"key_query_shared_bottleneck\": false, \"intra_bottleneck_size\": 24").attentionInputs());
        assertEquals(Normalization.Kind.LAYER_NORM, read(", \"normalization_type\": \"layer_norm\"").normalization());
        assertEquals(MobileBertOptions.Pooling.FIRST_TOKEN, read(", \"classifier_activation\": false").pooling());
    }

    @Test
    void valuesTransformersCannotRunAreRefusedByName() {
        assertRefused(() -> read(", \"normalization_type\": \"batch_norm\""), "normalization_type \"batch_norm\"");
        assertRefused(() -> read(", \"key_query_shared_bottleneck\": false"), "key_query_shared_bottleneck");
        assertRefused(ModelConfigException.class, () -> read(", \"num_feedforward_networks\": 0"),
                "num_feedforward_networks 0");
        assertRefused(() -> read(", \"intra_bottleneck_size\": 10"), "true_hidden_size 10");
        assertRefused(() -> read(", \"type_vocab_size\": 0"), "type_vocab_size 0");
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable read, String named) {
        assertRefused(UnsupportedConfigException.class, read, named);
    }

    private static void assertRefused(Class<? extends RuntimeException> type,
                                      org.junit.jupiter.api.function.Executable read, String named) {
        RuntimeException error = assertThrows(type, read);
        assertTrue(error.getMessage().contains(named) && error.getMessage().startsWith("test/config.json"),
                error.getMessage());
    }
}
