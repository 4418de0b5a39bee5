package org.exporters4j.models.sam;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.LayerStack;

/**
 * The options of a {@code SamConfig} (Transformers 4.51) the SAM graphs read, from its three sub-configurations,
 * checked once.
 *
 * @param vision  {@code vision_config} ({@code SamVisionConfig})
 * @param prompt  {@code prompt_encoder_config} ({@code SamPromptEncoderConfig})
 * @param decoder {@code mask_decoder_config} ({@code SamMaskDecoderConfig})
 */
record SamOptions(Vision vision, Prompt prompt, Decoder decoder) {

    /**
     * @param hidden          {@code hidden_size}
     * @param outputChannels  {@code output_channels}: the neck's, so the image embeddings'
     * @param layers          {@code num_hidden_layers}
     * @param heads           {@code num_attention_heads}
     * @param channels        {@code num_channels}
     * @param imageSize       {@code image_size}: the only image size SamPatchEmbeddings takes
     * @param patchSize       {@code patch_size}
     * @param activation      {@code hidden_act} of the MLP blocks
     * @param layerNormEps    {@code layer_norm_eps} of the layers' norms (the neck's keep SamLayerNorm's 1e-6)
     * @param queryKeyValueBias {@code qkv_bias}
     * @param absolutePositions {@code use_abs_pos}: {@code pos_embed} added to the patches
     * @param relativePositions {@code use_rel_pos}: decomposed relative positions in every attention
     * @param windowSize      {@code window_size}: 0 makes every layer global
     * @param globalLayers    {@code global_attn_indexes}: the layers that attend over the whole grid
     * @param positionFeatures {@code num_pos_feats}: the random Fourier features of the shared positional embedding
     */
    record Vision(long hidden, long outputChannels, int layers, long heads, long channels, long imageSize,
                  long patchSize, Activation activation, double layerNormEps, boolean queryKeyValueBias,
                  boolean absolutePositions, boolean relativePositions, long windowSize, List<Integer> globalLayers,
                  long positionFeatures) {
        Vision {
            globalLayers = List.copyOf(globalLayers);
        }

        long grid() {
            return imageSize / patchSize;
        }

        long headDim() {
            return hidden / heads;
        }

        /** The side of the windows layer {@code index} attends in; 0 for a global layer. */
        long windowOf(int index) {
            return globalLayers.contains(index) ? 0 : windowSize;
        }
    }

    /**
     * @param hidden             {@code hidden_size}
     * @param imageSize          {@code image_size}: points are given in pixels of this square
     * @param embeddingSize      {@code image_embedding_size} ({@code image_size // patch_size}): the dense grid
     */
    record Prompt(long hidden, long imageSize, long embeddingSize) {}

    /**
     * @param hidden            {@code hidden_size}
     * @param layers            {@code num_hidden_layers} of the two-way transformer
     * @param heads             {@code num_attention_heads}
     * @param mlpDim            {@code mlp_dim}
     * @param activation        {@code hidden_act} of its MLP blocks
     * @param downsampleRate    {@code attention_downsample_rate} of the cross-attentions
     * @param multimaskOutputs  {@code num_multimask_outputs}: the masks returned ({@code multimask_output=True})
     * @param iouHeadDepth      {@code iou_head_depth}
     * @param iouHeadHidden     {@code iou_head_hidden_dim}
     * @param layerNormEps      {@code layer_norm_eps} of the blocks' norms (the final attention's norm keeps
     *                          nn.LayerNorm's 1e-5, the upscaling norm SamLayerNorm's 1e-6)
     */
    record Decoder(long hidden, int layers, long heads, long mlpDim, Activation activation, long downsampleRate,
                   long multimaskOutputs, int iouHeadDepth, long iouHeadHidden, double layerNormEps) {
        long maskTokens() {
            return multimaskOutputs + 1;
        }
    }

