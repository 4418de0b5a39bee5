package org.exporters4j.models.deberta;

import java.util.List;
import java.util.Optional;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * DeBERTa's {@code DisentangledSelfAttention} of one layer (Transformers 4.25.1, eval mode), rows in and the context
 * rows {@code [batch × sequence, heads × head_size]} out (before {@code attention.output}):
 * content scores {@code q · kᵀ}, plus the content-to-position and position-to-content terms against the projected
 * relative embeddings, each gathered at the clamped relative distance, then {@code XSoftmax} over the pairwise
 * mask and the weighted values.
 *
 * @param prefix the layer's {@code attention.self.} prefix, e.g. {@code deberta.encoder.layer.0.attention.self.}
 */
record DisentangledAttention(OnnxGraphBuilder graph, Parameters parameters, DebertaOptions options, TokenGrid grid,
                             String prefix) {

    /**
     * The context rows.
     *
     * @param pairMask bool {@code [batch, 1, sequence, sequence]}: query and key both unmasked
     * @param relative the shared relative positions, when {@code relative_attention}
     */
    Value apply(Value rows, Value pairMask, Optional<RelativePositions> relative) {
        long hidden = options.hiddenSize();
        long headSize = options.headSize();
        long allHeads = options.heads() * headSize;
        // torch.sqrt(torch.tensor(head_size, dtype=torch.float) * scale_factor), a float32 value
        double scale = (float) Math.sqrt((float) (headSize * options.scaleFactor()));
        Value query;
        Value key;
        Value value;
        Linear queryProjection = null;
        Linear keyProjection = null;
        if (options.version() == DebertaVersion.V1) {
            // in_proj has no bias; viewed as [heads, 3 × head_size] per token and chunked: q, k, v of each head
            Value projected = Linear.load(parameters, prefix + "in_proj", hidden, 3 * allHeads, Bias.WITHOUT_BIAS)
                    .applyToLastAxis(graph, rows);
            Value perHead = graph.transpose(graph.reshape(projected, grid.shapeWith(graph, options.heads(),
                    3 * headSize)), 0, 2, 1, 3);
            List<Value> parts = graph.split(perHead, 3, headSize, headSize, headSize);
            query = graph.add(parts.get(0), headBias(prefix + "q_bias"));
            key = parts.get(1);
            value = graph.add(parts.get(2), headBias(prefix + "v_bias"));
            // v1 scales the query before both the content and the content-to-position scores
            query = graph.div(query, graph.scalar(ElementType.FLOAT, scale));
        } else {
            queryProjection = Linear.load(parameters, prefix + "query_proj", hidden, allHeads);
            keyProjection = Linear.load(parameters, prefix + "key_proj", hidden, allHeads);
            query = heads(queryProjection.apply(graph, rows));
            key = heads(keyProjection.apply(graph, rows));
            value = heads(Linear.load(parameters, prefix + "value_proj", hidden, allHeads).apply(graph, rows));
        }
        Value keyTransposed = graph.transpose(key, 0, 1, 3, 2);
        Value scores = graph.matMul(query, keyTransposed);
        if (options.version() == DebertaVersion.V2) {
            scores = graph.div(scores, graph.scalar(ElementType.FLOAT, scale));
        }
        if (relative.isPresent()) {
            RelativePositions positions = relative.get();
            DebertaOptions.Relative settings = options.relative().orElseThrow();
            if (options.positionAttention().contains(DebertaOptions.PositionAttention.C2P)) {
                Value positionKeys = positionHeads(switch (options.version()) {
                    case V1 -> Linear.load(parameters, prefix + "pos_proj", hidden, allHeads, Bias.WITHOUT_BIAS)
                            .applyToLastAxis(graph, positions.embeddings());
                    case V2 -> (settings.keySharing() == DebertaOptions.KeySharing.SHARED ? keyProjection
                            : Linear.load(parameters, prefix + "pos_key_proj", hidden, allHeads))
                            .apply(graph, positions.embeddings());
                });
                Value contentToPosition = graph.gatherElements(
                        graph.matMul(query, graph.transpose(positionKeys, 0, 2, 1)),
                        graph.expand(positions.contentToPosition(), graph.shape(scores)), 3);
                if (options.version() == DebertaVersion.V2) {
                    contentToPosition = graph.div(contentToPosition, graph.scalar(ElementType.FLOAT, scale));
                }
                scores = graph.add(scores, contentToPosition);
            }
            if (options.positionAttention().contains(DebertaOptions.PositionAttention.P2C)) {
                Value positionQueries = positionHeads(switch (options.version()) {
                    case V1 -> Linear.load(parameters, prefix + "pos_q_proj", hidden, allHeads)
                            .apply(graph, positions.embeddings());
                    case V2 -> (settings.keySharing() == DebertaOptions.KeySharing.SHARED ? queryProjection
                            : Linear.load(parameters, prefix + "pos_query_proj", hidden, allHeads))
                            .apply(graph, positions.embeddings());
                });
                if (options.version() == DebertaVersion.V1) {
                    positionQueries = graph.div(positionQueries, graph.scalar(ElementType.FLOAT, scale));
                }
                // gathered per key row, then transposed: score(i, j) = k_j · r_q[clamp(−δ(j, i) + span)]
                Value gathered = graph.gatherElements(
                        graph.matMul(key, graph.transpose(positionQueries, 0, 2, 1)),
                        graph.expand(positions.positionToContent(), graph.shape(scores)), 3);
                Value positionToContent = graph.transpose(gathered, 0, 1, 3, 2);
                if (options.version() == DebertaVersion.V2) {
                    positionToContent = graph.div(positionToContent, graph.scalar(ElementType.FLOAT, scale));
                }
                scores = graph.add(scores, positionToContent);
            }
        }
        if (options.headMixing() == DebertaOptions.HeadMixing.TALKING_HEADS) {
            scores = mixHeads(scores, prefix + "head_logits_proj.weight");
        }
        // XSoftmax: masked scores to float32's minimum, softmax, masked probabilities to 0
        Value masked = graph.where(pairMask, scores, graph.scalar(ElementType.FLOAT, AttentionMask.FLOAT32_MIN));
        Value probabilities = graph.where(pairMask, graph.softmax(masked, -1), graph.scalar(ElementType.FLOAT, 0.0));
        if (options.headMixing() == DebertaOptions.HeadMixing.TALKING_HEADS) {
            probabilities = mixHeads(probabilities, prefix + "head_weights_proj.weight");
        }
        Value context = graph.transpose(graph.matMul(probabilities, value), 0, 2, 1, 3);
        return graph.reshape(context, -1, allHeads);
    }

    /** Rows {@code [batch × sequence, heads × head_size]} as {@code [batch, heads, sequence, head_size]}. */
    private Value heads(Value rows) {
        return graph.transpose(graph.reshape(rows, grid.shapeWith(graph, options.heads(), options.headSize())),
                0, 2, 1, 3);
    }

    /** Projected relative embeddings {@code [2 span, heads × head_size]} as {@code [heads, 2 span, head_size]}. */
    private Value positionHeads(Value rows) {
        return graph.transpose(graph.reshape(rows, -1, options.heads(), options.headSize()), 1, 0, 2);
    }

    /** A {@code [heads × head_size]} bias broadcast over {@code [batch, heads, sequence, head_size]}. */
    private Value headBias(String name) {
        return graph.reshape(parameters.tensor(name, options.heads() * options.headSize()),
                1, options.heads(), 1, options.headSize());
    }

    /** v1's talking heads: a bias-free linear map across the head axis of {@code [batch, heads, query, key]}. */
    private Value mixHeads(Value perHead, String weightName) {
        Value weight = parameters.tensor(weightName, options.heads(), options.heads());
        Value headsLast = graph.transpose(perHead, 0, 2, 3, 1);
        return graph.transpose(graph.matMul(headsLast, graph.transpose(weight, 1, 0)), 0, 3, 1, 2);
    }
}
