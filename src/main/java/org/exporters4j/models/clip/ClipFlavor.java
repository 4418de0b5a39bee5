package org.exporters4j.models.clip;

import java.util.Objects;
import java.util.Optional;

/**
 * What one CLIP-like model type does differently, as data. The rows are in
 * the model-type table ({@code tasks.ModelTypes}).
 *
 * @param textConfigType the model type of {@code text_config}, e.g. {@code clip_text_model}
 * @param visionConfigType the model type of {@code vision_config}, e.g. {@code clip_vision_model}
 * @param preLayerNorm the vision tower's pre-LayerNorm module: {@code pre_layrnorm} (CLIP's spelling) or
 *     {@code pre_layernorm} (OWL-ViT)
 * @param wrapperPrefix the attribute under which a model with a head stores the base model, when the type has such a
 *     model ({@code owlvit} in {@code OwlViTForObjectDetection}); a checkpoint saved from either loads
 */
public record ClipFlavor(String textConfigType, String visionConfigType, String preLayerNorm,
                         Optional<String> wrapperPrefix) {
    public ClipFlavor {
        Objects.requireNonNull(textConfigType, "textConfigType");
        Objects.requireNonNull(visionConfigType, "visionConfigType");
        Objects.requireNonNull(preLayerNorm, "preLayerNorm");
        Objects.requireNonNull(wrapperPrefix, "wrapperPrefix");
    }
}
