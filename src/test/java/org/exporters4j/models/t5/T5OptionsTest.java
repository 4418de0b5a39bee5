package org.exporters4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.RelativePositionBuckets;
import org.junit.jupiter.api.Test;

/**
 * The options the T5 family reads: Transformers' defaults and derivations per model type (mT5 is gated-GELU and
 * untied, num_decoder_layers follows num_layers, a saved dense_act_fn wins), and the refusals, each naming the
 * option and its value.
 */
class T5OptionsTest {
    private static final T5Flavor FULL = new T5Flavor(T5Flavor.EncoderAttention.FULL);
    private static final T5Flavor LONG_T5 = new T5Flavor(T5Flavor.EncoderAttention.LONG_T5);

    @Test
    void defaultsAndDerivationsAreTransformers() {
        T5Options t5 = T5Options.read(config("{\"model_type\": \"t5\", \"num_layers\": 3}"), FULL);
        assertEquals(3, t5.encoderLayers());
        assertEquals(3, t5.decoderLayers());
        assertEquals(Activation.RELU, t5.activation());
        assertEquals(T5Options.FeedForward.PLAIN, t5.feedForward());
        assertEquals(EmbeddingTie.TIED, t5.tie());
        assertEquals(new RelativePositionBuckets(32, 128), t5.buckets());
        assertEquals(512, t5.innerSize());

        T5Options mt5 = T5Options.read(config("{\"model_type\": \"mt5\"}"), FULL);
        assertEquals(Activation.GELU_NEW, mt5.activation());
        assertEquals(T5Options.FeedForward.GATED, mt5.feedForward());
        assertEquals(EmbeddingTie.UNTIED, mt5.tie());
        assertEquals(384, mt5.innerSize());

        T5Options v11 = T5Options.read(config("{\"model_type\": \"t5\", \"feed_forward_proj\": \"gated-silu\"}"), FULL);
        assertEquals(Activation.SILU, v11.activation());
        assertEquals(T5Options.FeedForward.GATED, v11.feedForward());

        T5Options local = T5Options.read(config("{\"model_type\": \"longt5\", \"local_radius\": 5}"), LONG_T5);
        assertEquals(T5Options.EncoderSelfAttention.LOCAL, local.encoderSelfAttention());
        assertEquals(6, local.blockLength());
        assertEquals(0, local.globalBlockSize());

        T5Options global = T5Options.read(config("{\"model_type\": \"longt5\", \"encoder_attention_type\": "
                + "\"transient-global\", \"local_radius\": 3}"), LONG_T5);
        assertEquals(T5Options.EncoderSelfAttention.TRANSIENT_GLOBAL, global.encoderSelfAttention());
        assertEquals(4, global.blockLength());
        assertEquals(16, global.globalBlockSize(), "LongT5Config's default global_block_size");
    }

    @Test
    void refusalsNameTheOptionAndValue() {
        refusedByConfig("{\"model_type\": \"longt5\", \"encoder_attention_type\": \"transient-global\", "
                + "\"global_block_size\": 0}", LONG_T5, "global_block_size 0");
        refused("{\"model_type\": \"longt5\", \"encoder_attention_type\": \"global\"}", LONG_T5,
                "encoder_attention_type \"global\"");
        refused("{\"model_type\": \"t5\", \"feed_forward_proj\": \"gated-gelu-new\"}", FULL,
                "feed_forward_proj \"gated-gelu-new\"");
        refused("{\"model_type\": \"t5\", \"feed_forward_proj\": \"fast-gelu\"}", FULL,
                "feed_forward_proj \"fast-gelu\"");
        refused("{\"model_type\": \"t5\", \"dense_act_fn\": \"swiglu\"}", FULL, "dense_act_fn \"swiglu\"");
        refused("{\"model_type\": \"t5\", \"relative_attention_num_buckets\": 2}", FULL,
                "relative_attention_num_buckets 2");
        refused("{\"model_type\": \"t5\", \"relative_attention_num_buckets\": 32, "
                + "\"relative_attention_max_distance\": 16}", FULL, "relative_attention_max_distance 16");
        refusedByConfig("{\"model_type\": \"t5\", \"num_heads\": 0}", FULL, "num_heads 0");
        refusedByConfig("{\"model_type\": \"longt5\", \"local_radius\": -1}", LONG_T5, "local_radius -1");
    }

    private static void refused(String json, T5Flavor flavor, String expected) {
        refused(UnsupportedConfigException.class, json, flavor, expected);
    }

    /** A value below its minimum, refused as config.json is read ({@link ModelConfig#intAtLeast}). */
    private static void refusedByConfig(String json, T5Flavor flavor, String expected) {
        refused(ModelConfigException.class, json, flavor, expected);
    }

    private static void refused(Class<? extends RuntimeException> type, String json, T5Flavor flavor,
                                String expected) {
        RuntimeException error = assertThrows(type, () -> T5Options.read(config(json), flavor));
        assertTrue(error.getMessage().contains(expected), error.getMessage());
        assertTrue(error.getMessage().startsWith("test config.json"), error.getMessage());
        assertTrue(!error.getMessage().contains("\n"), "one line: " + error.getMessage());
    }

    private static ModelConfig config(String json) {
        return ModelConfig.parse(json, "test config.json");
    }
}
