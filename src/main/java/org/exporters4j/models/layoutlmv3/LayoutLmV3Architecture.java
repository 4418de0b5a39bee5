package org.exporters4j.models.layoutlmv3;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.BertStyleLayer;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.GraphInputs.Accepted;
import org.exporters4j.models.blocks.GraphInputs.Kind;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds LayoutLMv3 ({@code LayoutLMv3Model} and its token-classification, sequence-classification and
 * question-answering heads) from the checkpoint's weights, as Transformers 4.25.1's {@code modeling_layoutlmv3.py}
 * computes it in eval mode:
 *
 * <ul>
 *   <li>text embeddings: word + token type 0 + RoBERTa-style positions (numbered from {@code pad_token_id + 1},
 *       padding keeps {@code pad_token_id}) + the layout embedding (x0, y0, x1, y1, height, width tables,
 *       concatenated), LayerNorm;</li>
 *   <li>image embeddings: patches by a convolution, the image [CLS] token prepended, {@code pos_embed} added,
 *       {@code norm} (ε 1e-6); the image must be {@code input_size} square, as the position table fixes;</li>
 *   <li>text and image tokens concatenated, {@code LayerNorm}, the mask extended with ones over the image tokens;</li>
 *   <li>BERT-style post-LayerNorm layers whose attention scores are {@code (q / √d) · kᵀ}, plus the 1-D relative
 *       position bias and the 2-D spatial bias (bucketed distances, divided by √d), normalized by the CogView
 *       softmax ({@code softmax((s / 32 − max(s / 32)) · 32)}).</li>
 * </ul>
 */
public final class LayoutLmV3Architecture extends FamilyArchitecture {
    private static final Set<Head> HEADS = Set.of(Head.BASE, Head.TOKEN_CLASSIFICATION,
            Head.SEQUENCE_CLASSIFICATION, Head.QUESTION_ANSWERING);
    /** The visual tokens' boxes are laid on a 0..1000 page grid ({@code init_visual_bbox(max_len=1000)}). */
    private static final long PAGE_GRID = 1000;
    /** The height and width embeddings are looked up at sizes clipped to 0..1023, as Transformers does. */
    private static final long MAX_BOX_SIDE = 1023;
    /** CogView's PB-Relax factor ({@code cogview_attention(alpha=32)}). */
    private static final double COGVIEW_ALPHA = 32;

    public LayoutLmV3Architecture() {
        super("layoutlmv3", "layoutlmv3", withoutPast(HEADS));
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        LayoutLmV3Options options = LayoutLmV3Options.read(config);
        String base = build.parameters().basePrefix("layoutlmv3", "embeddings.word_embeddings.weight");
        GraphInputs inputs = GraphInputs.declare(build, accepted(options));
        Encoder encoder = new Encoder(build.graph(), build.parameters(), options, base);
        Value ids = inputs.required("input_ids");
        Value rows = encoder.encode(ids, inputs.required("bbox"), inputs.optional("attention_mask"),
                inputs.required("pixel_values"));
        encoder.addHeadOutputs(build, rows, ids, config);
    }

    /** The inputs; the image's height and width are fixed by the position table unless the interface names them. */
    private static List<Accepted> accepted(LayoutLmV3Options options) {
        Dim batch = Dim.symbolic("batch_size");
        Dim sequence = Dim.symbolic("sequence_length");
        return List.of(
                Accepted.of("input_ids", Kind.INTEGER, batch, sequence),
                Accepted.of("attention_mask", Kind.INTEGER, batch, sequence),
                Accepted.of("bbox", Kind.INTEGER, batch, sequence, Dim.of(4)),
                Accepted.of("pixel_values", Kind.FLOAT, batch, Dim.of(options.channels()),
                        Dim.of(options.inputSize()), Dim.of(options.inputSize())));
    }

    /** One graph under construction. */
    private static final class Encoder {
        private final OnnxGraphBuilder graph;
        private final Parameters parameters;
        private final LayoutLmV3Options options;
        private final String base;
        private TokenGrid grid;

        Encoder(OnnxGraphBuilder graph, Parameters parameters, LayoutLmV3Options options, String base) {
            this.graph = graph;
            this.parameters = parameters;
            this.options = options;
            this.base = base;
        }

