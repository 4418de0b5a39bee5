package org.exporters4j.models.blocks;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;

/**
 * A width split into equal attention heads, as every Transformers attention module checks in its
 * {@code __init__} ({@code embed_dim must be divisible by num_heads}).
 *
 * @param width the model width the heads share ({@code hidden_size}, {@code d_model}, {@code n_embd} …)
 * @param heads the number of heads
 */
public record AttentionHeads(long width, int heads) {
    public AttentionHeads {
        if (heads <= 0 || width <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("a width of " + width + " does not split into " + heads + " heads");
        }
    }

    /**
     * {@code widthKey} and {@code headsKey} of config.json; a width that is not a multiple of the heads is refused
     * naming both values, as Transformers refuses it.
     */
    public static AttentionHeads read(ModelConfig config, String widthKey, String headsKey) {
        return of(config, widthKey, config.intValue(widthKey), headsKey);
    }

    /** As {@link #read}, for a width computed from other keys (described by {@code widthName}). */
    public static AttentionHeads of(ModelConfig config, String widthName, long width, String headsKey) {
        int heads = config.intValue(headsKey);
        if (heads <= 0 || width % heads != 0) {
            throw new UnsupportedConfigException(config.source() + ": " + widthName + " " + width + " is not a "
                    + "multiple of " + headsKey + " " + heads + "; every head needs an equal share of the width, and "
                    + "Transformers refuses this config too");
        }
        return new AttentionHeads(width, heads);
    }

    /**
     * config.json's {@code num_key_value_heads} (grouped-query attention), or {@code heads} when it is unset or null;
     * refused unless it is positive and divides {@code heads}, since each key/value head serves an equal group.
     */
    public static int keyValueHeads(ModelConfig config, int heads) {
        int kvHeads = config.optionalInt("num_key_value_heads").orElse(heads);
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new UnsupportedConfigException(config.source() + ": num_attention_heads " + heads + " must be"
                    + " a positive multiple of num_key_value_heads " + kvHeads + " (each key/value head serves "
                    + "an equal group of query heads)");
        }
        return kvHeads;
    }

    /** The width of one head. */
    public long headSize() {
        return width / heads;
    }
}
