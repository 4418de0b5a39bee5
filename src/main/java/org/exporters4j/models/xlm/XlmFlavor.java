package org.exporters4j.models.xlm;

import java.util.Objects;

/**
 * What one model type of the XLM family does differently, as data. The rows are in
 * the model-type table ({@code tasks.ModelTypes}).
 *
 * @param normPlacement where the layer norms may sit
 */
public record XlmFlavor(NormPlacement normPlacement) {

    /** Which layer-norm placements the type's model class implements. */
    public enum NormPlacement {
        /** XLMModel: after each residual sum only (it has no {@code pre_norm} option). */
        POST_ONLY,
        /** FlaubertModel: after each residual sum, or before each sub-layer when {@code pre_norm} is true. */
        CONFIGURABLE
    }

    public XlmFlavor {
        Objects.requireNonNull(normPlacement, "normPlacement");
    }
}
