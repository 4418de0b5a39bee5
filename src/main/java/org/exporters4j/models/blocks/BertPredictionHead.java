package org.exporters4j.models.blocks;

import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Parameters;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * BERT's language-model head ({@code BertLMPredictionHead}) and the copies of it in BERT's line of models, which
 * differ only in the names of its weights: a dense layer (hidden size to the embedding size), the activation, a
 * LayerNorm, then the decoder — the word embedding table when the embeddings are tied ({@link EmbeddingTie}), else
 * the decoder's own weight — plus the output bias. Each constant holds the names one family's checkpoints use.
 */
public enum BertPredictionHead {
    /** {@code cls.predictions}: BERT, and LayoutLM, BigBird, RoFormer, SqueezeBERT and DeBERTa, which copy it. */
    CLS_PREDICTIONS("cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
            "cls.predictions.decoder.weight", "cls.predictions.bias", "cls.predictions.decoder.bias"),
    /** RoBERTa's {@code lm_head} ({@code RobertaLMHead}, GELU). */
    ROBERTA_LM_HEAD("lm_head.dense", "lm_head.layer_norm", "lm_head.decoder.weight", "lm_head.bias",
            "lm_head.decoder.bias"),
    /** ELECTRA's and ConvBERT's generator: {@code generator_predictions} (GELU), then {@code generator_lm_head}. */
    GENERATOR("generator_predictions.dense", "generator_predictions.LayerNorm", "generator_lm_head.weight",
            "generator_lm_head.bias"),
    /** ALBERT's {@code predictions} ({@code AlbertMLMHead}). */
    ALBERT_PREDICTIONS("predictions.dense", "predictions.LayerNorm", "predictions.decoder.weight",
            "predictions.bias", "predictions.decoder.bias"),
    /** DistilBERT's {@code vocab_transform}, {@code vocab_layer_norm} and {@code vocab_projector}. */
    DISTILBERT_VOCAB("vocab_transform", "vocab_layer_norm", "vocab_projector.weight", "vocab_projector.bias");

    private final String dense;
    private final String layerNorm;
    private final String decoder;
    /** The output bias, the first name the checkpoint has (a tied bias may be stored under the decoder's only). */
    private final String[] biasNames;

    BertPredictionHead(String dense, String layerNorm, String decoder, String... biasNames) {
        this.dense = dense;
        this.layerNorm = layerNorm;
        this.decoder = decoder;
        this.biasNames = biasNames.clone();
    }

    /**
     * Vocabulary logits as rows {@code [tokens, vocab_size]} for rows {@code [tokens, hidden_size]}.
     *
     * @param wordEmbeddings the word embedding table the decoder is tied to
     * @param embeddingSize  the dense layer's output width (the hidden size, except where the family's embeddings
     *                       are narrower)
     */
    public Value logits(OnnxGraphBuilder graph, Parameters parameters, String wordEmbeddings, EmbeddingTie tie,
                        long hiddenSize, long embeddingSize, long vocabSize, Activation activation,
                        double layerNormEps, Value rows) {
        Value transformed = activation.apply(graph,
                Linear.load(parameters, dense, hiddenSize, embeddingSize).apply(graph, rows));
        Value normalized = LayerNorm.load(parameters, layerNorm, embeddingSize, layerNormEps)
                .apply(graph, transformed);
        String weight = tie.decoderWeight(wordEmbeddings, decoder);
        Linear output = new Linear(parameters.tensor(weight, vocabSize, embeddingSize),
                parameters.tensor(parameters.firstPresent(biasNames), vocabSize),
                embeddingSize, vocabSize);
        return output.apply(graph, normalized);
    }
}
