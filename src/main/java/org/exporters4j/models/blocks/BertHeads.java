package org.exporters4j.models.blocks;

import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.onnx.Value;

/**
 * {@code BertModel}'s heads as the families that copy them keep them (LayoutLM, SqueezeBERT, BigBird, RoFormer,
 * ALBERT): BERT's tanh pooler, a {@link BertPredictionHead} (hidden size to the embedding size) tied to
 * {@code <base>embeddings.word_embeddings.weight}, and {@link TextEncoderHeads}' BERT defaults for the rest. A family
 * whose other heads differ subclasses it.
 */
public class BertHeads extends TextEncoderHeads {
    /** What the heads read from a family's options (its options record implements it). */
    public interface Options {
        long hiddenSize();

        long vocabSize();

        /** {@code hidden_act}, the activation of the prediction head's transform. */
        Activation activation();

        double layerNormEps();

        EmbeddingTie tie();

        /** The prediction head's width after its dense layer: the hidden size unless the family narrows it. */
        default long embeddingSize() {
            return hiddenSize();
        }
    }

    private final BertPredictionHead predictions;
    private final Options options;

    /**
     * @param base        the base model's prefix, e.g. {@code "bert."}
     * @param poolerDense the pooler's Linear, e.g. {@code "bert.pooler.dense"}, or null for a family without it
     * @param predictions how the family names the language-model head's weights
     */
    public BertHeads(GraphBuild build, ModelConfig config, TextInputs inputs, String base, String poolerDense,
                     BertPredictionHead predictions, Options options) {
        super(build, config, inputs, base, options.hiddenSize(), options.vocabSize(), poolerDense);
        this.predictions = Objects.requireNonNull(predictions, "predictions");
        this.options = options;
    }

    @Override
    protected Value languageModelLogits(Value rows) {
        return predictions.logits(graph, parameters, base + "embeddings.word_embeddings.weight", options.tie(), hidden,
                options.embeddingSize(), vocabSize, options.activation(), options.layerNormEps(), rows);
    }
}