        /** The last hidden state as rows {@code [batch × (text + image tokens), hidden]}. */
        Value encode(Value ids, Value boxes, Optional<Value> attentionMask, Value pixels) {
            long hidden = options.hiddenSize();
            Value text = graph.inScope("embeddings", () -> textEmbeddings(ids, boxes));
            Value image = graph.inScope("patch_embed", () -> imageEmbeddings(pixels));
            Value joined = LayerNorm.load(parameters, base + "LayerNorm", hidden, options.layerNormEps())
                    .apply(graph, graph.concat(1, text, image));
            grid = new TokenGrid(graph.shape(joined, 0, 2));
            Value batch = graph.shape(ids, 0, 1);
            Value visualShape = graph.concat(0, batch, graph.constant(options.visualTokens()));
            Value textMask = attentionMask.orElseGet(() -> graph.constantOfShape(graph.shape(ids), ElementType.INT64, 1));
            Value mask = AttentionMask.additive(graph,
                    graph.concat(1, textMask, graph.constantOfShape(visualShape, ElementType.INT64, 1)),
                    AttentionDirection.BIDIRECTIONAL, grid);
            Value bias = graph.inScope("encoder", () -> attentionBias(ids, boxes, visualShape));
            return new LayerStack(base, "encoder.layer", options.layers()).apply(graph,
                    graph.reshape(joined, -1, hidden), (index, prefix, input) -> layer(prefix, input, mask, bias));
        }

        /** LayoutLMv3TextEmbeddings: {@code [batch, text, hidden]}. */
        private Value textEmbeddings(Value ids, Value boxes) {
            long hidden = options.hiddenSize();
            String prefix = base + "embeddings.";
            Value words = graph.gather(parameters.tensor(prefix + "word_embeddings.weight", options.vocabSize(),
                    hidden), ids, 0);
            // without token_type_ids, Transformers embeds zeros: every token adds row 0
            Value types = graph.gather(parameters.tensor(prefix + "token_type_embeddings.weight",
                    options.typeVocabSize(), hidden), graph.scalar(0), 0);
            // create_position_ids_from_input_ids: cumsum(not padding) · not padding + padding_idx
            Value padding = graph.scalar(options.paddingIndex());
            Value notPadding = graph.cast(graph.not(graph.equal(ids, padding)), ElementType.INT64);
            Value positionIds = graph.add(graph.mul(graph.cumSum(notPadding, 1), notPadding), padding);
            Value positions = graph.gather(parameters.tensor(prefix + "position_embeddings.weight",
                    options.maxPositions(), hidden), positionIds, 0);
            Value x = parameters.tensor(prefix + "x_position_embeddings.weight", options.max2dPositions(),
                    options.coordinateSize());
            Value y = parameters.tensor(prefix + "y_position_embeddings.weight", options.max2dPositions(),
                    options.coordinateSize());
            Value h = parameters.tensor(prefix + "h_position_embeddings.weight", options.max2dPositions(),
                    options.shapeSize());
            Value w = parameters.tensor(prefix + "w_position_embeddings.weight", options.max2dPositions(),
                    options.shapeSize());
            Value left = coordinate(boxes, 0);
            Value upper = coordinate(boxes, 1);
            Value right = coordinate(boxes, 2);
            Value lower = coordinate(boxes, 3);
            Value layout = graph.concat(-1, graph.gather(x, left, 0), graph.gather(y, upper, 0),
                    graph.gather(x, right, 0), graph.gather(y, lower, 0),
                    graph.gather(h, graph.clip(graph.sub(lower, upper), graph.scalar(0), graph.scalar(MAX_BOX_SIDE)), 0),
                    graph.gather(w, graph.clip(graph.sub(right, left), graph.scalar(0), graph.scalar(MAX_BOX_SIDE)), 0));
            Value sum = graph.add(graph.add(graph.add(words, types), positions), layout);
            return LayerNorm.load(parameters, prefix + "LayerNorm", hidden, options.layerNormEps()).apply(graph, sum);
        }

        /** {@code bbox[:, :, index]}: {@code [batch, text]}. */
        private Value coordinate(Value boxes, long index) {
            return graph.gather(boxes, graph.scalar(index), 2);
        }

