package org.exporters4j.models.convbert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.junit.jupiter.api.Test;

/** ConvBertConfig's options as ConvBertSelfAttention derives its heads, and the values refused. */
class ConvBertOptionsTest {
    private static ConvBertOptions read(String extra) {
        return ConvBertOptions.read(ModelConfig.parse("{\"model_type\": \"convbert\", \"hidden_size\": 24, "
                + "\"num_attention_heads\": 4, \"intermediate_size\": 30, \"embedding_size\": 16" + extra + "}",
                "test/config.json"));
    }

    @Test
    void halfTheHeadsAttendAndHalfConvolve() {
        ConvBertOptions options = read("");
        assertEquals(2, options.attentionHeads());
        assertEquals(6, options.headSize());
        assertEquals(12, options.allHeadSize());
        assertEquals(9, options.convKernelSize());
        assertEquals(1, options.groups());
        assertEquals(3, read(", \"num_groups\": 3").groups());
    }

    @Test
    void configsWhoseContextDoesNotFitTheOutputLayerAreRefused() {
        assertRefused(() -> read(", \"head_ratio\": 4"), "head_ratio 4");
        assertRefused(() -> read(", \"num_attention_heads\": 3"), "num_attention_heads 3");
        assertRefused(() -> read(", \"num_attention_heads\": 1"), "num_attention_heads 1");
        assertRefused(() -> read(", \"head_ratio\": 0"), "head_ratio 0");
    }

    @Test
    void evenKernelsAndUnevenGroupsAreRefusedByName() {
        assertRefused(() -> read(", \"conv_kernel_size\": 4"), "conv_kernel_size 4");
        assertRefused(() -> read(", \"num_groups\": 4"), "num_groups 4");
        assertRefused(() -> read(", \"type_vocab_size\": 0"), "type_vocab_size 0");
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable read, String named) {
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class, read);
        assertTrue(error.getMessage().contains(named) && error.getMessage().startsWith("test/config.json"),
                error.getMessage());
    }
}
