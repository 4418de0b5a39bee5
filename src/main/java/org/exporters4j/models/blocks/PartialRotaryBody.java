package org.exporters4j.models.blocks;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The decoder bodies of GPT-NeoX's line as Transformers 4.51 computes it (GPT-NeoX, Phi, StableLM): on top of
 * {@link DecoderBody}, config.json's {@code intermediate_size}, {@code layer_norm_eps} and {@code hidden_act}, and
 * rotary embeddings on the first part of every head ({@link PartialRotary}), whose angles are computed once per graph
 * from the positions.
 */
public abstract class PartialRotaryBody extends DecoderBody {
    protected final long intermediate;
    protected final double epsilon;
    protected final Activation activation;
    protected final RotaryEmbedding rotary;

    /**
     * @param factorKey     config.json's share of each head that rotates, e.g. {@code partial_rotary_factor}
     * @param defaultFactor that share when the key is unset
     * @param thetaKey      config.json's rotary base, e.g. {@code rope_theta}
     */
    protected PartialRotaryBody(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, String baseModel,
                                String embeddingTable, String factorKey, double defaultFactor, String thetaKey) {
        super(config, graph, parameters, baseModel, embeddingTable);
        this.intermediate = config.intValue("intermediate_size");
        this.epsilon = config.doubleValue("layer_norm_eps");
        this.activation = Activation.fromConfig(config, "hidden_act");
        this.rotary = PartialRotary.read(config, headDim, factorKey, defaultFactor, thetaKey);
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
