package org.exporters4j.models.blocks;

import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The embedding tables of BERT's module tree ({@code BertEmbeddings}) that the families copying it keep under the same
 * names: {@code <prefix>word_embeddings.weight}, {@code <prefix>token_type_embeddings.weight} and
 * {@code <prefix>position_embeddings.weight}, where {@code prefix} is the base model's {@code "embeddings."}
 * (e.g. {@code "bert.embeddings."}). Each table's shape is checked.
 *
 * @param graph the graph under construction
 * @param parameters the checkpoint's weights
 * @param prefix the embeddings module, ending with a dot
 * @param width the embedding width (ALBERT's and ELECTRA's {@code embedding_size}, else {@code hidden_size})
 */
public record BertEmbeddings(OnnxGraphBuilder graph, Parameters parameters, String prefix, long width) {

    /**
     * config.json's {@code type_vocab_size}: the families add token type 0's embedding even without
     * {@code token_type_ids}, so a table without rows is refused (Transformers fails on it too).
     */
    public static long typeVocabSize(ModelConfig config) {
        long size = config.intValue("type_vocab_size");
        if (size < 1) {
            throw new UnsupportedConfigException(config.source() + " sets type_vocab_size " + size + ": the "
                    + config.modelType() + " embeddings always add token type 0's embedding, so the table needs at "
                    + "least one row (Transformers fails on this config too); set type_vocab_size to 1 or more");
        }
        return size;
    }

    /** {@code word_embeddings(input_ids)}, {@code [batch, sequence, width]}. */
    public Value words(TextInputs inputs, long vocabSize) {
        return graph.gather(parameters.tensor(prefix + "word_embeddings.weight", vocabSize, width), inputs.inputIds(),
                0);
    }

    /**
     * {@code token_type_embeddings(token_type_ids)}; without {@code token_type_ids} the families use their buffer of
     * zeros, so every token adds row 0.
     */
    public Value tokenTypes(TextInputs inputs, long typeVocabSize) {
        return tokenTypes(inputs.tokenTypeIds(), typeVocabSize);
    }

    /** As {@link #tokenTypes(TextInputs, long)}, for token types a family derives itself. */
    public Value tokenTypes(Optional<Value> tokenTypeIds, long typeVocabSize) {
        Value table = parameters.tensor(prefix + "token_type_embeddings.weight", typeVocabSize, width);
        return tokenTypeIds
                .map(ids -> graph.gather(table, ids, 0))
                .orElseGet(() -> graph.gather(table, graph.scalar(0), 0));
    }

    /** {@code position_embeddings(positionIds)}. */
    public Value positions(Value positionIds, long maxPositions) {
        return graph.gather(parameters.tensor(prefix + "position_embeddings.weight", maxPositions, width),
                positionIds, 0);
    }

    /** {@code LayerNorm(sum)} with {@code <prefix>LayerNorm}, as rows {@code [batch × sequence, width]}. */
    public Value normalizedRows(Value sum, double layerNormEps) {
        return graph.reshape(LayerNorm.load(parameters, prefix + "LayerNorm", width, layerNormEps).apply(graph, sum),
                -1, width);
    }
}
