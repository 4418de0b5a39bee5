package org.exporters4j.models.xlm;

import java.util.Objects;
import java.util.Set;
import org.exporters4j.models.Head;

/**
 * What one model type of the XLM family does differently, as data. The rows are in
 * the model-type table ({@code tasks.ModelTypes}).
 *
 * @param modelType the model type, e.g. {@code flaubert}
 * @param normPlacement where the layer norms may sit
 * @param heads the heads Transformers has a class for with this model type (XLMWithLMHeadModel serves masked-lm
 *     and, for XLM, causal-lm; FlauBERT has no causal-lm class in Transformers 4.25.1's auto mappings)
 */
public record XlmFlavor(String modelType, NormPlacement normPlacement, Set<Head> heads) {

    /** Which layer-norm placements the type's model class implements. */
    public enum NormPlacement {
        /** XLMModel: after each residual sum only (it has no {@code pre_norm} option). */
        POST_ONLY,
        /** FlaubertModel: after each residual sum, or before each sub-layer when {@code pre_norm} is true. */
        CONFIGURABLE
    }

    public XlmFlavor {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(normPlacement, "normPlacement");
        heads = Head.copyOf(heads);
    }
}
