package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * What decoder bodies share (GPT-NeoX, Phi, StableLM, Falcon, OPT, GPT-BigCode, and the GPT-2 lineage's
 * {@link GptBody}): the graph and the bound weights, the base model's prefix, the widths (today's config.json keys
 * {@code hidden_size} and {@code num_attention_heads}, or the family's), the layer count, {@code vocab_size}, the
 * embedding tie, and the token embeddings; and the steps their layers repeat: projections split into heads, rotary
 * angles computed once per graph, the tied language-model head. A family adds its cache spec, layers, final norm and
 * language-model head.
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
    /** The rotary embedding {@link #angles} was first asked for, and its angles at this graph's positions. */
    private RotaryEmbedding angledRotary;
    private RotaryEmbedding.Angles angles;

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

    /**
     * The body's spec: its cache of {@code cacheHeads} heads of {@code headDim} per layer in {@code layout}, the
     * non-cache {@code inputs} its forward takes, its {@code hidden} and {@code vocab} sizes and head weights.
     */
    protected final DecoderArchitecture.DecoderSpec spec(int cacheHeads, CacheLayout layout, List<String> inputs,
                                                         DecoderArchitecture.HeadWeights headWeights) {
        return new DecoderArchitecture.DecoderSpec(new DecoderInputs.CacheShape(layers, cacheHeads, headDim, layout),
                inputs, hidden, vocab, headWeights);
    }

    /**
     * {@code nn.Linear} {@code prefix} from {@code hidden} to {@code count} heads ({@code [batch × sequence,
     * count × head_dim]}) on {@code rows}, as {@code [batch, count, sequence, head_dim]}.
     */
    protected final Value projectHeads(String prefix, Value rows, int count, Linear.Bias bias, DecoderInputs inputs) {
        return CachedAttention.splitHeads(graph, Linear.load(parameters, prefix, hidden, count * headDim, bias)
                .apply(graph, rows), inputs.grid(), count, headDim);
    }

    /**
     * A part of a fused projection's output that holds {@code count} heads per row, in any shape
     * ({@code [rows, count × head_dim]}, {@code [rows, count, head_dim]}, ...), as
     * {@code [batch, count, sequence, head_dim]}.
     */
    protected final Value headsOf(Value part, int count, DecoderInputs inputs) {
        return CachedAttention.splitHeads(graph, graph.reshape(part, -1, count * headDim), inputs.grid(), count,
                headDim);
    }

    /**
     * The feed-forward block of most decoders, {@code down(act(up(rows)))}: the {@code nn.Linear} {@code up} from
     * {@code hidden} to {@code inner}, the activation, and the {@code nn.Linear} {@code down} back to {@code hidden}.
     */
    protected final Value mlp(String up, String down, long inner, Activation activation, Linear.Bias bias,
                              Value rows) {
        Value activated = activation.apply(graph, Linear.load(parameters, up, hidden, inner, bias).apply(graph, rows));
        return Linear.load(parameters, down, inner, hidden, bias).apply(graph, activated);
    }

    /**
     * The angles of {@code rotary} at this graph's positions, computed on first use and shared by every layer. A body
     * has one rotary embedding, passed as the same instance each time; a family with several (local and global
     * layers) keeps its own angles per embedding, as Llama's does.
     */
    protected final RotaryEmbedding.Angles angles(RotaryEmbedding rotary, DecoderInputs inputs) {
        if (angles == null) {
            angledRotary = rotary;
            angles = rotary.angles(graph, inputs.positions(graph));
        } else if (angledRotary != rotary) { // the one embedding a body holds, so the same instance
            throw new IllegalStateException("this decoder body's rotary angles were computed for another rotary "
                    + "embedding; a family with several rotary embeddings keeps its angles per embedding");
        }
        return angles;
    }

    /**
     * The bias-free LM head ({@link DecoderArchitecture#tiedLanguageModelLogits}): the word-embedding table unless
     * {@code tie_word_embeddings} is false, else {@code outputWeight}.
     */
    protected final Value tiedLanguageModelLogits(String outputWeight, Value rows) {
        return DecoderArchitecture.tiedLanguageModelLogits(graph, parameters, tie, wordEmbeddings(), outputWeight,
                hidden, vocab, rows);
    }

    /**
     * The LM head of most decoders, {@code lm_head} without a bias: the word-embedding table itself unless
     * {@code tie_word_embeddings} is false ({@code tie_weights}), else {@code lm_head.weight}. A family whose head is
     * stored or computed otherwise overrides this.
     */
    @Override
    public Value languageModelLogits(Value rows) {
        return tiedLanguageModelLogits("lm_head.weight", rows);
    }

    /**
     * The LM head with a bias (Phi's, GPT-J's): the word-embedding table unless {@code tie_word_embeddings} is false,
     * else {@code lm_head.weight}, plus {@code lm_head.bias}.
     */
    protected final Value biasedLanguageModelLogits(Value rows) {
        String weight = tie.decoderWeight(wordEmbeddings(), "lm_head.weight");
        return new Linear(parameters.tensor(weight, vocab, hidden), parameters.tensor("lm_head.bias", vocab), hidden,
                vocab).apply(graph, rows);
    }
}
