package org.exporters4j.models.vit;

import java.util.Objects;

/**
 * How one ViT-family model type differs from ViT, as data: the base model's prefix in checkpoints saved with a head,
 * and the learned tokens around the patches.
 *
 * @param basePrefix the base model attribute of the heads, e.g. {@code deit} ({@code vit} for YOLOS)
 * @param tokens the learned tokens and how position embeddings meet them
 */
public record VitFlavor(String basePrefix, Tokens tokens) {

    /** The learned tokens of the embeddings, in the order {@code torch.cat} puts them. */
    public enum Tokens {
        /** ViT: {@code [CLS] patches}, fixed position embeddings. */
        CLASS(1),
        /**
         * DeiT: {@code [CLS] [DIST] patches}, fixed position embeddings; masked image modelling decodes
         * {@code sequence_output[:, 1:-1]} (DeiTForMaskedImageModeling, Transformers 4.25.1).
         */
        CLASS_AND_DISTILLATION(2),
        /**
         * YOLOS: {@code [CLS] patches [DET]×num_detection_tokens}; the patch position embeddings are always
         * interpolated (bicubic) to the input's patch grid, as {@code InterpolateInitialPositionEmbeddings}.
         */
        CLASS_AND_DETECTION(1);

        private final int leading;

        Tokens(int leading) {
            this.leading = leading;
        }

        /** Tokens before the patches. */
        int leading() {
            return leading;
        }

        /** Whether detection tokens follow the patches (their count comes from config.json). */
        boolean hasDetectionTokens() {
            return this == CLASS_AND_DETECTION;
        }
    }

    public VitFlavor {
        Objects.requireNonNull(basePrefix, "basePrefix");
        Objects.requireNonNull(tokens, "tokens");
    }
}
