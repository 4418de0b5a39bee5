package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * What the decoder bodies of today's Transformers decoders share (GPT-NeoX, Phi, StableLM, Falcon): the graph and
 * the bound weights, the base model's prefix, the widths config.json's {@code hidden_size} and
 * {@code num_attention_heads} give, {@code num_hidden_layers}, {@code vocab_size}, the embedding tie, and the token
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
     * @param baseModel      the base model's module, e.g. {@code "model"} or {@code "gpt_neox"}
     * @param embeddingTable the token-embedding table below it, e.g. {@code "embed_tokens.weight"} (also probes the
     *                       base prefix)
     */
    protected DecoderBody(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, String baseModel,
                          String embeddingTable) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
        this.hidden = split.width();
        this.heads = split.heads();
        this.headDim = split.headSize();
        this.layers = LayerStack.count(config, "num_hidden_layers");
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
