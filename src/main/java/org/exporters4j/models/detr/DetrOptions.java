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
 * @param backbone       Transformers' ResNet of {@code backbone_config} with the hidden states its
 *                       {@code out_features} (or {@code out_indices}; the last stage when neither is set) select, or
 *                       timm's ResNet of {@code backbone} with {@code backbone_kwargs}' {@code out_indices}
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
record DetrOptions(DetrBackbone backbone, long dModel, int encoderLayers,
                   int decoderLayers, long encoderHeads, long decoderHeads, long encoderFfn, long decoderFfn,
                   Activation activation, Positions positions, DecoderNorm decoderNorm) {

    /** {@code position_embedding_type}: {@code DetrSinePositionEmbedding(normalize=True)} or the learned tables. */
    enum Positions { SINE, LEARNED }

    /** Whether the decoder normalises each layer's output ({@code auxiliary_loss}) or only the last one. */
    enum DecoderNorm { LAST_LAYER_ONLY, EVERY_LAYER }

    static DetrOptions read(ModelConfig config) {
        String source = config.source();
        boolean timm = config.optionalBoolean("use_timm_backbone").orElse(true);
        DetrBackbone backbone;
        if (timm) {
            backbone = timmBackbone(config);
        } else {
            ModelConfig backboneConfig = backboneConfig(config);
            ResNetBackbone network = ResNetBackbone.read(backboneConfig);
            backbone = new DetrBackbone.Transformers(network, featureMaps(backboneConfig, network.stages()));
        }
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
        return new DetrOptions(backbone, dModel, LayerStack.count(config, "encoder_layers"),
                LayerStack.count(config, "decoder_layers"), encoderHeads, decoderHeads,
                config.intValue("encoder_ffn_dim"), config.intValue("decoder_ffn_dim"),
                Activation.fromConfig(config, "activation_function"), positions,
                config.optionalBoolean("auxiliary_loss").orElse(false)
                        ? DecoderNorm.EVERY_LAYER : DecoderNorm.LAST_LAYER_ONLY);
    }

    /**
     * timm's {@code create_model(backbone, features_only=True, out_indices=...)} as DetrConvEncoder calls it: the
     * plain ResNets ({@code resnet18} ... {@code resnet152}, whose layout the checkpoint's weights give), without
     * dilation; {@code backbone_kwargs} may set {@code out_indices} and {@code in_chans}.
     */
    private static DetrBackbone timmBackbone(ModelConfig config) {
        String source = config.source();
        String name = config.optionalString("backbone").orElse("resnet50");
        String fix = "; exporters4j builds timm's plain ResNets (backbone \"resnet18\", \"resnet34\", \"resnet50\", "
                + "\"resnet101\", \"resnet152\") and Transformers' own ResNet (use_timm_backbone false with a "
                + "backbone_config of model_type \"resnet\")";
        if (!name.matches("resnet\\d+")) {
            throw new UnsupportedConfigException(source + " sets use_timm_backbone true with backbone \"" + name
                    + "\", a timm model of another layout" + fix);
        }
        if (config.optionalBoolean("dilation").orElse(false)) {
            throw new UnsupportedConfigException(source + " sets dilation true (timm's output_stride 16: the last "
                    + "layer dilated instead of strided), which exporters4j does not build" + fix);
        }
        java.util.Map<String, Object> kwargs = config.optionalObject("backbone_kwargs").orElse(java.util.Map.of());
        List<Integer> outIndices = List.of(1, 2, 3, 4);
        for (java.util.Map.Entry<String, Object> kwarg : kwargs.entrySet()) {
            switch (kwarg.getKey()) {
                case "in_chans" -> { }
                case "out_indices" -> {
                    List<Integer> indices = new ArrayList<>();
                    for (Object index : (List<?>) kwarg.getValue()) {
                        indices.add(((Number) index).intValue());
                    }
                    outIndices = List.copyOf(indices);
                }
                default -> throw new UnsupportedConfigException(source + " sets backbone_kwargs " + kwarg.getKey()
                        + " " + kwarg.getValue() + "; exporters4j builds timm backbones with out_indices and in_chans "
                        + "only" + fix);
            }
        }
        for (int i = 0; i < outIndices.size(); i++) {
            int index = outIndices.get(i);
            if (index < 0 || index > 4 || (i > 0 && index <= outIndices.get(i - 1))) {
                throw new UnsupportedConfigException(source + " sets backbone_kwargs out_indices " + outIndices
                        + "; timm's ResNet features are 0 (the stem) to 4, each once, in order");
            }
        }
        if (outIndices.isEmpty()) {
            throw new UnsupportedConfigException(source + " sets backbone_kwargs out_indices []; DETR needs at "
                    + "least its last feature map");
        }
        return new DetrBackbone.Timm(name, outIndices);
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
