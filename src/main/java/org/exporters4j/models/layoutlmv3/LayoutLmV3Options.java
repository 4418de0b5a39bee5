package org.exporters4j.models.layoutlmv3;

import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.LayerStack;

/**
 * The config.json options LayoutLMv3 builds from, read and checked once. The exported graphs take both text and
 * image ({@code input_ids}, {@code bbox}, {@code pixel_values}), so {@code text_embed} and {@code visual_embed} must
 * be on; the relative (1-D) and spatial (2-D) attention biases may each be on or off
 * ({@code has_relative_attention_bias}, {@code has_spatial_attention_bias}: their buckets are present when on).
 */
record LayoutLmV3Options(long vocabSize, long hiddenSize, int layers, int heads, long intermediateSize,
                         Activation activation, double layerNormEps, long maxPositions, long paddingIndex,
                         long typeVocabSize, long max2dPositions, long coordinateSize, long shapeSize,
                         long inputSize, long patchSize, long channels,
                         Optional<RelativePositionBuckets> positionBuckets,
                         Optional<RelativePositionBuckets> spatialBuckets) {

    static LayoutLmV3Options read(ModelConfig config) {
        String source = config.source();
        for (String option : new String[] {"text_embed", "visual_embed"}) {
            if (!config.optionalBoolean(option).orElse(true)) {
                throw new UnsupportedConfigException(source + " sets " + option + " false, but the LayoutLMv3 graphs "
                        + "Optimum v1.5.2 defines take input_ids, bbox and pixel_values, which that model cannot read "
                        + "(Transformers fails on them too); set \"" + option + "\": true");
            }
        }
        AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
        long hiddenSize = split.width();
        int heads = split.heads();
        long coordinateSize = config.intValue("coordinate_size");
        long shapeSize = config.intValue("shape_size");
        if (4 * coordinateSize + 2 * shapeSize != hiddenSize) {
            throw new UnsupportedConfigException(source + ": 4 × coordinate_size " + coordinateSize + " + 2 × "
                    + "shape_size " + shapeSize + " must equal hidden_size " + hiddenSize + " (the layout embedding "
                    + "is added to the token embedding; Transformers fails otherwise)");
        }
        long inputSize = config.intValue("input_size");
        long patchSize = config.intValue("patch_size");
        if (patchSize <= 0 || inputSize < patchSize) {
            throw new UnsupportedConfigException(source + " sets input_size " + inputSize + " and patch_size "
                    + patchSize + ": an image must hold at least one patch");
        }
        int layers = LayerStack.count(config, "num_hidden_layers");
        boolean relativeBias = config.booleanValue("has_relative_attention_bias");
        boolean spatialBias = config.booleanValue("has_spatial_attention_bias");
        return new LayoutLmV3Options(config.intValue("vocab_size"), hiddenSize, layers, heads,
                config.intValue("intermediate_size"), Activation.fromConfig(config, "hidden_act"),
                config.doubleValue("layer_norm_eps"), config.intValue("max_position_embeddings"),
                config.intValue("pad_token_id"), config.intValue("type_vocab_size"),
                config.intValue("max_2d_position_embeddings"), coordinateSize, shapeSize, inputSize, patchSize,
                config.intValue("num_channels"),
                relativeBias ? Optional.of(buckets(config, "rel_pos_bins", "max_rel_pos")) : Optional.empty(),
                spatialBias ? Optional.of(buckets(config, "rel_2d_pos_bins", "max_rel_2d_pos")) : Optional.empty());
    }

    private static RelativePositionBuckets buckets(ModelConfig config, String bins, String maxDistance) {
        int count = config.intValue(bins);
        int distance = config.intValue(maxDistance);
        if (count < 4 || distance <= count / 4) {
            throw new UnsupportedConfigException(config.source() + " sets " + bins + " " + count + " and "
                    + maxDistance + " " + distance + ": the relative position buckets need " + bins + " of 4 or more"
                    + " and " + maxDistance + " above a quarter of it");
        }
        return new RelativePositionBuckets(count, distance);
    }

    long headSize() {
        return hiddenSize / heads;
    }

    /** Patches per image side: {@code input_size / patch_size}. */
    long patchesPerSide() {
        return inputSize / patchSize;
    }

    /** Visual tokens: the patches and the image's [CLS]. */
    long visualTokens() {
        return patchesPerSide() * patchesPerSide() + 1;
    }
}
