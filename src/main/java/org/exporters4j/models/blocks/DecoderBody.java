package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * What decoder bodies share (GPT-NeoX, Phi, StableLM, Falcon, and the GPT-2 lineage's {@link GptBody}): the graph
 * and the bound weights, the base model's prefix, the widths (today's config.json keys {@code hidden_size} and
 * {@code num_attention_heads}, or the family's), the layer count, {@code vocab_size}, the embedding tie, and the token
 * embeddings. A family adds its cache spec, layers, final norm and language-model head.
 */
public abstract class DecoderBody implements DecoderArchitecture.Decoder {
    protected final OnnxGraphBuilder graph;
    protected final Parameters parameters;
    /** The base model's prefix, e.g. {@code "model."}, or empty in a checkpoint saved from the bare model. */
    protected final String base;
    protected final long hidden;
    protected final int heads;
    protected final long headDim;
    protected final int layers;
    protected final long vocab;
    protected final EmbeddingTie tie;
    private final String embeddingTable;

    /**
     * With today's config.json keys: {@code hidden_size}, {@code num_attention_heads}, {@code num_hidden_layers}.
     *
     * @param baseModel      the base model's module, e.g. {@code "model"} or {@code "gpt_neox"}
     * @param embeddingTable the token-embedding table below it, e.g. {@code "embed_tokens.weight"} (also probes the
     *                       base prefix)
     */
    protected DecoderBody(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, String baseModel,
                          String embeddingTable) {
        this(config, graph, parameters, AttentionHeads.read(config, "hidden_size", "num_attention_heads"),
                "num_hidden_layers", baseModel, embeddingTable);
    }

    /**
     * @param split     the hidden width and its heads ({@link AttentionHeads#read} with the family's keys)
     * @param layersKey config.json's layer count, e.g. {@code n_layer}
     */
    protected DecoderBody(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, AttentionHeads split,
                          String layersKey, String baseModel, String embeddingTable) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.hidden = split.width();
        this.heads = split.heads();
        this.headDim = split.headSize();
        this.layers = LayerStack.count(config, layersKey);
        this.vocab = config.intValue("vocab_size");
        this.tie = EmbeddingTie.of(config);
        this.embeddingTable = Objects.requireNonNull(embeddingTable, "embeddingTable");
        this.base = parameters.basePrefix(baseModel, embeddingTable);
    }

    /** The token-embedding table's name, which a tied language-model head reads too. */
    protected final String wordEmbeddings() {
        return base + embeddingTable;
    }

    /** The token embeddings of {@code input_ids} as rows {@code [batch × sequence, hidden]}. */
    @Override
    public Value embed(DecoderInputs inputs) {
        return graph.reshape(graph.gather(parameters.tensor(wordEmbeddings(), vocab, hidden), inputs.inputIds(), 0),
                -1, hidden);
    }
}