        /** forward_image: patches, [CLS], {@code pos_embed}, {@code norm}: {@code [batch, image tokens, hidden]}. */
        private Value imageEmbeddings(Value pixels) {
            long hidden = options.hiddenSize();
            long patch = options.patchSize();
            Value patches = graph.conv(pixels,
                    parameters.tensor(base + "patch_embed.proj.weight", hidden, options.channels(), patch, patch),
                    parameters.tensor(base + "patch_embed.proj.bias", hidden),
                    Window.of(patch, patch).withStrides(patch, patch), 1);
            Value tokens = graph.transpose(graph.reshape(patches, 0, hidden, -1), 0, 2, 1);
            Value classToken = graph.expand(parameters.tensor(base + "cls_token", 1, 1, hidden),
                    graph.concat(0, graph.shape(pixels, 0, 1), graph.constant(1, hidden)));
            Value embedded = graph.add(graph.concat(1, classToken, tokens),
                    parameters.tensor(base + "pos_embed", 1, options.visualTokens(), hidden));
            return LayerNorm.load(parameters, base + "norm", hidden, 1e-6).apply(graph, embedded);
        }

        /**
         * The bias added to every layer's scores before the mask, {@code [batch or 1, heads, tokens, tokens]}: the
         * relative position bias, plus the spatial bias when both are on (with the spatial bias alone, Transformers
         * adds neither); {@code null} when none applies.
         */
        private Value attentionBias(Value ids, Value boxes, Value visualShape) {
            if (options.positionBuckets().isEmpty()) {
                return null;
            }
            // positions 0 … text − 1, then 0 … image tokens − 1
            Value textPositions = graph.range(graph.scalar(0), graph.gather(graph.shape(ids), graph.scalar(1), 0),
                    graph.scalar(1));
            Value positions = graph.concat(0, textPositions,
                    graph.constant(TensorData.ofLongs(range(options.visualTokens()), options.visualTokens())));
            Value bias = graph.unsqueeze(bucketBias(positions, options.positionBuckets().get(), "rel_pos_bias",
                    2, 0, 1), 0);
            if (options.spatialBuckets().isPresent()) {
                long[][] visualBoxes = visualBoxes();
                Value xs = graph.concat(1, coordinate(boxes, 0), graph.expand(
                        graph.constant(TensorData.ofLongs(visualBoxes[0], 1, visualBoxes[0].length)), visualShape));
                Value ys = graph.concat(1, coordinate(boxes, 3), graph.expand(
                        graph.constant(TensorData.ofLongs(visualBoxes[1], 1, visualBoxes[1].length)), visualShape));
                RelativePositionBuckets spatial = options.spatialBuckets().get();
                bias = graph.add(bias, graph.add(bucketBias(xs, spatial, "rel_pos_x_bias", 0, 3, 1, 2),
                        bucketBias(ys, spatial, "rel_pos_y_bias", 0, 3, 1, 2)));
            }
            return graph.div(bias, graph.scalar(ElementType.FLOAT, Math.sqrt(options.headSize())));
        }

        /**
         * {@code weight.t()[bucket(p[j] − p[i])]} over the last axis of {@code coordinates}, permuted by
         * {@code perm} to put the heads before the two token axes.
         */
        private Value bucketBias(Value coordinates, RelativePositionBuckets buckets, String module, long... perm) {
            Value relative = graph.sub(graph.unsqueeze(coordinates, -2), graph.unsqueeze(coordinates, -1));
            Value table = graph.transpose(parameters.tensor(base + "encoder." + module + ".weight", options.heads(),
                    buckets.buckets()), 1, 0);
            return graph.transpose(graph.gather(table, buckets.apply(graph, relative), 0), perm);
        }

        /**
         * {@code init_visual_bbox} at {@code input_size / patch_size} patches a side: the x0 and y1 coordinate of
         * the image [CLS] box {@code [1, 1, 999, 999]} and of each patch, row by row, on the 0..1000 grid.
         */
        private long[][] visualBoxes() {
            int side = Math.toIntExact(options.patchesPerSide());
            long[] left = new long[side * side + 1];
            long[] lower = new long[side * side + 1];
            left[0] = 1;
            lower[0] = PAGE_GRID - 1;
            for (int row = 0; row < side; row++) {
                for (int column = 0; column < side; column++) {
                    left[1 + row * side + column] = column * PAGE_GRID / side;
                    lower[1 + row * side + column] = (row + 1) * PAGE_GRID / side;
                }
            }
            return new long[][] {left, lower};
        }

        /** One LayoutLMv3Layer: attention, residual, LayerNorm; feed-forward, residual, LayerNorm. */
        private Value layer(String prefix, Value rows, Value mask, Value bias) {
            long hidden = options.hiddenSize();
            Value context = selfAttention(prefix + "attention.self.", rows, mask, bias);
            return BertStyleLayer.afterAttention(graph, parameters, prefix, context, rows, hidden,
                    options.intermediateSize(), options.activation(), options.layerNormEps());
        }

