package org.exporters4j.models.beit;

import java.util.Objects;

/**
 * How one BEiT-family model type differs from BEiT, as data.
 *
 * @param basePrefix the base model attribute of the heads, e.g. {@code data2vec_vision}
 */
public record BeitFlavor(String basePrefix) {
    public BeitFlavor {
        Objects.requireNonNull(basePrefix, "basePrefix");
    }
}
