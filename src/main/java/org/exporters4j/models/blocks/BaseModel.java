package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.models.Parameters;

/**
 * Where a family's base model keeps its tensors: under {@code prefix.} in a checkpoint saved from a model with a head
 * (e.g. {@code "bert."} in BertForMaskedLM), at the root in one saved from the bare model; {@code probe} is a tensor
 * every base model of the family has, relative to the base (e.g. {@code "embeddings.word_embeddings.weight"}), by
 * which {@link Parameters#basePrefix} tells the two apart.
 *
 * @param prefix the base model prefix without the dot, Transformers' {@code base_model_prefix}
 * @param probe a literal Hugging Face tensor name below the base
 */
public record BaseModel(String prefix, String probe) {
    public BaseModel {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(probe, "probe");
        if (prefix.isEmpty() || prefix.endsWith(".")) {
            throw new IllegalArgumentException("base model prefix '" + prefix
                    + "' must be Transformers' base_model_prefix, non-empty and without the trailing dot");
        }
        if (probe.isEmpty()) {
            throw new IllegalArgumentException("the probe tensor of base model '" + prefix + "' is empty");
        }
    }

    /** The prefix of the base model's tensors in the checkpoint {@code parameters} read: {@code "prefix."} or empty. */
    public String in(Parameters parameters) {
        return parameters.basePrefix(prefix, probe);
    }
}
