package org.exporters4j.models.deberta;

import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * What every layer's disentangled attention shares, computed once per graph from the sequence length: the
 * relative-position embeddings the layers project, and the gather indices that pick, for each query {@code i} and
 * key {@code j}, the relative embedding of their distance ({@code build_relative_position} and the clamps of
 * {@code disentangled_att_bias} / {@code disentangled_attention_bias}, Transformers 4.25.1).
 *
 * @param embeddings the relative embeddings the projections read, rows {@code [2 × span, hidden]}
 * @param contentToPosition int64 {@code [sequence, sequence]}: {@code clamp(δ(i, j) + span, 0, 2 span − 1)}
 * @param positionToContent int64 {@code [sequence, sequence]}: {@code clamp(−δ(i, j) + span, 0, 2 span − 1)}
 */
record RelativePositions(Value embeddings, Value contentToPosition, Value positionToContent) {

    /**
     * The relative positions of {@code options}: v1 uses the distances {@code i − j} and the span
     * {@code min(sequence, max_relative_positions)}, slicing the table around its middle; v2 uses the log buckets
     * of {@code make_log_bucket_position} when {@code position_buckets > 0}, the fixed span {@code pos_ebd_size}, and
     * the whole table, layer-normalized when {@code norm_rel_ebd} says so.
     */
    static RelativePositions build(OnnxGraphBuilder graph, Parameters parameters, DebertaOptions options,
                                   DebertaOptions.Relative relative, String base, TokenGrid grid) {
        Value table = parameters.tensor(base + "encoder.rel_embeddings.weight", relative.tableRows(),
                options.hiddenSize());
        Value positions = grid.positions(graph);
        // build_relative_position: q_ids[:, None] − k_ids[None, :]
        Value distances = graph.sub(graph.unsqueeze(positions, 1), graph.unsqueeze(positions, 0));
        Value relativePositions;
        Value span;
        Value embeddings;
        if (options.version() == DebertaVersion.V1) {
            // att_span = min(max(query, key), max_relative_positions), chosen per input length
            Value length = grid.sequenceLength(graph);
            Value maximum = graph.scalar(relative.maxRelativePositions());
            Value spanLength = graph.where(graph.less(length, maximum), length, maximum);
            embeddings = graph.slice(table, graph.unsqueeze(graph.sub(maximum, spanLength), 0),
                    graph.unsqueeze(graph.add(maximum, spanLength), 0), graph.constant(0));
            span = graph.cast(spanLength, ElementType.FLOAT);
            relativePositions = graph.cast(distances, ElementType.FLOAT);
        } else {
            span = graph.scalar(ElementType.FLOAT, relative.fixedSpan());
            relativePositions = relative.positionBuckets() > 0
                    ? logBuckets(graph, distances, relative.positionBuckets(), relative.maxRelativePositions())
                    : graph.cast(distances, ElementType.FLOAT);
            embeddings = relative.norm() == DebertaOptions.RelativeEmbeddingNorm.LAYER_NORM
                    ? LayerNorm.load(parameters, base + "encoder.LayerNorm", options.hiddenSize(),
                            options.layerNormEps()).apply(graph, table)
                    : table;
        }
        // the clamps run on small integers, exact in float32; ints would need Clip's opset-12 integer form
        Value last = graph.sub(graph.add(span, span), graph.scalar(ElementType.FLOAT, 1.0));
        Value zero = graph.scalar(ElementType.FLOAT, 0.0);
        Value contentToPosition = graph.cast(graph.clip(graph.add(relativePositions, span), zero, last),
                ElementType.INT64);
        Value positionToContent = graph.cast(graph.clip(graph.add(graph.neg(relativePositions), span), zero, last),
                ElementType.INT64);
        return new RelativePositions(embeddings, contentToPosition, positionToContent);
    }

    /**
     * DeBERTa-v2's {@code make_log_bucket_position} in float32, as its torch code computes it: distances within
     * {@code ±mid} ({@code mid = buckets // 2}) stay, farther ones become
     * {@code sign · (ceil(log(|δ| / mid) / log((max − 1) / mid) · (mid − 1)) + mid)}.
     */
    static Value logBuckets(OnnxGraphBuilder graph, Value distances, int buckets, int maxPosition) {
        ElementType type = ElementType.FLOAT;
        long mid = buckets / 2;
        Value inside = graph.and(graph.less(distances, graph.scalar(mid)), graph.greater(distances, graph.scalar(-mid)));
        Value absolute = graph.where(inside, graph.scalar(mid - 1), graph.abs(distances));
        Value midFloat = graph.scalar(type, mid);
        // torch.log(torch.tensor((max_position - 1) / mid)): a float32 tensor of the Python quotient, logged in float32
        Value logMaximum = graph.log(graph.scalar(type, (maxPosition - 1) / (double) mid));
        Value scaled = graph.mul(graph.div(graph.log(graph.div(graph.cast(absolute, type), midFloat)), logMaximum),
                graph.scalar(type, mid - 1));
        Value logPosition = graph.add(graph.ceil(scaled), midFloat);
        Value near = graph.not(graph.greater(absolute, graph.scalar(mid)));
        return graph.where(near, graph.cast(distances, type),
                graph.mul(logPosition, graph.cast(graph.sign(distances), type)));
    }
}
