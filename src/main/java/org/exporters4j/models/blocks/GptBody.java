package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * What the decoder bodies of the GPT-2 lineage share (GPT-2, GPT-Neo, GPT-J and CodeGen, BLOOM): the base model under
 * {@code transformer.}, the widths every layer has (config.json's width and head keys, {@code vocab_size},
 * {@code layer_norm_epsilon}, the layer count), the final LayerNorm {@code ln_f}, the cache shape and the interface
 * spec. A family adds its embeddings and layers.
 */
public abstract class GptBody implements DecoderArchitecture.Decoder {
    protected final OnnxGraphBuilder graph;
    protected final Parameters parameters;
    /** {@code "transformer."}, or empty in a checkpoint saved from the bare model. */
    protected final String base;
    protected final long hidden;
    protected final int heads;
    protected final long headDim;
    protected final int layers;
    protected final long vocab;
    protected final double epsilon;
    protected final EmbeddingTie tie;
    private final DecoderArchitecture.DecoderSpec spec;

    /**
     * @param split the hidden width and its heads ({@link AttentionHeads#read} with the family's keys)
     * @param layersKey config.json's layer count, e.g. {@code n_layer}
     * @param embeddingTable the word-embedding table below {@code transformer.} (probes the base prefix)
     */
    protected GptBody(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, AttentionHeads split,
                      String layersKey, String embeddingTable, CacheLayout layout, List<String> inputs,
                      DecoderArchitecture.HeadWeights headWeights) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.hidden = split.width();
        this.heads = split.heads();
        this.headDim = split.headSize();
        this.layers = LayerStack.count(config, layersKey);
        this.vocab = config.intValue("vocab_size");
        this.epsilon = config.doubleValue("layer_norm_epsilon");
        this.tie = EmbeddingTie.of(config);
        this.base = parameters.basePrefix("transformer", embeddingTable);
        this.spec = new DecoderArchitecture.DecoderSpec(new DecoderInputs.CacheShape(layers, heads, headDim, layout),
                inputs, hidden, vocab, headWeights);
    }

    @Override
    public final DecoderArchitecture.DecoderSpec spec() {
        return spec;
    }

    /** GPT-2's embeddings, {@code wte(input_ids) + wpe(positions)} ({@code positions} rows in {@code wpe}), as rows. */
    protected Value wordAndPositionEmbeddings(DecoderInputs inputs, long positions) {
        Value words = graph.gather(parameters.tensor(base + "wte.weight", vocab, hidden), inputs.inputIds(), 0);
        Value positionEmbeddings = graph.gather(parameters.tensor(base + "wpe.weight", positions, hidden),
                inputs.positions(graph), 0);
        return graph.reshape(graph.add(words, positionEmbeddings), -1, hidden);
    }

    /** {@code ln_f}, the LayerNorm after the last layer. */
    @Override
    public Value finalNorm(Value rows) {
        return layerNorm(base + "ln_f", rows);
    }

    /** The LayerNorm {@code prefix} of width {@code hidden} with {@code layer_norm_epsilon}, on {@code rows}. */
    protected Value layerNorm(String prefix, Value rows) {
        return LayerNorm.load(parameters, prefix, hidden, epsilon).apply(graph, rows);
    }

    /** Projected rows {@code [batch × sequence, heads × head_dim]} as {@code [batch, heads, sequence, head_dim]}. */
    protected Value splitHeads(Value rows, DecoderInputs inputs) {
        return CachedAttention.splitHeads(graph, rows, inputs.grid(), heads, headDim);
    }
}
