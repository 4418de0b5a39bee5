package org.exporters4j.models.wav2vec2;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;

/**
 * The config options a wav2vec2-family graph is built from, read and checked once. Options that only matter in
 * training are ignored, as Transformers ignores them in eval ({@code apply_spec_augment} and the {@code mask_*}
 * options, dropouts, {@code layerdrop}, the CTC loss settings); options this graph does not build are refused by
 * name: {@code add_adapter} (the convolutional adapter after the encoder), HuBERT's {@code conv_pos_batch_norm}.
 */
record Wav2Vec2Options(long hidden, int layers, int heads, long intermediate, Activation hiddenAct,
                       double layerNormEps, FeatureExtractorNorm featureExtractorNorm, Activation featureActivation,
                       List<Integer> convDim, List<Integer> convKernel, List<Integer> convStride, boolean convBias,
                       int positionKernel, int positionGroups, boolean stableLayerNorm, boolean projectionLayerNorm,
                       boolean weightedLayerSum, int numBuckets, int maxBucketDistance) {

    /** {@code feat_extract_norm}: GroupNorm on the first convolution only, or a LayerNorm after every one. */
    enum FeatureExtractorNorm { GROUP, LAYER }

    Wav2Vec2Options {
        convDim = List.copyOf(convDim);
        convKernel = List.copyOf(convKernel);
        convStride = List.copyOf(convStride);
    }

    static Wav2Vec2Options read(ModelConfig config, Wav2Vec2Flavor flavor) {
        String source = config.source();
        if (config.optionalBoolean("add_adapter").orElse(false)) {
            throw new UnsupportedConfigException(source + " sets add_adapter true (a convolutional adapter after the "
                    + "encoder); the " + flavor.basePrefix() + " graph is built without adapter layers only "
                    + "(add_adapter false); export a checkpoint without the adapter");
        }
        if (config.optionalBoolean("conv_pos_batch_norm").orElse(false)) {
            throw new UnsupportedConfigException(source + " sets conv_pos_batch_norm true (a BatchNorm before the "
                    + "positional convolution, without weight normalisation); the graph builds the weight-normalised "
                    + "positional convolution only (conv_pos_batch_norm false)");
        }
        String norm = config.stringValue("feat_extract_norm");
        FeatureExtractorNorm featureNorm = switch (norm) {
            case "group" -> FeatureExtractorNorm.GROUP;
            case "layer" -> FeatureExtractorNorm.LAYER;
            default -> throw new UnsupportedConfigException(source + " sets feat_extract_norm \"" + norm + "\"; "
                    + "Transformers knows \"group\" (GroupNorm on the first convolution) and \"layer\" (LayerNorm "
                    + "after every convolution); fix config.json");
        };
        List<Integer> dims = config.intList("conv_dim");
        List<Integer> kernels = config.intList("conv_kernel");
        List<Integer> strides = config.intList("conv_stride");
        if (dims.isEmpty() || dims.size() != kernels.size() || dims.size() != strides.size()) {
            throw new UnsupportedConfigException(source + ": conv_dim " + dims + ", conv_kernel " + kernels
                    + " and conv_stride " + strides + " must have the same, non-zero length (one entry per "
                    + "convolution of the feature encoder), as Wav2Vec2Config requires");
        }
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i) < 1 || kernels.get(i) < 1 || strides.get(i) < 1) {
                throw new UnsupportedConfigException(source + ": convolution " + i + " of the feature encoder needs "
                        + "positive conv_dim, conv_kernel and conv_stride, got " + dims.get(i) + ", "
                        + kernels.get(i) + ", " + strides.get(i));
            }
        }
        int positionKernel = config.intValue("num_conv_pos_embeddings");
        int positionGroups = config.intValue("num_conv_pos_embedding_groups");
        long hidden = config.intValue("hidden_size");
        int heads = config.intValue("num_attention_heads");
        if (positionKernel < 1 || positionGroups < 1 || hidden % positionGroups != 0 || heads < 1
                || hidden % heads != 0) {
            throw new UnsupportedConfigException(source + ": hidden_size " + hidden + " must be divisible by "
                    + "num_attention_heads " + heads + " and num_conv_pos_embedding_groups " + positionGroups
                    + ", and num_conv_pos_embeddings (" + positionKernel + ") positive");
        }
        boolean wavlm = flavor.attention() == Wav2Vec2Flavor.Attention.GATED_RELATIVE_POSITION_BIAS;
        int numBuckets = wavlm ? config.intValue("num_buckets") : 0;
        int maxDistance = wavlm ? config.intValue("max_bucket_distance") : 0;
        if (wavlm && (numBuckets < 4 || maxDistance <= numBuckets / 4)) {
            throw new UnsupportedConfigException(source + ": WavLM's relative position bias needs num_buckets ≥ 4 "
                    + "and max_bucket_distance above num_buckets / 4, got " + numBuckets + " and " + maxDistance);
        }
        boolean projectionNorm = flavor.featureProjectionNorm() == Wav2Vec2Flavor.FeatureProjectionNorm.ALWAYS
                || config.optionalBoolean("feat_proj_layer_norm").orElse(true);
        return new Wav2Vec2Options(hidden, config.intValue("num_hidden_layers"), heads,
                config.intValue("intermediate_size"), Activation.fromConfig(config, "hidden_act"),
                config.doubleValue("layer_norm_eps"), featureNorm,
                Activation.fromConfig(config, "feat_extract_activation"), dims, kernels, strides,
                config.booleanValue("conv_bias"), positionKernel, positionGroups,
                config.booleanValue("do_stable_layer_norm"), projectionNorm,
                config.optionalBoolean("use_weighted_layer_sum").orElse(false), numBuckets, maxDistance);
    }

    long headSize() {
        return hidden / heads;
    }
}
