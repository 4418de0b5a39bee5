package org.exporters4j.models.deberta;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.LayerStack;

/**
 * The config.json options a DeBERTa graph is built from, read and checked once, as Transformers 4.25.1's
 * {@code DebertaConfig} / {@code DebertaV2Config} and the modules' {@code getattr(config, name, default)} read
 * them. Values Transformers itself cannot run with (its forward fails on them) are refused, naming the option.
 *
 * @param headSize the per-head width ({@code attention_head_size} of v2, else {@code hidden_size / heads})
 * @param positionInput whether absolute position embeddings are added ({@code position_biased_input})
 * @param positionAttention the relative terms computed ({@code pos_att_type} ∩ {c2p, p2c})
 * @param scaleFactor the divisor's factor: {@code sqrt(head_size × scaleFactor)} (v1 counts every
 *     {@code pos_att_type} entry, v2 only c2p and p2c, as their attention modules do)
 * @param relative the relative-position settings when {@code relative_attention}
 * @param headMixing v1's {@code talking_head}
 * @param convolution v2's {@code ConvLayer} after the first layer, when {@code conv_kernel_size > 0}
 */
record DebertaOptions(DebertaVersion version, long vocabSize, long hiddenSize, long embeddingSize, int layers,
                      int heads, long headSize, long intermediateSize, Activation hiddenActivation,
                      long typeVocabSize, long maxPositions, PositionInput positionInput, double layerNormEps,
                      Set<PositionAttention> positionAttention, int scaleFactor, Optional<Relative> relative,
                      HeadMixing headMixing, Optional<Convolution> convolution, Activation poolerActivation,
                      EmbeddingTie tie) {

    /** Whether the embeddings add absolute position embeddings. */
    enum PositionInput {
        /** {@code position_biased_input: true}: {@code embeddings.position_embeddings} is added. */
        ADDED,
        /** {@code position_biased_input: false}: positions enter through the relative attention only. */
        ABSENT
    }

    /** The relative terms of the disentangled attention. */
    enum PositionAttention {
        /** Content to position: the query against relative-position keys. */
        C2P,
        /** Position to content: the key against relative-position queries. */
        P2C
    }

    /** v1's talking heads ({@code head_logits_proj} before the softmax, {@code head_weights_proj} after). */
    enum HeadMixing {
        NONE,
        TALKING_HEADS
    }

    /** Where the relative-position projections come from (v2's {@code share_att_key}). */
    enum KeySharing {
        /** The content projections ({@code query_proj}, {@code key_proj}) project the relative embeddings too. */
        SHARED,
        /** Own projections: v1 {@code pos_proj} / {@code pos_q_proj}, v2 {@code pos_key_proj} / {@code pos_query_proj}. */
        SEPARATE
    }

    /** Whether v2 normalizes the relative embeddings ({@code norm_rel_ebd} containing {@code layer_norm}). */
    enum RelativeEmbeddingNorm {
        NONE,
        LAYER_NORM
    }

    /**
     * @param maxRelativePositions {@code max_relative_positions}, or {@code max_position_embeddings} when below 1
     * @param positionBuckets v2's {@code position_buckets} (0 or less: no log buckets)
     * @param tableRows the rows of {@code encoder.rel_embeddings.weight}
     */
    record Relative(int maxRelativePositions, int positionBuckets, KeySharing keySharing,
                    RelativeEmbeddingNorm norm, long tableRows) {
        Relative {
            Objects.requireNonNull(keySharing, "keySharing");
            Objects.requireNonNull(norm, "norm");
        }

        /** v2's fixed span ({@code pos_ebd_size}): the buckets when bucketed, else the maximum distance. */
        int fixedSpan() {
            return positionBuckets > 0 ? positionBuckets : maxRelativePositions;
        }
    }

    /** v2's {@code ConvLayer}: {@code conv_kernel_size}, {@code conv_groups}, {@code conv_act}. */
    record Convolution(int kernelSize, int groups, Activation activation) {
        Convolution {
            Objects.requireNonNull(activation, "activation");
        }
    }

    DebertaOptions {
        Objects.requireNonNull(version, "version");
        positionAttention = Set.copyOf(positionAttention);
        Objects.requireNonNull(relative, "relative");
        Objects.requireNonNull(convolution, "convolution");
    }

    static DebertaOptions read(ModelConfig config, DebertaVersion version) {
        String source = config.source();
        String type = version.modelType();
        AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
        long hidden = split.width();
        int heads = split.heads();
        long headSize = hidden / heads;
        if (version == DebertaVersion.V2) {
            headSize = config.optionalInt("attention_head_size").map(Integer::longValue).orElse(headSize);
            if (headSize * heads != hidden) {
                throw new UnsupportedConfigException(source + " sets attention_head_size " + headSize + " with "
                        + heads + " heads, " + headSize * heads + " in all, but the attention output's dense layer "
                        + "takes hidden_size " + hidden + " (Transformers' forward fails on this config); remove "
                        + "attention_head_size or set it to " + hidden / heads);
            }
        }
        int layers = LayerStack.count(config, "num_hidden_layers");
        long typeVocabSize = config.intAtLeast("type_vocab_size", 0, "0: no token type embeddings");
        long embeddingSize = config.optionalInt("embedding_size").map(Integer::longValue).orElse(hidden);
        long poolerHidden = config.optionalInt("pooler_hidden_size").map(Integer::longValue).orElse(hidden);
        if (poolerHidden != hidden) {
            throw new UnsupportedConfigException(source + " sets pooler_hidden_size " + poolerHidden + " but "
                    + "hidden_size is " + hidden + ": the ContextPooler reads hidden states and its classifier takes "
                    + "hidden_size inputs, so Transformers' forward fails on this config; set pooler_hidden_size to "
                    + hidden);
        }
        List<String> attentionTypes = positionAttentionTypes(config);
        Set<PositionAttention> positionAttention = EnumSet.noneOf(PositionAttention.class);
        for (String name : attentionTypes) {
            switch (name) {
                case "c2p" -> positionAttention.add(PositionAttention.C2P);
                case "p2c" -> positionAttention.add(PositionAttention.P2C);
                case "p2p" -> { } // named by the original DeBERTa; Transformers computes no term for it
                default -> throw new UnsupportedConfigException(source + " lists \"" + name + "\" in pos_att_type;"
                        + " " + type + " computes the relative terms \"c2p\" and \"p2c\" (\"p2p\" is accepted and "
                        + "computes nothing, as in Transformers); fix the entry");
            }
        }
        // v1: scale_factor = 1 + len(pos_att_type); v2: 1 + one for each of c2p and p2c
        int scaleFactor = 1 + (version == DebertaVersion.V1 ? attentionTypes.size() : positionAttention.size());
        Optional<Relative> relative = Optional.empty();
        if (config.optionalBoolean("relative_attention").orElse(false)) {
            int maxRelative = config.optionalInt("max_relative_positions").orElse(-1);
            if (maxRelative < 1) {
                maxRelative = config.intValue("max_position_embeddings");
            }
            int buckets = -1;
            KeySharing sharing = KeySharing.SEPARATE;
            RelativeEmbeddingNorm norm = RelativeEmbeddingNorm.NONE;
            long tableRows = 2L * maxRelative;
            if (version == DebertaVersion.V2) {
                buckets = config.optionalInt("position_buckets").orElse(-1);
                if (buckets == 1) {
                    throw new UnsupportedConfigException(source + " sets position_buckets 1: the log buckets divide "
                            + "by position_buckets // 2, which is 0 (Transformers fails too); use 2 or more, or -1 "
                            + "for no buckets");
                }
                sharing = config.optionalBoolean("share_att_key").orElse(false) ? KeySharing.SHARED
                        : KeySharing.SEPARATE;
                tableRows = 2L * (buckets > 0 ? buckets : maxRelative);
            }
            if (version == DebertaVersion.V2 && normalizesRelativeEmbeddings(config)) {
                norm = RelativeEmbeddingNorm.LAYER_NORM;
            }
            relative = Optional.of(new Relative(maxRelative, buckets, sharing, norm, tableRows));
        }
        HeadMixing mixing = version == DebertaVersion.V1 && config.optionalBoolean("talking_head").orElse(false)
                ? HeadMixing.TALKING_HEADS : HeadMixing.NONE;
        Optional<Convolution> convolution = Optional.empty();
        if (version == DebertaVersion.V2) {
            int kernel = config.optionalInt("conv_kernel_size").orElse(0);
            if (kernel > 0) {
                if (kernel % 2 == 0) {
                    throw new UnsupportedConfigException(source + " sets conv_kernel_size " + kernel + ": with "
                            + "padding (k - 1) // 2 an even kernel shortens the sequence by one and Transformers' "
                            + "ConvLayer fails on the residual sum; use an odd size, or 0 for no convolution");
                }
                int groups = config.optionalInt("conv_groups").orElse(1);
                if (groups < 1 || hidden % groups != 0) {
                    throw new UnsupportedConfigException(source + " sets conv_groups " + groups + ", which must "
                            + "divide hidden_size " + hidden + " (torch.nn.Conv1d refuses it too)");
                }
                String activation = config.optionalString("conv_act").orElse("tanh");
                convolution = Optional.of(new Convolution(kernel, groups,
                        Activation.named(activation, "conv_act", source)));
            }
        }
        PositionInput positionInput = config.optionalBoolean("position_biased_input").orElse(true)
                ? PositionInput.ADDED : PositionInput.ABSENT;
        return new DebertaOptions(version, config.intValue("vocab_size"), hidden, embeddingSize, layers, heads,
                headSize, config.intValue("intermediate_size"), Activation.fromConfig(config, "hidden_act"),
                typeVocabSize, config.intValue("max_position_embeddings"), positionInput,
                config.doubleValue("layer_norm_eps"), positionAttention, scaleFactor, relative, mixing, convolution,
                Activation.named(config.optionalString("pooler_hidden_act").orElse("gelu"), "pooler_hidden_act",
                        source),
                EmbeddingTie.of(config));
    }

    /**
     * {@code pos_att_type} as the configuration classes store it: a string is split on {@code |}, stripped and
     * lower-cased ({@code "c2p|p2c"}); a list is taken as is; absent or null is empty.
     */
    private static List<String> positionAttentionTypes(ModelConfig config) {
        if (config.isString("pos_att_type")) {
            List<String> names = new ArrayList<>();
            for (String part : config.stringValue("pos_att_type").toLowerCase(Locale.ROOT).split("\\|", -1)) {
                names.add(part.strip());
            }
            return List.copyOf(names);
        }
        return config.stringList("pos_att_type");
    }

    /** {@code norm_rel_ebd}: {@code |}-separated names, of which {@code layer_norm} adds a LayerNorm. */
    private static boolean normalizesRelativeEmbeddings(ModelConfig config) {
        String value = config.optionalString("norm_rel_ebd").orElse("none");
        for (String part : value.toLowerCase(Locale.ROOT).split("\\|", -1)) {
            if (part.strip().equals("layer_norm")) {
                return true;
            }
        }
        return false;
    }
}
