package org.exporters4j.models.detr;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.resnet.ResNetBackbone;

/**
 * The options of a {@code DetrConfig} (Transformers 4.51) the DETR graph reads, checked once.
 *
 * @param backbone       Transformers' ResNet network of {@code backbone_config}
 * @param featureMaps    the hidden states of the network {@code ResNetBackbone} returns, as indices into its
 *                       hidden states (0 {@code "stem"}, {@code i} {@code "stage<i>"}), ascending: its
 *                       {@code out_features} (or {@code out_indices}; the last stage when neither is set)
 * @param dModel         {@code d_model}
 * @param encoderLayers  {@code encoder_layers}
 * @param decoderLayers  {@code decoder_layers}
 * @param encoderHeads   {@code encoder_attention_heads} (also the segmentation head's attention map heads)
 * @param decoderHeads   {@code decoder_attention_heads}
 * @param encoderFfn     {@code encoder_ffn_dim}
 * @param decoderFfn     {@code decoder_ffn_dim}
 * @param activation     {@code activation_function} of the feed-forward layers
 * @param positions      {@code position_embedding_type}
 * @param decoderNorm    {@code auxiliary_loss}: whether every decoder layer's output passes the decoder's layer norm
 *                       before the next layer (it does in Transformers' eval forward too, not only for the loss)
 */
record DetrOptions(ResNetBackbone backbone, List<Integer> featureMaps, long dModel, int encoderLayers,
                   int decoderLayers, long encoderHeads, long decoderHeads, long encoderFfn, long decoderFfn,
                   Activation activation, Positions positions, DecoderNorm decoderNorm) {

    /** {@code position_embedding_type}: {@code DetrSinePositionEmbedding(normalize=True)} or the learned tables. */
    enum Positions { SINE, LEARNED }

    /** Whether the decoder normalises each layer's output ({@code auxiliary_loss}) or only the last one. */
    enum DecoderNorm { LAST_LAYER_ONLY, EVERY_LAYER }

    DetrOptions {
        featureMaps = List.copyOf(featureMaps);
    }

    static DetrOptions read(ModelConfig config) {
        String source = config.source();
        boolean timm = config.optionalBoolean("use_timm_backbone").orElse(true);
        if (timm) {
            throw new UnsupportedConfigException(source + " sets use_timm_backbone true (DetrConfig's default; backbone \""
                    + config.optionalString("backbone").orElse("resnet50") + "\"): its backbone is a timm model "
                    + "(weights named conv1, bn1, layer1...), which exporters4j does not build; it builds DETR with "
                    + "Transformers' own ResNet backbone: use_timm_backbone false with a backbone_config of "
                    + "model_type \"resnet\" (weights named embedder..., encoder.stages...)");
        }
        ModelConfig backboneConfig = backboneConfig(config);
        ResNetBackbone backbone = ResNetBackbone.read(backboneConfig);
        List<Integer> featureMaps = featureMaps(backboneConfig, backbone.stages());
        long dModel = config.intValue("d_model");
        if (dModel % 2 != 0) {
            throw new UnsupportedConfigException(source + " sets d_model " + dModel + "; DETR's position embeddings "
                    + "are d_model // 2 per axis and must fill d_model: use an even d_model");
        }
        long encoderHeads = heads(config, "encoder_attention_heads", dModel);
        long decoderHeads = heads(config, "decoder_attention_heads", dModel);
        String type = config.stringValue("position_embedding_type");
        Positions positions = switch (type) {
            case "sine" -> Positions.SINE;
            case "learned" -> Positions.LEARNED;
            default -> throw new UnsupportedConfigException(source + " sets position_embedding_type \"" + type
                    + "\"; DETR knows \"sine\" and \"learned\"");
        };
        return new DetrOptions(backbone, featureMaps, dModel, LayerStack.count(config, "encoder_layers"),
                LayerStack.count(config, "decoder_layers"), encoderHeads, decoderHeads,
                config.intValue("encoder_ffn_dim"), config.intValue("decoder_ffn_dim"),
                Activation.fromConfig(config, "activation_function"), positions,
                config.optionalBoolean("auxiliary_loss").orElse(false)
                        ? DecoderNorm.EVERY_LAYER : DecoderNorm.LAST_LAYER_ONLY);
    }

    /** The channels of the backbone's last feature map (the input projection's). */
    long lastFeatureChannels() {
        return backbone.channels(featureMaps.get(featureMaps.size() - 1));
    }

    /**
     * {@code backbone_config}, which must be a ResNet's; without one (and without {@code backbone}) DetrConfig
     * builds {@code ResNetConfig(out_features=["stage4"])}.
     */
    private static ModelConfig backboneConfig(ModelConfig config) {
        String source = config.source();
        boolean given = config.optionalObject("backbone_config").isPresent();
        if (!given) {
            Optional<String> named = config.optionalString("backbone");
            if (config.isSetInFile("backbone") && named.isPresent()) {
                throw new UnsupportedConfigException(source + " sets backbone \"" + named.get() + "\" without a "
                        + "backbone_config: Transformers loads that backbone's own checkpoint (AutoBackbone), whose "
                        + "configuration this checkpoint does not hold; save the model with its backbone_config "
                        + "(model_type \"resnet\") and backbone null");
            }
            return config.subConfig("backbone_config", "resnet").orElseThrow()
                    .withOverrides(java.util.Map.of("out_features", List.of("stage4")));
        }
        String type = config.optionalObject("backbone_config").get().getOrDefault("model_type", "resnet").toString();
        if (!type.equals("resnet")) {
            throw new UnsupportedConfigException(source + " sets a backbone_config of model_type \"" + type
                    + "\"; exporters4j builds DETR with Transformers' ResNet backbone only (model_type \"resnet\")");
        }
        return config.subConfig("backbone_config", "resnet").orElseThrow();
    }

    /** {@code out_features} (else {@code out_indices}, else the last stage) as hidden-state indices, ascending. */
    private static List<Integer> featureMaps(ModelConfig backbone, int stages) {
        String source = backbone.source();
        List<String> names = new ArrayList<>();
        names.add("stem");
        for (int stage = 1; stage <= stages; stage++) {
            names.add("stage" + stage);
        }
        List<Integer> indices = new ArrayList<>();
        if (backbone.has("out_features") && !backbone.stringList("out_features").isEmpty()) {
            for (String feature : backbone.stringList("out_features")) {
                int index = names.indexOf(feature);
                if (index < 0) {
                    throw new UnsupportedConfigException(source + " sets out_features " + backbone.stringList(
                            "out_features") + "; each must be one of " + names);
                }
                indices.add(index);
            }
        } else if (backbone.has("out_indices") && !backbone.intList("out_indices").isEmpty()) {
            for (int index : backbone.intList("out_indices")) {
                indices.add(index < 0 ? index + names.size() : index);
            }
        } else {
            indices.add(stages);
        }
        for (int i = 0; i < indices.size(); i++) {
            int index = indices.get(i);
            if (index < 0 || index > stages || (i > 0 && index <= indices.get(i - 1))) {
                throw new UnsupportedConfigException(source + " selects the feature maps " + indices + " of "
                        + names + "; Transformers' backbones take them once each, in stage order");
            }
        }
        return indices;
    }

    private static long heads(ModelConfig config, String key, long dModel) {
        long heads = config.intValue(key);
        if (heads < 1 || dModel % heads != 0) {
            throw new UnsupportedConfigException(config.source() + " sets " + key + " " + heads + " for d_model "
                    + dModel + "; the heads must divide d_model");
        }
        return heads;
    }
}
