package org.exporters4j.models.deberta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.deberta.DebertaOptions.PositionAttention;
import org.junit.jupiter.api.Test;

/** The DeBERTa options as Transformers 4.25.1's configs and modules read them, and the values refused. */
class DebertaOptionsTest {
    private static DebertaOptions v1(String extra) {
        return DebertaOptions.read(config("deberta", extra), DebertaVersion.V1);
    }

    private static DebertaOptions v2(String extra) {
        return DebertaOptions.read(config("deberta-v2", extra), DebertaVersion.V2);
    }

    private static ModelConfig config(String modelType, String extra) {
        return ModelConfig.parse("{\"model_type\": \"" + modelType + "\", \"hidden_size\": 24, "
                + "\"num_attention_heads\": 4, \"num_hidden_layers\": 2, \"intermediate_size\": 29, "
                + "\"vocab_size\": 64, \"max_position_embeddings\": 32" + extra + "}", "test/config.json");
    }

    @Test
    void aStringPositionAttentionTypeIsSplitLowerCasedAndStripped() {
        DebertaOptions options = v1(", \"relative_attention\": true, \"pos_att_type\": \"C2P | p2c\"");
        assertEquals(Set.of(PositionAttention.C2P, PositionAttention.P2C), options.positionAttention());
        assertEquals(3, options.scaleFactor());
        assertEquals(6, options.headSize());
    }

    @Test
    void v1CountsEveryEntryInTheScaleAndV2OnlyTheComputedTerms() {
        String types = ", \"pos_att_type\": [\"c2p\", \"p2p\"]";
        assertEquals(3, v1(types).scaleFactor());
        assertEquals(2, v2(types).scaleFactor());
        assertEquals(Set.of(PositionAttention.C2P), v2(types).positionAttention());
        assertEquals(1, v1("").scaleFactor());
    }

    @Test
    void anUnknownPositionAttentionTypeIsNamed() {
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                () -> v1(", \"pos_att_type\": [\"c2p\", \"c2c\"]"));
        assertTrue(error.getMessage().contains("\"c2c\" in pos_att_type") && error.getMessage().contains("p2c"),
                error.getMessage());
    }

    @Test
    void relativePositionsDefaultToTheAbsoluteTableSizeAndBucketsSizeTheV2Table() {
        DebertaOptions.Relative v1 = v1(", \"relative_attention\": true, \"max_relative_positions\": -1")
                .relative().orElseThrow();
        assertEquals(32, v1.maxRelativePositions());
        assertEquals(64, v1.tableRows());
        DebertaOptions.Relative bucketed = v2(", \"relative_attention\": true, \"max_relative_positions\": 16, "
                + "\"position_buckets\": 8, \"share_att_key\": true, \"norm_rel_ebd\": \"layer_norm|none\"")
                .relative().orElseThrow();
        assertEquals(16, bucketed.tableRows());
        assertEquals(8, bucketed.fixedSpan());
        assertEquals(DebertaOptions.KeySharing.SHARED, bucketed.keySharing());
        assertEquals(DebertaOptions.RelativeEmbeddingNorm.LAYER_NORM, bucketed.norm());
        DebertaOptions.Relative plain = v2(", \"relative_attention\": true, \"max_relative_positions\": 5")
                .relative().orElseThrow();
        assertEquals(10, plain.tableRows());
        assertEquals(5, plain.fixedSpan());
        assertEquals(DebertaOptions.RelativeEmbeddingNorm.NONE, plain.norm());
        assertTrue(v1(", \"position_buckets\": 8").relative().isEmpty());
    }

    @Test
    void v2SettingsAreIgnoredByV1AsItsModulesNeverReadThem() {
        DebertaOptions options = v1(", \"relative_attention\": true, \"position_buckets\": 8, "
                + "\"share_att_key\": true, \"conv_kernel_size\": 3, \"talking_head\": true");
        assertEquals(-1, options.relative().orElseThrow().positionBuckets());
        assertEquals(DebertaOptions.KeySharing.SEPARATE, options.relative().orElseThrow().keySharing());
        assertTrue(options.convolution().isEmpty());
        assertEquals(DebertaOptions.HeadMixing.TALKING_HEADS, options.headMixing());
        assertEquals(DebertaOptions.HeadMixing.NONE, v2(", \"talking_head\": true").headMixing());
    }

    @Test
    void valuesTransformersCannotRunAreRefusedByName() {
        assertRefused(() -> v2(", \"attention_head_size\": 5"), "attention_head_size 5");
        assertRefused(() -> v2(", \"relative_attention\": true, \"position_buckets\": 1"), "position_buckets 1");
        assertRefused(() -> v2(", \"conv_kernel_size\": 4"), "conv_kernel_size 4");
        assertRefused(() -> v2(", \"conv_kernel_size\": 3, \"conv_groups\": 5"), "conv_groups 5");
        assertRefused(() -> v1(", \"pooler_hidden_size\": 12"), "pooler_hidden_size 12");
        assertRefused(() -> v1(", \"num_attention_heads\": 5"), "num_attention_heads 5");
        assertRefused(() -> v2(", \"conv_kernel_size\": 3, \"conv_act\": \"swiglu\""), "conv_act \"swiglu\"");
    }

    @Test
    void aNegativeTokenTypeVocabularyIsRefusedAsTheConfigIsRead() {
        ModelConfigException error = assertThrows(ModelConfigException.class,
                () -> v1(", \"type_vocab_size\": -1"));
        assertEquals("test/config.json sets type_vocab_size -1; it must be 0 or more (0: no token type embeddings)",
                error.getMessage());
        assertEquals(0, v1(", \"type_vocab_size\": 0").typeVocabSize());
    }

    @Test
    void theConvolutionReadsItsKernelGroupsAndActivation() {
        DebertaOptions.Convolution convolution = v2(", \"conv_kernel_size\": 5, \"conv_groups\": 2")
                .convolution().orElseThrow();
        assertEquals(5, convolution.kernelSize());
        assertEquals(2, convolution.groups());
        assertEquals("tanh", convolution.activation().configName());
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable read, String named) {
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class, read);
        assertTrue(error.getMessage().contains(named) && error.getMessage().startsWith("test/config.json"),
                error.getMessage());
    }
}
