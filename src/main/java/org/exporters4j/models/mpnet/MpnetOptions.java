package org.exporters4j.models.mpnet;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.RelativePositionBuckets;

/**
 * The config.json options of {@code MPNetConfig} the graph is built from, read and checked once.
 *
 * @param relativeAttentionBuckets {@code relative_attention_num_buckets}: the rows of
 *     {@code encoder.relative_attention_bias}; Transformers 4.51's {@code MPNetEncoder.forward} calls
 *     {@code compute_position_bias} without passing it, so the buckets are always computed for its default of 32
 *     (and a maximum distance of 128) whatever the table's size
 */
record MpnetOptions(long vocabSize, AttentionHeads attention, int layers, long intermediateSize,
                    Activation hiddenActivation, long maxPositions, double layerNormEps,
                    long relativeAttentionBuckets, EmbeddingTie tie) {

    /** The buckets {@code MPNetEncoder.compute_position_bias} computes: its defaults, 32 and a distance of 128. */
    static final RelativePositionBuckets BUCKETS = new RelativePositionBuckets(32, 128);

    /**
     * {@code MPNetEmbeddings.padding_idx}: Transformers 4.51 fixes it at 1 (not {@code pad_token_id}) when it
     * numbers positions from the ids.
     */
    static final long PADDING_INDEX = 1;

    static MpnetOptions read(ModelConfig config) {
        long buckets = config.intValue("relative_attention_num_buckets");
        if (buckets < BUCKETS.numBuckets()) {
            throw new UnsupportedConfigException(config.source() + " sets relative_attention_num_buckets " + buckets
                    + ": Transformers' MPNetEncoder always computes " + BUCKETS.numBuckets() + " relative position "
                    + "buckets (compute_position_bias ignores the option), so a smaller table fails in Transformers "
                    + "on any sequence with distant tokens; use " + BUCKETS.numBuckets() + " or more (MPNet uses 32)");
        }
        return new MpnetOptions(config.intValue("vocab_size"),
                AttentionHeads.read(config, "hidden_size", "num_attention_heads"),
                LayerStack.count(config, "num_hidden_layers"), config.intValue("intermediate_size"),
                Activation.fromConfig(config, "hidden_act"), config.intValue("max_position_embeddings"),
                config.doubleValue("layer_norm_eps"), buckets, EmbeddingTie.of(config));
    }

    long hiddenSize() {
        return attention.width();
    }
}