        /** LayoutLMv3SelfAttention: the merged context rows, before the output projection. */
        private Value selfAttention(String prefix, Value rows, Value mask, Value bias) {
            long hidden = options.hiddenSize();
            long headSize = options.headSize();
            Value headShape = grid.shapeWith(graph, options.heads(), headSize);
            Value q = graph.transpose(graph.reshape(Linear.load(parameters, prefix + "query", hidden, hidden)
                    .apply(graph, rows), headShape), 0, 2, 1, 3);
            Value kT = graph.transpose(graph.reshape(Linear.load(parameters, prefix + "key", hidden, hidden)
                    .apply(graph, rows), headShape), 0, 2, 3, 1);
            Value v = graph.transpose(graph.reshape(Linear.load(parameters, prefix + "value", hidden, hidden)
                    .apply(graph, rows), headShape), 0, 2, 1, 3);
            Value scores = graph.matMul(graph.div(q, graph.scalar(ElementType.FLOAT, Math.sqrt(headSize))), kT);
            if (bias != null) {
                scores = graph.add(scores, bias);
            }
            scores = graph.add(scores, mask);
            // cogview_attention: softmax((s / α − max(s / α)) · α)
            Value alpha = graph.scalar(ElementType.FLOAT, COGVIEW_ALPHA);
            Value scaled = graph.div(scores, alpha);
            Value relaxed = graph.mul(graph.sub(scaled, graph.reduceMax(scaled, KeepDims.YES, -1)), alpha);
            Value context = graph.transpose(graph.matMul(graph.softmax(relaxed, -1), v), 0, 2, 1, 3);
            return graph.reshape(context, -1, hidden);
        }

        void addHeadOutputs(GraphBuild build, Value rows, Value ids, ModelConfig config) {
            long hidden = options.hiddenSize();
            Dim follows = Dim.unknown();
            switch (build.head()) {
                case BASE -> EncoderHeads.lastHiddenState(build, grid, rows, hidden);
                case TOKEN_CLASSIFICATION -> {
                    if (build.wants("logits")) {
                        // only the text tokens: sequence_output[:, :text_length]
                        long labels = config.numLabels();
                        Value textStates = graph.slice(grid.unflatten(graph, rows, hidden), graph.constant(0),
                                graph.shape(ids, 1, 2), graph.constant(1));
                        Value textRows = graph.reshape(textStates, -1, hidden);
                        Value logits = labels < 10
                                ? Linear.load(parameters, "classifier", hidden, EncoderHeads.labels(parameters,
                                        "classifier.weight", config)).apply(graph, textRows)
                                : classificationHead("classifier", textRows, EncoderHeads.labels(parameters,
                                        "classifier.out_proj.weight", config));
                        build.output("logits", graph.reshape(logits, graph.concat(0, graph.shape(ids),
                                graph.constant(labels))), follows, follows, Dim.of(labels));
                    }
                }
                case SEQUENCE_CLASSIFICATION -> {
                    if (build.wants("logits")) {
                        long labels = EncoderHeads.labels(parameters, "classifier.out_proj.weight", config);
                        build.output("logits", classificationHead("classifier",
                                EncoderHeads.firstToken(graph, grid, rows, hidden), labels), follows, Dim.of(labels));
                    }
                }
                case QUESTION_ANSWERING -> {
                    boolean start = build.wants("start_logits");
                    if (build.wants("end_logits") || start) {
                        EncoderHeads.spans(build, grid.unflatten(graph, classificationHead("qa_outputs", rows, 2), 2));
                    }
                }
                default -> throw new ArchitectureException("layoutlmv3 has no " + build.head() + " head");
            }
        }

        /** LayoutLMv3ClassificationHead (pool_feature false): {@code out_proj(tanh(dense(x)))}. */
        private Value classificationHead(String prefix, Value rows, long outputs) {
            long hidden = options.hiddenSize();
            Value dense = graph.tanh(Linear.load(parameters, prefix + ".dense", hidden, hidden).apply(graph, rows));
            return Linear.load(parameters, prefix + ".out_proj", hidden, outputs).apply(graph, dense);
        }
    }

    private static long[] range(long count) {
        long[] values = new long[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        return values;
    }
}
