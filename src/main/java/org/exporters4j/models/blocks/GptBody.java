package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * What the decoder bodies of the GPT-2 lineage share (GPT-2, GPT-Neo, GPT-J and CodeGen, BLOOM), on top of
 * {@link DecoderBody}: the base model under {@code transformer.} (the family's width, head and layer keys),
 * {@code layer_norm_epsilon}, the final LayerNorm {@code ln_f}, the cache shape and the interface spec, the embeddings
 * ({@code wte}, plus {@code wpe} where the family has learned positions). A family adds its layers.
 */
public abstract class GptBody extends DecoderBody {
    protected final double epsilon;
    /** The rows of {@code wpe}, when the family has learned positions. */
    private final Optional<Long> positions;
    private final DecoderArchitecture.DecoderSpec spec;

    /**
     * The embedding tables below {@code transformer.}.
     *
     * @param wordTable the word-embedding table, e.g. {@code wte.weight} (also probes the base prefix)
     * @param positionsKey config.json's count of learned positions in {@code wpe.weight} (GPT-2's {@code n_positions},
     *                     GPT-Neo's {@code max_position_embeddings}); empty for a family that has no position table
     */
    public record Embeddings(String wordTable, Optional<String> positionsKey) {
        public Embeddings {
            Objects.requireNonNull(wordTable, "wordTable");
            Objects.requireNonNull(positionsKey, "positionsKey");
        }

        /** Word embeddings only (GPT-J, CodeGen, BLOOM). */
        public static Embeddings words(String wordTable) {
            return new Embeddings(wordTable, Optional.empty());
        }

        /** Word embeddings plus {@code wpe} of {@code positionsKey} rows (GPT-2, GPT-Neo). */
        public static Embeddings wordsAndPositions(String wordTable, String positionsKey) {
            return new Embeddings(wordTable, Optional.of(positionsKey));
        }
    }

    /**
     * @param split the hidden width and its heads ({@link AttentionHeads#read} with the family's keys)
     * @param layersKey config.json's layer count, e.g. {@code n_layer}
     * @param embeddings the word (and position) tables below {@code transformer.}
     */
    protected GptBody(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters, AttentionHeads split,
                      String layersKey, Embeddings embeddings, CacheLayout layout, List<String> inputs,
                      DecoderArchitecture.HeadWeights headWeights) {
        super(config, graph, parameters, split, layersKey, "transformer", embeddings.wordTable());
        this.epsilon = config.doubleValue("layer_norm_epsilon");
        this.positions = embeddings.positionsKey().map(key -> (long) config.intValue(key));
        this.spec = spec(heads, layout, inputs, headWeights);
    }

    @Override
    public final DecoderArchitecture.DecoderSpec spec() {
        return spec;
    }

    /**
     * The embeddings as rows {@code [batch × sequence, hidden]}: {@code wte(input_ids)}, plus {@code wpe(positions)}
     * where the family has learned positions (GPT-2's sum).
     */
    @Override
    public Value embed(DecoderInputs inputs) {
        Value words = graph.gather(parameters.tensor(wordEmbeddings(), vocab, hidden), inputs.inputIds(), 0);
        if (positions.isPresent()) {
            Value positionEmbeddings = graph.gather(parameters.tensor(base + "wpe.weight", positions.get(), hidden),
                    inputs.positions(graph), 0);
            words = graph.add(words, positionEmbeddings);
        }
        return graph.reshape(words, -1, hidden);
    }

    /**
     * The feed-forward width of GPT-2's lineage: config.json's {@code key} (GPT-2's and GPT-J's {@code n_inner},
     * GPT-Neo's {@code intermediate_size}), or {@code 4 × hidden} when it is unset or null, as their MLPs default.
     */
    protected final long innerSize(ModelConfig config, String key) {
        return config.optionalInt(key).map(Integer::longValue).orElse(4 * hidden);
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
