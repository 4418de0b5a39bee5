package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.onnx.Value;

/**
 * A text encoder computed as BERT's ({@code BertEncoder} and its copies in ConvBERT and MobileBERT): the family's
 * embeddings built in the scope {@code embeddings}, then its layers under {@code <base>encoder.layer.<i>.}, each
 * reading the additive mask of {@code attention_mask} ({@link AttentionMask#additive}, causal for a decoder
 * configuration), then the heads of {@link TextEncoderHeads}. A family supplies its embeddings and its layer.
 */
public abstract class BertStyleEncoder<O extends BertStyleEncoder.Options> extends TextEncoderHeads {
    /** What the encoder reads from a family's options (its options record implements it). */
    public interface Options {
        long hiddenSize();

        long vocabSize();

        /** {@code num_hidden_layers}. */
        int layers();

        /** Causal for a decoder configuration ({@code is_decoder}), else bidirectional. */
        AttentionDirection direction();
    }

    /** The family's options, read from config.json. */
    protected final O options;

    protected BertStyleEncoder(GraphBuild build, ModelConfig config, TextInputs inputs, String base, O options) {
        this(build, config, inputs, base, options, null);
    }

    /** @param poolerDense BERT's pooler Linear (see {@link TextEncoderHeads}), or null for a family without it */
    protected BertStyleEncoder(GraphBuild build, ModelConfig config, TextInputs inputs, String base, O options,
                               String poolerDense) {
        super(build, config, inputs, base, options.hiddenSize(), options.vocabSize(), poolerDense);
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Encodes the inputs, then adds the outputs the interface asks for. In the fused form
     * ({@link org.exporters4j.models.ModelForm#fused()}) a family whose layers are BERT's
     * ({@link #fusedLayerSettings()}) has them written as {@link FusedBertLayer}.
     */
    public final void addOutputs() {
        Value embedded = graph.inScope("embeddings", this::embeddings);
        Optional<BertStyleLayer.Settings> fused = build.form().fused() ? fusedLayerSettings() : Optional.empty();
        LayerStack stack = new LayerStack(base, "encoder.layer", options.layers());
        if (fused.isPresent()) {
            Value keyMask = FusedBertLayer.keyMask(graph, inputs.attentionMask().orElse(null));
            add(stack.apply(graph, embedded, (index, prefix, input) -> FusedBertLayer.apply(graph, parameters, prefix,
                    input, keyMask, grid, fused.get(), options.direction())));
            return;
        }
        Value mask = AttentionMask.additive(graph, inputs.attentionMask().orElse(null), options.direction(), grid);
        add(stack.apply(graph, embedded, (index, prefix, input) -> layer(prefix, input, mask)));
    }

    /**
     * The settings of the family's layers when they are exactly BERT's {@code BertLayer} under
     * {@code encoder.layer.<i>.} (then the fused form writes them with ONNX Runtime's fused operators); empty for a
     * family whose layer differs, which keeps its standard operators in every form.
     */
    protected Optional<BertStyleLayer.Settings> fusedLayerSettings() {
        return Optional.empty();
    }

    /** The embeddings of {@link #inputs} as rows {@code [batch × sequence, hidden]}. */
    protected abstract Value embeddings();

    /** One encoder layer under {@code prefix} on {@code rows}, with the additive attention {@code mask}. */
    protected abstract Value layer(String prefix, Value rows, Value mask);
}
