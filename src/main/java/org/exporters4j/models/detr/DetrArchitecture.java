package org.exporters4j.models.detr;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.ResizeMode;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds DETR graphs as Transformers 4.51 computes {@code DetrModel}, {@code DetrForObjectDetection} and
 * {@code DetrForSegmentation} in eval mode with Transformers' own ResNet backbone ({@code use_timm_backbone} false)
 * or timm's plain ResNet ({@link DetrBackbone}),
 * for {@code pixel_values} (Optimum 1.25.3's interface: the pixel mask Transformers then makes is all ones, so no
 * cell is masked) or with {@code pixel_mask} (Optimum v1.5.2's: resized by nearest interpolation to the last feature
 * map, it gives the sine positions its cumulative sums, adds the float minimum to the attention scores of padding
 * cells in the encoder and the decoder's cross-attention, and fills the segmentation attention map there):
 * <ol>
 *   <li>the backbone ({@link DetrBackbone}, batch norms frozen: the same eval-mode affine map) returns its feature
 *       maps; the last is projected to {@code d_model} by
 *       the 1×1 {@code input_projection} and flattened to {@code [batch, h·w, d_model]};</li>
 *   <li>position embeddings of that map: sine ({@code DetrSinePositionEmbedding(d_model // 2, normalize=True)}: row
 *       and column counts {@code 1..h}, {@code 1..w} scaled by {@code 2π / (count + 1e-6)}, divided by
 *       {@code 10000^(2⌊k/2⌋ / (d_model/2))}, sine on even and cosine on odd channels; the rows' half first) or
 *       learned (column table then row table);</li>
 *   <li>{@code encoder_layers} post-norm layers whose attention adds the positions to queries and keys (not
 *       values); {@code decoder_layers} post-norm layers on zero queries with {@code query_position_embeddings}
 *       added to their queries and keys, cross-attention keys getting the image positions; the decoder's layer norm
 *       after the last layer (after every layer with {@code auxiliary_loss});</li>
 *   <li>heads: {@code last_hidden_state}; class logits ({@code num_labels + 1}) and boxes (a 3-layer ReLU MLP,
 *       sigmoid); segmentation's {@code pred_masks}: {@code DetrMHAttentionMap} (per-head attention of each query
 *       over the encoder's map, one softmax over heads and positions together) stacked on the projected map, then
 *       {@code DetrMaskHeadSmallConv} (3×3 convs with group norm and ReLU, upsampled by nearest interpolation onto
 *       the backbone's first three feature maps, each through a 1×1 adapter) down to one mask per query.</li>
 * </ol>
 */
public final class DetrArchitecture extends FamilyArchitecture {
    /**
     * Optimum v1.5.2's second input ({@code DetrOnnxConfig}, layout optimum-1.5): 1 on real pixels, 0 on padding,
     * {@code [batch, height, width]}; without it the mask is all ones, as Transformers makes it.
     */
    private static final String PIXEL_MASK = "pixel_mask";

    /** {@code nn.LayerNorm} and {@code nn.GroupNorm}'s default epsilon, which DETR keeps. */
    private static final double NORM_EPSILON = 1e-5;

    public DetrArchitecture() {
        super("detr", "detr", withoutPast(EnumSet.of(Head.BASE, Head.OBJECT_DETECTION, Head.IMAGE_SEGMENTATION)));
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        DetrOptions options = DetrOptions.read(config);
        Parameters parameters = build.parameters();
        OnnxGraphBuilder graph = build.graph();
        // DetrForSegmentation keeps DetrForObjectDetection under "detr."; the base model is "model." below the heads
        String heads = build.head() == Head.IMAGE_SEGMENTATION ? "detr." : "";
        String base = parameters.basePrefix(heads + "model", "input_projection.weight");
        GraphInputs inputs = GraphInputs.declare(graph, build.graphInterface(), List.of(
                GraphInputs.Accepted.of(PixelInputs.PIXEL_VALUES, GraphInputs.Kind.FLOAT, Dim.symbolic("batch_size"),
                        Dim.symbolic("num_channels"), Dim.symbolic("height"), Dim.symbolic("width")),
                // Optimum v1.5.2 names the mask's batch only; its height and width follow the pixels unnamed
                GraphInputs.Accepted.of(PIXEL_MASK, GraphInputs.Kind.INTEGER, Dim.symbolic("batch_size"),
                        Dim.unknown(), Dim.unknown())), build.purpose());
        Value pixels = inputs.required(PixelInputs.PIXEL_VALUES);
        Network network = new Network(graph, parameters, options, base,
                inputs.optional(PIXEL_MASK).map(mask -> graph.cast(mask, ElementType.FLOAT)));
        Encoded encoded = network.encode(pixels);
        long queries = parameters.dimension(base + "query_position_embeddings.weight", 0);
        long dModel = options.dModel();
        Dim follows = Dim.unknown();
        switch (build.head()) {
            case BASE -> {
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", network.decode(encoded, queries), follows, Dim.of(queries),
                            Dim.of(dModel));
                }
            }
            case OBJECT_DETECTION, IMAGE_SEGMENTATION -> {
                Value decoded = network.decode(encoded, queries);
                if (build.wants("logits")) {
                    Linear classifier = Linear.loadWithOutputsFromWeights(parameters, heads + "class_labels_classifier",
                            dModel);
                    build.output("logits", classifier.applyToLastAxis(graph, decoded), follows, Dim.of(queries),
                            Dim.of(classifier.outFeatures()));
                }
                if (build.wants("pred_boxes")) {
                    build.output("pred_boxes", graph.sigmoid(network.boxes(heads + "bbox_predictor", decoded)),
                            follows, Dim.of(queries), Dim.of(4));
                }
                if (build.head() == Head.IMAGE_SEGMENTATION && build.wants("pred_masks")) {
                    build.output("pred_masks", graph.inScope("mask_head",
                            () -> network.masks(encoded, decoded, queries)), follows, Dim.of(queries), follows,
                            follows);
                }
            }
            default -> throw new IllegalStateException("detr has no " + build.variant() + " graph");
        }
    }

    /**
     * What the encoder hands on: the backbone's feature maps, the projected map {@code [batch, d, h, w]}, its
     * positions ({@code [h·w, d]}, or {@code [batch, h·w, d]} from a pixel mask), the encoder's output
     * {@code [batch, h·w, d]}, and with a pixel mask the last map's cells {@code [batch, 1, 1, h·w]} (1 real, 0
     * padding).
     */
    private record Encoded(List<DetrBackbone.FeatureMap> featureMaps, Value projected, Value positions, Value memory,
                           Optional<Value> cells) {}

    /**
     * One graph under construction; {@code pixelMask} is the float {@code [batch, height, width]} mask when the
     * interface takes one.
     */
    private record Network(OnnxGraphBuilder graph, Parameters parameters, DetrOptions options, String base,
                           Optional<Value> pixelMask) {

        Encoded encode(Value pixels) {
            List<DetrBackbone.FeatureMap> maps = graph.inScope("backbone", () -> options.backbone().featureMaps(graph,
                    parameters, base + "backbone.conv_encoder.model.", pixels));
            DetrBackbone.FeatureMap last = maps.get(maps.size() - 1);
            long dModel = options.dModel();
            Value projected = Convolution.withBias(parameters, base + "input_projection", last.channels(), dModel,
                    Window.of(1, 1), 1).apply(graph, last.value());
            // DetrConvEncoder: the pixel mask resized (nearest) to the last feature map, then made boolean
            Optional<Value> lastMask = pixelMask.map(mask -> graph.cast(graph.cast(graph.squeeze(graph.resize(
                    graph.unsqueeze(mask, 1), graph.concat(0, graph.shape(projected, 0, 1), graph.constant(1),
                            graph.shape(projected, 2, 4)), ResizeMode.NEAREST), 1), ElementType.BOOL),
                    ElementType.FLOAT));
            Value positions = graph.inScope("position_embedding", () -> positions(projected, lastMask));
            Value batch = graph.shape(projected, 0, 1);
            // flatten(2).permute(0, 2, 1): [batch, h·w, d]
            Value flattened = graph.transpose(graph.reshape(projected,
                    graph.concat(0, batch, graph.constant(dModel, -1))), 0, 2, 1);
            Optional<Value> cells = lastMask.map(mask -> graph.reshape(mask, graph.concat(0, batch,
                    graph.constant(1, 1, -1))));
            // _prepare_4d_attention_mask: 0 on real cells, the float minimum on padding, added to the scores
            Optional<Value> additive = cells.map(this::additiveMask);
            Value memory = new LayerStack(base, "encoder.layers", options.encoderLayers()).apply(graph, flattened,
                    (index, prefix, input) -> encoderLayer(prefix, input, positions, additive));
            return new Encoded(List.copyOf(maps), projected, positions, memory, cells);
        }

        /** The decoder's last hidden state {@code [batch, queries, d]}. */
        Value decode(Encoded encoded, long queries) {
            long dModel = options.dModel();
            Value queryPositions = parameters.tensor(base + "query_position_embeddings.weight", queries, dModel);
            Value batch = graph.shape(encoded.memory(), 0, 1);
            Value zeros = graph.constantOfShape(graph.concat(0, batch, graph.constant(queries, dModel)),
                    ElementType.FLOAT, 0.0);
            LayerNorm norm = LayerNorm.load(parameters, base + "decoder.layernorm", dModel, NORM_EPSILON);
            Value last = new LayerStack(base, "decoder.layers", options.decoderLayers()).apply(graph, zeros,
                    (index, prefix, input) -> {
                        Value output = decoderLayer(prefix, input, queryPositions, encoded);
                        return options.decoderNorm() == DetrOptions.DecoderNorm.EVERY_LAYER
                                ? norm.apply(graph, output) : output;
                    });
            return norm.apply(graph, last);
        }

        /** {@code DetrMLPPredictionHead(d, d, 4, num_layers=3)} before the sigmoid. */
        Value boxes(String prefix, Value decoded) {
            long dModel = options.dModel();
            Value x = graph.relu(Linear.load(parameters, prefix + ".layers.0", dModel, dModel)
                    .applyToLastAxis(graph, decoded));
            x = graph.relu(Linear.load(parameters, prefix + ".layers.1", dModel, dModel).applyToLastAxis(graph, x));
            return Linear.load(parameters, prefix + ".layers.2", dModel, 4).applyToLastAxis(graph, x);
        }

        /** {@code (1 − mask) · float32 min}: what Transformers adds to the scores of padding cells. */
        private Value additiveMask(Value cells) {
            return graph.mul(graph.sub(graph.scalar(ElementType.FLOAT, 1.0), cells),
                    graph.scalar(ElementType.FLOAT, -Float.MAX_VALUE));
        }

        /**
         * The positions of each cell of the projected map, as the encoder adds them: {@code [h·w, d]}, or with a
         * pixel mask and sine positions {@code [batch, h·w, d]} (the running counts are the mask's cumulative sums).
         */
        private Value positions(Value projected, Optional<Value> mask) {
            if (mask.isPresent() && options.positions() == DetrOptions.Positions.SINE) {
                return maskedSinePositions(mask.get());
            }
            long steps = options.dModel() / 2;
            Value height = graph.shape(projected, 2, 3);
            Value width = graph.shape(projected, 3, 4);
            Value rows;
            Value columns;
            if (options.positions() == DetrOptions.Positions.SINE) {
                rows = sineAxis(height, steps);
                columns = sineAxis(width, steps);
            } else {
                rows = learnedAxis(base + "backbone.position_embedding.row_embeddings.weight", height, steps);
                columns = learnedAxis(base + "backbone.position_embedding.column_embeddings.weight", width, steps);
            }
            Value grid = graph.concat(0, height, width, graph.constant(steps));
            Value byRow = graph.expand(graph.unsqueeze(rows, 1), grid);
            Value byColumn = graph.expand(graph.unsqueeze(columns, 0), grid);
            // sine: cat(pos_y, pos_x); learned: cat(x_emb, y_emb)
            Value cells = options.positions() == DetrOptions.Positions.SINE
                    ? graph.concat(2, byRow, byColumn) : graph.concat(2, byColumn, byRow);
            return graph.reshape(cells, -1, 2 * steps);
        }

        /**
         * {@code [count, steps]}: DetrSinePositionEmbedding along one axis of {@code count} cells: the running count
         * {@code 1..count} (the cumulative sum of an all-ones mask), times {@code 2π / (count + 1e-6)}, divided by
         * {@code dim_t}, sine on even channels and cosine on odd ones.
         */
        private Value sineAxis(Value count, long steps) {
            Value countFloat = graph.cast(count, ElementType.FLOAT);
            Value cumulative = graph.cast(graph.range(graph.scalar(1), graph.add(graph.squeeze(count, 0),
                    graph.scalar(1)), graph.scalar(1)), ElementType.FLOAT);
            Value normalized = graph.mul(graph.div(cumulative,
                    graph.add(countFloat, graph.scalar(ElementType.FLOAT, 1e-6))),
                    graph.scalar(ElementType.FLOAT, (float) (2 * Math.PI)));
            return sineChannels(graph.unsqueeze(normalized, 1), steps);
        }

        /**
         * {@code [batch, h·w, d]}: DetrSinePositionEmbedding of a masked map {@code [batch, h, w]}: the cumulative
         * sums down the rows and along the columns, each divided by its last value (+ 1e-6) and scaled by 2π; the
         * rows' half first.
         */
        private Value maskedSinePositions(Value mask) {
            long steps = options.dModel() / 2;
            Value scale = graph.scalar(ElementType.FLOAT, (float) (2 * Math.PI));
            Value epsilon = graph.scalar(ElementType.FLOAT, 1e-6);
            Value y = graph.cumSum(mask, 1);
            Value x = graph.cumSum(mask, 2);
            Value lastRow = graph.slice(y, 1, -1, Long.MAX_VALUE);
            Value lastColumn = graph.slice(x, 2, -1, Long.MAX_VALUE);
            Value yNormalized = graph.mul(graph.div(y, graph.add(lastRow, epsilon)), scale);
            Value xNormalized = graph.mul(graph.div(x, graph.add(lastColumn, epsilon)), scale);
            Value cells = graph.concat(3, sineChannels(graph.unsqueeze(yNormalized, 3), steps),
                    sineChannels(graph.unsqueeze(xNormalized, 3), steps));
            return graph.reshape(cells, graph.concat(0, graph.shape(mask, 0, 1), graph.constant(-1, 2 * steps)));
        }

        /** {@code angles / dim_t} on a trailing axis of 1, sine on even channels and cosine on odd ones. */
        private Value sineChannels(Value positions, long steps) {
            float[] dimT = new float[Math.toIntExact(steps)];
            float[] even = new float[dimT.length];
            float[] odd = new float[dimT.length];
            for (int k = 0; k < dimT.length; k++) {
                float exponent = (float) (2 * (k / 2)) / (float) steps;
                dimT[k] = (float) Math.pow(10000.0, exponent);
                even[k] = k % 2 == 0 ? 1f : 0f;
                odd[k] = k % 2 == 0 ? 0f : 1f;
            }
            Value angles = graph.div(positions, graph.constant(TensorData.ofFloats(dimT, steps)));
            return graph.add(graph.mul(graph.sin(angles), graph.constant(TensorData.ofFloats(even, steps))),
                    graph.mul(graph.cos(angles), graph.constant(TensorData.ofFloats(odd, steps))));
        }

        /** {@code [count, steps]}: the first {@code count} rows of a learned table (of 50). */
        private Value learnedAxis(String table, Value count, long steps) {
            Value weights = parameters.tensor(table, parameters.dimension(table, 0), steps);
            return graph.gather(weights, graph.range(graph.scalar(0), graph.squeeze(count, 0), graph.scalar(1)), 0);
        }

        /** DetrEncoderLayer (post-norm) on {@code [batch, cells, d]}. */
        private Value encoderLayer(String prefix, Value hidden, Value positions, Optional<Value> mask) {
            long dModel = options.dModel();
            Value attended = attention(prefix + "self_attn", options.encoderHeads(), graph.add(hidden, positions),
                    graph.add(hidden, positions), hidden, mask);
            Value x = LayerNorm.load(parameters, prefix + "self_attn_layer_norm", dModel, NORM_EPSILON)
                    .apply(graph, graph.add(hidden, attended));
            return feedForward(prefix, options.encoderFfn(), x);
        }

        /** DetrDecoderLayer (post-norm): self-attention, cross-attention on the encoder's output, feed-forward. */
        private Value decoderLayer(String prefix, Value hidden, Value queryPositions, Encoded encoded) {
            long dModel = options.dModel();
            Value withQueries = graph.add(hidden, queryPositions);
            Value attended = attention(prefix + "self_attn", options.decoderHeads(), withQueries, withQueries, hidden,
                    Optional.empty());
            Value x = LayerNorm.load(parameters, prefix + "self_attn_layer_norm", dModel, NORM_EPSILON)
                    .apply(graph, graph.add(hidden, attended));
            Value crossed = attention(prefix + "encoder_attn", options.decoderHeads(), graph.add(x, queryPositions),
                    graph.add(encoded.memory(), encoded.positions()), encoded.memory(),
                    encoded.cells().map(this::additiveMask));
            Value y = LayerNorm.load(parameters, prefix + "encoder_attn_layer_norm", dModel, NORM_EPSILON)
                    .apply(graph, graph.add(x, crossed));
            return feedForward(prefix, options.decoderFfn(), y);
        }

        /** fc1, activation, fc2, residual, final_layer_norm. */
        private Value feedForward(String prefix, long inner, Value x) {
            long dModel = options.dModel();
            Value fed = Linear.load(parameters, prefix + "fc2", inner, dModel).applyToLastAxis(graph,
                    options.activation().apply(graph, Linear.load(parameters, prefix + "fc1", dModel, inner)
                            .applyToLastAxis(graph, x)));
            return LayerNorm.load(parameters, prefix + "final_layer_norm", dModel, NORM_EPSILON)
                    .apply(graph, graph.add(x, fed));
        }

        /**
         * DetrAttention: {@code q_proj(queries) · head_dim^-0.5}, {@code k_proj(keys)}, {@code v_proj(values)} (the
         * positions are added to queries and keys by the caller, never to values), softmax per head, out_proj.
         */
        private Value attention(String prefix, long heads, Value queries, Value keys, Value values,
                                Optional<Value> mask) {
            long dModel = options.dModel();
            long headDim = dModel / heads;
            Value q = graph.mul(Linear.load(parameters, prefix + ".q_proj", dModel, dModel)
                    .applyToLastAxis(graph, queries), graph.scalar(ElementType.FLOAT, Math.pow(headDim, -0.5)));
            Value k = Linear.load(parameters, prefix + ".k_proj", dModel, dModel).applyToLastAxis(graph, keys);
            Value v = Linear.load(parameters, prefix + ".v_proj", dModel, dModel).applyToLastAxis(graph, values);
            ScaledDotProductAttention attention = new ScaledDotProductAttention(Math.toIntExact(heads), headDim);
            Value context = ScaledDotProductAttention.attend(graph, attention.splitTokens(graph, q),
                    graph.transpose(attention.splitTokens(graph, k), 0, 1, 3, 2), attention.splitTokens(graph, v),
                    ScoreScale.none(), ScaledDotProductAttention.additive(graph, mask.orElse(null)));
            return Linear.load(parameters, prefix + ".out_proj", dModel, dModel)
                    .applyToLastAxis(graph, attention.mergeTokens(graph, context));
        }

        /** DetrForSegmentation's {@code pred_masks} {@code [batch, queries, H, W]} (H, W: the first feature map's). */
        Value masks(Encoded encoded, Value decoded, long queries) {
            List<DetrBackbone.FeatureMap> maps = encoded.featureMaps();
            if (maps.size() < 3) {
                throw new UnsupportedConfigException("DetrForSegmentation's mask head upsamples onto the backbone's "
                        + "first three feature maps, but backbone_config's out_features select " + maps.size()
                        + "; select at least three (e.g. [\"stage1\", \"stage2\", \"stage3\", \"stage4\"])");
            }
            long dModel = options.dModel();
            long heads = options.encoderHeads();
            Value projected = encoded.projected();
            Value batch = graph.shape(projected, 0, 1);
            Value cells = graph.shape(projected, 2, 4);
            // DetrMHAttentionMap(d, d, heads): q_linear on the queries; k_linear as a 1x1 conv on the memory map,
            // that is the same linear map on each cell of the encoder's output [batch, h·w, d]
            long headDim = dModel / heads;
            Value q = graph.mul(Linear.load(parameters, "bbox_attention.q_linear", dModel, dModel)
                    .applyToLastAxis(graph, decoded), graph.scalar(ElementType.FLOAT,
                    Math.pow((double) dModel / heads, -0.5)));
            Value k = Linear.load(parameters, "bbox_attention.k_linear", dModel, dModel)
                    .applyToLastAxis(graph, encoded.memory());
            // einsum("bqnc,bnchw->bqnhw"): [batch, heads, queries, c] x [batch, heads, c, h·w]
            ScaledDotProductAttention attention = new ScaledDotProductAttention(Math.toIntExact(heads), headDim);
            Value scores = graph.matMul(attention.splitTokens(graph, q),
                    graph.transpose(attention.splitTokens(graph, k), 0, 1, 3, 2));
            // masked_fill(~mask, float32 min) on padding cells
            Value kept = encoded.cells().map(mask -> graph.where(graph.cast(mask, ElementType.BOOL), scores,
                    graph.scalar(ElementType.FLOAT, -Float.MAX_VALUE))).orElse(scores);
            Value perQuery = graph.transpose(kept, 0, 2, 1, 3);
            // one softmax over heads and cells together (weights.flatten(2))
            Value flat = graph.softmax(graph.reshape(perQuery, graph.concat(0, batch, graph.constant(queries, -1))),
                    -1);
            Value attentionMaps = graph.reshape(flat, graph.concat(0, graph.constant(-1, heads), cells));
            // _expand(projected, queries): each image's map once per query, [batch·queries, d, h, w]
            Value repeated = expandPerQuery(projected, queries);
            Value x = graph.concat(1, repeated, attentionMaps);
            long dim = dModel + heads;
            if (dim % 8 != 0) {
                throw new UnsupportedConfigException("DetrMaskHeadSmallConv needs d_model + encoder_attention_heads ("
                        + dModel + " + " + heads + " = " + dim + ") divisible by 8, the groups of its first GroupNorm");
            }
            long[] inter = {dim, dModel / 2, dModel / 4, dModel / 8, dModel / 16};
            x = convGroupRelu("mask_head.lay1", "mask_head.gn1", dim, dim, 8, x);
            x = convGroupRelu("mask_head.lay2", "mask_head.gn2", dim, inter[1], Math.min(8, inter[1]), x);
            for (int step = 0; step < 3; step++) {
                DetrBackbone.FeatureMap fpn = maps.get(2 - step);
                Value adapted = expandPerQuery(Convolution.withBias(parameters, "mask_head.adapter" + (step + 1),
                        fpn.channels(), inter[step + 1], Window.of(1, 1), 1).apply(graph, fpn.value()), queries);
                Value size = graph.shape(adapted, 2, 4);
                Value upsampled = graph.resize(x, graph.concat(0, graph.shape(x, 0, 2), size), ResizeMode.NEAREST);
                x = graph.add(adapted, upsampled);
                long out = inter[step + 2];
                x = convGroupRelu("mask_head.lay" + (step + 3), "mask_head.gn" + (step + 3), inter[step + 1], out,
                        Math.min(8, out), x);
            }
            Value masks = Convolution.withBias(parameters, "mask_head.out_lay", inter[4], 1,
                    Convolution.square(3, 1, 1, 1), 1).apply(graph, x);
            return graph.reshape(masks, graph.concat(0, batch, graph.constant(queries), graph.shape(masks, 2, 4)));
        }

        /** {@code [batch, ...]} → {@code [batch·queries, ...]}, each image repeated {@code queries} times in a row. */
        private Value expandPerQuery(Value x, long queries) {
            Value rest = graph.shape(x, 1);
            Value expanded = graph.expand(graph.unsqueeze(x, 1), graph.concat(0, graph.shape(x, 0, 1),
                    graph.constant(queries), rest));
            return graph.reshape(expanded, graph.concat(0, graph.constant(-1), rest));
        }

        /** A 3×3 Conv (padding 1, bias), {@code GroupNorm(groups, out)}, ReLU. */
        private Value convGroupRelu(String conv, String norm, long in, long out, long groups, Value x) {
            Value convolved = Convolution.withBias(parameters, conv, in, out, Convolution.square(3, 1, 1, 1), 1)
                    .apply(graph, x);
            return graph.relu(groupNorm(norm, out, groups, convolved));
        }

        /** {@code nn.GroupNorm(groups, channels)} on {@code [n, channels, h, w]}: biased variance, epsilon 1e-5. */
        private Value groupNorm(String prefix, long channels, long groups, Value x) {
            if (channels % groups != 0) {
                throw new UnsupportedConfigException("GroupNorm " + prefix + " of " + channels + " channels in "
                        + groups + " groups: d_model must make the mask head's widths divisible by their groups");
            }
            Value shape = graph.shape(x);
            Value grouped = graph.reshape(x, graph.concat(0, graph.shape(x, 0, 1), graph.constant(groups, -1)));
            Value mean = graph.reduceMean(grouped, KeepDims.YES, 2);
            Value centered = graph.sub(grouped, mean);
            Value variance = graph.reduceMean(graph.mul(centered, centered), KeepDims.YES, 2);
            Value normalized = graph.div(centered, graph.sqrt(graph.add(variance,
                    graph.scalar(ElementType.FLOAT, NORM_EPSILON))));
            Value back = graph.reshape(normalized, shape);
            Value weight = graph.reshape(parameters.tensor(prefix + ".weight", channels), channels, 1, 1);
            Value bias = graph.reshape(parameters.tensor(prefix + ".bias", channels), channels, 1, 1);
            return graph.add(graph.mul(back, weight), bias);
        }
    }
}
