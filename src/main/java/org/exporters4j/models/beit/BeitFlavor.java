package org.exporters4j.models.beit;

import java.util.Objects;
import java.util.Set;
import org.exporters4j.models.Head;

/**
 * How one BEiT-family model type differs from BEiT, as data.
 *
 * @param modelType Optimum's spelling, e.g. {@code data2vec-vision}
 * @param basePrefix the base model attribute of the heads, e.g. {@code data2vec_vision}
 * @param heads the heads Optimum v1.5.2 exports for the type
 */
public record BeitFlavor(String modelType, String basePrefix, Set<Head> heads) {
    public BeitFlavor {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(basePrefix, "basePrefix");
        heads = Head.copyOf(heads);
    }
}
