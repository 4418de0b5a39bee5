package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The one scaled-dot-product attention of every family: {@code softmax(mask(scale(q · kᵀ))) · v} on heads-first
 * tensors ({@link #attend}), and, for rows {@code [batch × sequence, heads × head_size]}, the split into heads and
 * the merge back ({@link #context}). Families differ only in what they pass: the score scale (BERT's {@code √head_size}
 * divisor, none where the query was scaled first, BLOOM's factor) and how invisible keys leave the scores (an additive
 * mask, a {@code where} on a causal mask, nothing).
 *
 * @param heads the number of heads
 * @param headSize the width of one head
 */
public record ScaledDotProductAttention(int heads, long headSize) {
    public ScaledDotProductAttention {
        if (heads <= 0 || headSize <= 0) {
            throw new IllegalArgumentException("attention needs heads and a head size, got " + heads + " × " + headSize);
        }
    }

    /** The scaling of raw attention scores {@code q · kᵀ}. */
    public record ScoreScale(Operation operation, double factor) {
        /** How {@code factor} applies. */
        public enum Operation { NONE, DIVIDE, MULTIPLY }

        public ScoreScale {
            Objects.requireNonNull(operation, "operation");
            if (operation != Operation.NONE && !(factor > 0)) {
                throw new IllegalArgumentException("a score scale needs a positive factor, got " + factor);
            }
        }

        /** Unscaled scores (GPT-Neo, T5, or a query scaled before the product as BART and Whisper do). */
        public static ScoreScale none() {
            return new ScoreScale(Operation.NONE, 1.0);
        }

        /** Scores divided by {@code divisor} (BERT's and GPT-2's √head_size). */
        public static ScoreScale dividedBy(double divisor) {
            return new ScoreScale(Operation.DIVIDE, divisor);
        }

        /** Scores divided by √{@code headSize}, as {@code BertSelfAttention} does. */
        public static ScoreScale bySquareRootOf(long headSize) {
            return dividedBy(Math.sqrt(headSize));
        }

        /** Scores multiplied by {@code factor} (BLOOM's 1/√head_dim as {@code baddbmm}'s alpha). */
        public static ScoreScale multipliedBy(double factor) {
            return new ScoreScale(Operation.MULTIPLY, factor);
        }

        /**
         * The one factor the scores are multiplied by, as a fused attention operator's {@code scale} attribute
         * takes it: 1 for none, 1/divisor for a division.
         */
        public double multiplier() {
            return switch (operation) {
                case NONE -> 1.0;
                case DIVIDE -> 1.0 / factor;
                case MULTIPLY -> factor;
            };
        }

        Value apply(OnnxGraphBuilder graph, Value scores) {
            return switch (operation) {
                case NONE -> scores;
                case DIVIDE -> graph.div(scores, graph.scalar(ElementType.FLOAT, factor));
                case MULTIPLY -> graph.mul(scores, graph.scalar(ElementType.FLOAT, factor));
            };
        }
    }

    /**
     * {@code softmax(mask(scale(query · keysTransposed)), -1) · value}: the attention core. {@code mask} rewrites the
     * scaled scores before the softmax ({@link #additive}, a {@code where}, or {@link UnaryOperator#identity()}).
     *
     * @param query {@code [..., queries, head_size]}
     * @param keysTransposed {@code [..., head_size, keys]}
     * @param value {@code [..., keys, value_size]}
     * @return {@code [..., queries, value_size]}
     */
    public static Value attend(OnnxGraphBuilder graph, Value query, Value keysTransposed, Value value, ScoreScale scale,
                               UnaryOperator<Value> mask) {
        Value scores = mask.apply(scale.apply(graph, graph.matMul(query, keysTransposed)));
        return graph.matMul(graph.softmax(scores, -1), value);
    }

    /** The score rewrite that adds {@code additiveMask} (broadcast to the scores); none when it is null. */
    public static UnaryOperator<Value> additive(OnnxGraphBuilder graph, Value additiveMask) {
        return additiveMask == null ? UnaryOperator.identity() : scores -> graph.add(scores, additiveMask);
    }

    /** Rows {@code [batch × sequence, heads × head_size]} as {@code [batch, heads, sequence, head_size]}. */
    public Value split(OnnxGraphBuilder graph, Value rows, TokenGrid grid) {
        return graph.transpose(graph.reshape(rows, grid.shapeWith(graph, heads, headSize)), 0, 2, 1, 3);
    }

    /**
     * Tokens {@code [batch, tokens, heads × head_size]} as {@code [batch, heads, tokens, head_size]}, for families
     * that keep their hidden states 3-D (DETR, SAM).
     */
    public Value splitTokens(OnnxGraphBuilder graph, Value tokens) {
        return graph.transpose(graph.reshape(tokens, graph.concat(0, graph.shape(tokens, 0, 2),
                graph.constant(heads, headSize))), 0, 2, 1, 3);
    }

    /** {@code [batch, heads, tokens, head_size]} as tokens {@code [batch, tokens, heads × head_size]}. */
    public Value mergeTokens(OnnxGraphBuilder graph, Value context) {
        Value tokensFirst = graph.transpose(context, 0, 2, 1, 3);
        return graph.reshape(tokensFirst, graph.concat(0, graph.shape(tokensFirst, 0, 2),
                graph.constant(heads * headSize)));
    }

    /** {@code [batch, heads, sequence, head_size]} as rows {@code [batch × sequence, heads × head_size]}. */
    public Value merge(OnnxGraphBuilder graph, Value context) {
        return graph.reshape(graph.transpose(context, 0, 2, 1, 3), -1, heads * headSize);
    }

    /**
     * The merged context rows {@code [batch × sequence, heads × head_size]} of projected query, key and value rows
     * (each {@code [batch × sequence, heads × head_size]}), scores divided by √head_size and {@code additiveMask}
     * (broadcast over heads, {@link AttentionMask#additive}; null for none) added: BERT's self-attention between its
     * projections.
     */
    public Value context(OnnxGraphBuilder graph, Value queryRows, Value keyRows, Value valueRows, Value additiveMask,
                         TokenGrid grid) {
        Value q = split(graph, queryRows, grid);
        // [batch, heads, head_size, sequence]
        Value kT = graph.transpose(graph.reshape(keyRows, grid.shapeWith(graph, heads, headSize)), 0, 2, 3, 1);
        Value v = split(graph, valueRows, grid);
        return merge(graph, attend(graph, q, kT, v, ScoreScale.bySquareRootOf(headSize),
                additive(graph, additiveMask)));
    }
}
