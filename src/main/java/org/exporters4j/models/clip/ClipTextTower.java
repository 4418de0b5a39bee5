package org.exporters4j.models.clip;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * CLIP's text transformer ({@code CLIPTextTransformer}, Transformers 4.25.1; OWL-ViT's and GroupViT's text towers
 * are the same): token plus learned position embeddings, encoder layers under a causal mask combined with the
 * padding mask, {@code final_layer_norm}, and the pooled output taken at the highest token id of each row
 * ({@code input_ids.argmax(-1)}, the end-of-text token in CLIP's vocabulary; the first one on ties, as ArgMax).
 */
public final class ClipTextTower {
    private ClipTextTower() {}

    /**
     * The tower under {@code prefix} (e.g. {@code "text_model."}) over int64 {@code inputIds [batch, sequence]},
     * with the optional 0/1 {@code attentionMask} (null: every token attended).
     */
    public static TowerOutput encode(OnnxGraphBuilder graph, Parameters parameters, String prefix,
                                     ModelConfig textConfig, Value inputIds, Value attentionMask) {
        TowerOptions options = TowerOptions.read(textConfig);
        long hidden = options.hiddenSize();
        TokenGrid grid = TokenGrid.of(graph, inputIds);
        Value embeddings = graph.inScope("embeddings", () -> {
            Value tokens = graph.gather(parameters.tensor(prefix + "embeddings.token_embedding.weight",
                    textConfig.intValue("vocab_size"), hidden), inputIds, 0);
            Value positions = graph.gather(parameters.tensor(prefix + "embeddings.position_embedding.weight",
                    textConfig.intValue("max_position_embeddings"), hidden), grid.positions(graph), 0);
            return graph.reshape(graph.add(tokens, positions), -1, hidden);
        });
        // CLIP adds a causal mask (finfo.min above the diagonal) and the expanded padding mask; one additive mask
        // with finfo.min wherever either masks gives the same softmax weights
        Value mask = AttentionMask.additive(graph, attentionMask, AttentionDirection.CAUSAL, grid);
        Value encoded = graph.inScope("encoder",
                () -> ClipEncoder.apply(graph, parameters, prefix + "encoder.", options, embeddings, mask, grid));
        Value last = LayerNorm.load(parameters, prefix + "final_layer_norm", hidden, TowerOptions.LAYER_NORM_EPS)
                .apply(graph, encoded);
        // last_hidden_state[arange(batch), input_ids.argmax(-1)], as a gather of rows batch × sequence + index
        Value batch = graph.gather(grid.batchAndSequence(), graph.scalar(0), 0);
        Value rowStarts = graph.mul(graph.range(graph.scalar(0), batch, graph.scalar(1)), grid.sequenceLength(graph));
        Value endOfText = graph.argMax(inputIds, 1, KeepDims.NO);
        Value pooled = graph.gather(last, graph.add(rowStarts, endOfText), 0);
        return new TowerOutput(last, pooled, grid);
    }
}