    static SamOptions read(ModelConfig config) {
        ModelConfig vision = config.subConfig("vision_config", "sam_vision_model").orElseThrow();
        ModelConfig prompt = config.subConfig("prompt_encoder_config", "sam_prompt_encoder").orElseThrow();
        ModelConfig decoder = config.subConfig("mask_decoder_config", "sam_mask_decoder").orElseThrow();
        long hidden = vision.positiveInt("hidden_size");
        long heads = vision.positiveInt("num_attention_heads");
        if (hidden % heads != 0) {
            throw new UnsupportedConfigException(vision.source() + " sets hidden_size " + hidden
                    + " and num_attention_heads " + heads + "; the heads must divide hidden_size");
        }
        long imageSize = vision.positiveInt("image_size");
        long patchSize = vision.positiveInt("patch_size");
        if (imageSize % patchSize != 0) {
            throw new UnsupportedConfigException(vision.source() + " sets image_size " + imageSize + " and patch_size "
                    + patchSize + "; SAM's neck and prompt grid need a whole number of patches per side");
        }
        long window = vision.intAtLeast("window_size", 0, "0 is global attention");
        Vision visionOptions = new Vision(hidden, vision.positiveInt("output_channels"),
                LayerStack.count(vision, "num_hidden_layers"), heads, vision.positiveInt("num_channels"), imageSize,
                patchSize, Activation.fromConfig(vision, "hidden_act"), vision.doubleValue("layer_norm_eps"),
                vision.booleanValue("qkv_bias"), vision.booleanValue("use_abs_pos"), vision.booleanValue("use_rel_pos"),
                window, vision.intList("global_attn_indexes"), vision.positiveInt("num_pos_feats"));
        long promptHidden = prompt.positiveInt("hidden_size");
        long promptImage = prompt.positiveInt("image_size");
        long promptPatch = prompt.positiveInt("patch_size");
        Prompt promptOptions = new Prompt(promptHidden, promptImage, promptImage / promptPatch);
        long decoderHidden = decoder.positiveInt("hidden_size");
        long decoderHeads = decoder.positiveInt("num_attention_heads");
        long rate = decoder.positiveInt("attention_downsample_rate");
        if (decoderHidden % rate != 0 || (decoderHidden / rate) % decoderHeads != 0 || decoderHidden % 8 != 0) {
            throw new UnsupportedConfigException(decoder.source() + " sets hidden_size " + decoderHidden
                    + ", attention_downsample_rate " + rate + " and num_attention_heads " + decoderHeads
                    + "; SamMaskDecoder needs hidden_size divisible by 8 and by the rate, and the heads to divide "
                    + "hidden_size / rate");
        }
        int iouDepth = decoder.intValue("iou_head_depth");
        if (iouDepth < 2) {
            throw new UnsupportedConfigException(decoder.source() + " sets iou_head_depth " + iouDepth
                    + "; SamFeedForward has an input and an output layer, so 2 or more");
        }
        Decoder decoderOptions = new Decoder(decoderHidden, LayerStack.count(decoder, "num_hidden_layers"),
                decoderHeads, decoder.positiveInt("mlp_dim"), Activation.fromConfig(decoder, "hidden_act"), rate,
                decoder.positiveInt("num_multimask_outputs"), iouDepth, decoder.positiveInt("iou_head_hidden_dim"),
                decoder.doubleValue("layer_norm_eps"));
        if (2 * visionOptions.positionFeatures() != decoderHidden || promptHidden != decoderHidden
                || visionOptions.outputChannels() != decoderHidden) {
            throw new UnsupportedConfigException(config.source() + " sets vision_config num_pos_feats "
                    + visionOptions.positionFeatures() + " and output_channels " + visionOptions.outputChannels()
                    + ", prompt_encoder_config hidden_size " + promptHidden + " and mask_decoder_config hidden_size "
                    + decoderHidden + "; SamModel adds them together, so 2 · num_pos_feats, output_channels and both "
                    + "hidden sizes must be equal");
        }
        if (promptOptions.embeddingSize() != visionOptions.grid()) {
            throw new UnsupportedConfigException(config.source() + " sets a prompt grid of "
                    + promptOptions.embeddingSize() + " (prompt_encoder_config image_size // patch_size) but a vision "
                    + "grid of " + visionOptions.grid() + "; SamModel adds the dense prompt to the image embeddings, so "
                    + "they must be equal");
        }
        return new SamOptions(visionOptions, promptOptions, decoderOptions);
    }
}
