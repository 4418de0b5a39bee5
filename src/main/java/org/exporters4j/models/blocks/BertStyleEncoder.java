package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.onnx.Value;

/**
 * A text encoder computed as BERT's ({@code BertEncoder} and its copies in ConvBERT and MobileBERT): the family's
 * embeddings built in the scope {@code embeddings}, then its layers under {@code <base>encoder.layer.<i>.}, each
 * reading the additive mask of {@code attention_mask} ({@link AttentionMask#additive}, causal for a decoder
 * configuration), then the heads of {@link TextEncoderHeads}. A family supplies its embeddings and its layer.
 */
public abstract class BertStyleEncoder extends TextEncoderHeads {
    /** The base model's prefix, e.g. {@code "bert."}, or empty in a checkpoint of the bare model. */
    protected final String base;
    private final int layers;
    private final AttentionDirection direction;

    protected BertStyleEncoder(GraphBuild build, ModelConfig config, TextInputs inputs, String base, long hidden,
                               long vocabSize, int layers, AttentionDirection direction) {
        this(build, config, inputs, base, hidden, vocabSize, layers, direction, null);
    }

    /** @param poolerDense BERT's pooler Linear (see {@link TextEncoderHeads}), or null for a family without it */
    protected BertStyleEncoder(GraphBuild build, ModelConfig config, TextInputs inputs, String base, long hidden,
                               long vocabSize, int layers, AttentionDirection direction, String poolerDense) {
        super(build, config, inputs, hidden, vocabSize, poolerDense);
        this.base = Objects.requireNonNull(base, "base");
        this.layers = layers;
        this.direction = Objects.requireNonNull(direction, "direction");
    }

    /** Encodes the inputs, then adds the outputs the interface asks for. */
    public final void addOutputs() {
        Value embedded = graph.inScope("embeddings", this::embeddings);
        Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null), direction, grid);
        add(new LayerStack(base, "encoder.layer", layers)
                .apply(graph, embedded, (index, prefix, input) -> layer(prefix, input, mask)));
    }

    /** The embeddings of {@link #inputs} as rows {@code [batch × sequence, hidden]}. */
    protected abstract Value embeddings();

    /** One encoder layer under {@code prefix} on {@code rows}, with the additive attention {@code mask}. */
    protected abstract Value layer(String prefix, Value rows, Value mask);
}
