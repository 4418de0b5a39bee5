package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The decoder bodies of GPT-NeoX's line as Transformers 4.51 computes it (GPT-NeoX, Phi, StableLM): on top of
 * {@link DecoderBody}, config.json's {@code intermediate_size}, {@code layer_norm_eps} and {@code hidden_act}, and
 * rotary embeddings on the first part of every head ({@link PartialRotary}), whose angles are computed once per graph
 * from the positions; the key/value heads, and the spec: that cache in the common layout, the inputs with
 * {@code position_ids}, and the family's head weights.
 */
public abstract class PartialRotaryBody extends DecoderBody {
    protected final long intermediate;
    protected final double epsilon;
    protected final Activation activation;
    protected final RotaryEmbedding rotary;
    /** The key/value heads: {@code num_key_value_heads}, or one per query head. */
    protected final int kvHeads;
    private final DecoderArchitecture.HeadWeights headWeights;

    /** Where a family's key/value heads come from. */
    public enum KeyValueHeads {
        /** A key and a value per query head (GPT-NeoX). */
        PER_QUERY_HEAD,
        /** config.json's {@code num_key_value_heads}, one per query head when unset ({@link AttentionHeads#keyValueHeads}). */
        FROM_CONFIG
    }

    /**
     * @param factorKey     config.json's share of each head that rotates, e.g. {@code partial_rotary_factor}
     * @param defaultFactor that share when the key is unset
     * @param thetaKey      config.json's rotary base, e.g. {@code rope_theta}
     * @param keyValueHeads where the key/value heads come from
     * @param headWeights   where the classification heads keep their weights
     */
    protected PartialRotaryBody(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, String baseModel,
                                String embeddingTable, String factorKey, double defaultFactor, String thetaKey,
                                KeyValueHeads keyValueHeads, DecoderArchitecture.HeadWeights headWeights) {
        super(config, graph, parameters, baseModel, embeddingTable);
        this.intermediate = config.intValue("intermediate_size");
        this.epsilon = config.doubleValue("layer_norm_eps");
        this.activation = Activation.fromConfig(config, "hidden_act");
        this.rotary = PartialRotary.read(config, headDim, factorKey, defaultFactor, thetaKey);
        this.kvHeads = switch (keyValueHeads) {
            case PER_QUERY_HEAD -> heads;
            case FROM_CONFIG -> AttentionHeads.keyValueHeads(config, heads);
        };
        this.headWeights = Objects.requireNonNull(headWeights, "headWeights");
    }

    /** The cache of {@link #kvHeads} heads in the common layout; ids, mask and {@code position_ids} in. */
    @Override
    public final DecoderArchitecture.DecoderSpec spec() {
        return spec(kvHeads, CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM, DecoderInputs.WITH_POSITION_IDS, headWeights);
    }

    /** The rotary angles of this graph's positions, computed on first use and shared by every layer. */
    protected final RotaryEmbedding.Angles angles(DecoderInputs inputs) {
        return angles(rotary, inputs);
    }

    /** The LayerNorm {@code prefix} of width {@code hidden} with {@code layer_norm_eps}, on {@code rows}. */
    protected final Value layerNorm(String prefix, Value rows) {
        return LayerNorm.load(parameters, prefix, hidden, epsilon).apply(graph, rows);
    }
}
