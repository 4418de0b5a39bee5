package org.exporters4j.models.blocks;

import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * BERT's language-model head ({@code BertLMPredictionHead}) as the families that copy it name it
 * ({@code cls.predictions} in LayoutLM, BigBird, RoFormer, SqueezeBERT): {@code transform.dense} (hidden size to the
 * embedding size, which is the hidden size except in RoFormer), the activation, {@code transform.LayerNorm}, then
 * the decoder — the word embedding table when the embeddings are tied ({@link EmbeddingTie}), else
 * {@code decoder.weight} — plus the output bias ({@code <prefix>.bias}, or {@code decoder.bias} in checkpoints that
 * store only that name of the tied parameter).
 */
public final class BertPredictionHead {
    private BertPredictionHead() {}

    /** Vocabulary logits as rows {@code [tokens, vocab_size]} for rows {@code [tokens, hidden_size]}. */
    public static Value logits(OnnxGraphBuilder graph, Parameters parameters, String prefix, String wordEmbeddings,
                               EmbeddingTie tie, long hiddenSize, long embeddingSize, long vocabSize,
                               Activation activation, double layerNormEps, Value rows) {
        Value transformed = activation.apply(graph,
                Linear.load(parameters, prefix + ".transform.dense", hiddenSize, embeddingSize).apply(graph, rows));
        Value normalized = LayerNorm.load(parameters, prefix + ".transform.LayerNorm", embeddingSize, layerNormEps)
                .apply(graph, transformed);
        String weight = tie.decoderWeight(wordEmbeddings, prefix + ".decoder.weight");
        Linear decoder = new Linear(parameters.tensor(weight, vocabSize, embeddingSize),
                parameters.tensor(parameters.firstPresent(prefix + ".bias", prefix + ".decoder.bias"), vocabSize),
                embeddingSize, vocabSize);
        return decoder.apply(graph, normalized);
    }
}
