package org.exporters4j.models.blocks;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;

/**
 * The rotary embedding of today's decoders that rotate only a leading part of each head ({@code rotate_half} on
 * the first {@code int(head_dim · factor)} channels, the rest passed through), as Transformers 4.51's
 * {@code _compute_default_rope_parameters} sizes it from {@code partial_rotary_factor} (GPT-NeoX's
 * {@code rotary_pct}) and its base ({@code rope_theta}, GPT-NeoX's {@code rotary_emb_base}), with every
 * {@code rope_scaling} type of {@link RotaryFrequencies}.
 */
public final class PartialRotary {
    private PartialRotary() {}

    /**
     * The rotary embedding of a head of {@code headDim} channels.
     *
     * @param factorKey config.json's fraction of rotated channels ({@code partial_rotary_factor}, {@code rotary_pct})
     * @param defaultFactor Transformers' default for it when config.json omits the key
     * @param thetaKey config.json's frequency base ({@code rope_theta}; GPT-NeoX's config class sets its
     *                 {@code rope_theta} from {@code rotary_emb_base}), 10000 when omitted
     */
    public static RotaryEmbedding read(ModelConfig config, long headDim, String factorKey, double defaultFactor,
                                       String thetaKey) {
        double factor = config.optionalDouble(factorKey).orElse(defaultFactor);
        long rotated = (long) (headDim * factor);
        if (!(factor > 0 && factor <= 1) || rotated <= 0 || rotated % 2 != 0) {
            throw new UnsupportedConfigException(config.source() + " sets " + factorKey + " " + factor + ", which "
                    + "rotates " + rotated + " of the " + headDim + " channels of each head; the rotated part must "
                    + "be a positive even number of channels (a factor in (0, 1] with int(head_dim · factor) even)");
        }
        double theta = config.optionalDouble(thetaKey).orElse(10000.0);
        // rope_scaling applies as Transformers 4.51's ROPE_INIT_FUNCTIONS apply it to every decoder (RotaryFrequencies)
        return RotaryEmbedding.fromConfig(config, theta, rotated, RotaryEmbedding.Style.HALF_SPLIT,
                RotaryEmbedding.Scaling.FROM_CONFIG);
    }
}
