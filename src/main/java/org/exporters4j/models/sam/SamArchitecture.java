package org.exporters4j.models.sam;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.GeluApproximation;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.PadMode;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds SAM graphs as Transformers 4.51 computes {@code SamModel} in eval mode, for whichever of Optimum 1.25.3's
 * SAM interfaces is asked ({@code SamOnnxConfig}): the vision encoder ({@code pixel_values} → {@code image_embeddings},
 * {@code image_positional_embeddings}), the prompt encoder and mask decoder ({@code input_points},
 * {@code input_labels}, {@code image_embeddings}, {@code image_positional_embeddings} → {@code iou_scores},
 * {@code pred_masks}), or both in one ({@code pixel_values}, {@code input_points}, {@code input_labels} → the scores
 * and masks: the monolith variant).
 * <ul>
 *   <li>vision encoder: patch embeddings plus {@code pos_embed}; pre-norm layers whose attention runs in
 *       {@code window_size} windows (the grid zero-padded to whole windows after the norm) or over the whole grid
 *       ({@code global_attn_indexes}), with decomposed relative positions ({@code rel_pos_h}, {@code rel_pos_w} taken
 *       at {@code q - k + size - 1}); the neck (1×1 conv, channel norm, 3×3 conv, channel norm);</li>
 *   <li>image positions: the shared random Fourier features of the cell centres {@code (i + ½) / size}, repeated
 *       per image ({@code get_image_wide_positional_embeddings});</li>
 *   <li>prompt encoder: points shifted by ½ pixel, one padding point (label −1) appended (no boxes), Fourier
 *       features of {@code point / image_size}; label −1 takes {@code not_a_point_embed}, −10 zero, 0 and 1 add
 *       {@code point_embed[0]} / {@code [1]}; the dense prompt is {@code no_mask_embed} everywhere (no mask
 *       input);</li>
 *   <li>mask decoder: the IoU and mask tokens before the prompt tokens, the two-way transformer per (image, prompt)
 *       pair (the first block without positions on its self-attention, attention downsampled by
 *       {@code attention_downsample_rate} across), the final token-to-image attention; transposed convolutions
 *       (2×2, stride 2) up to 4× the grid, the hypernetwork MLPs of the mask tokens, the IoU head; the
 *       {@code num_multimask_outputs} masks after the first ({@code multimask_output=True}, as Optimum exports).</li>
 * </ul>
 * Transformers concatenates the prompt tokens only when their sum is not zero (a data-dependent branch a traced export
 * fixes on its dummy points); the graph always does, as every real prompt gives.
 */
public final class SamArchitecture extends FamilyArchitecture {
    private static final String PIXEL_VALUES = "pixel_values";
    private static final String INPUT_POINTS = "input_points";
    private static final String INPUT_LABELS = "input_labels";
    private static final String IMAGE_EMBEDDINGS = "image_embeddings";
    private static final String IMAGE_POSITIONAL_EMBEDDINGS = "image_positional_embeddings";
    /** SamLayerNorm's default epsilon (the neck, the upscaling norm). */
    private static final double CHANNEL_NORM_EPSILON = 1e-6;
    /** nn.LayerNorm's default epsilon ({@code layer_norm_final_attn}). */
    private static final double LAYER_NORM_EPSILON = 1e-5;

    public SamArchitecture() {
        super("sam", "sam", withoutPast(EnumSet.of(Head.BASE)));
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        SamOptions options = SamOptions.read(config);
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        GraphInputs inputs = GraphInputs.declare(build, List.of(
                GraphInputs.Accepted.of(PIXEL_VALUES, GraphInputs.Kind.FLOAT, Dim.symbolic("batch_size"),
                        Dim.of(options.vision().channels()), Dim.of(options.vision().imageSize()),
                        Dim.of(options.vision().imageSize())),
                GraphInputs.Accepted.of(INPUT_POINTS, GraphInputs.Kind.FLOAT, Dim.symbolic("batch_size"),
                        Dim.symbolic("point_batch_size"), Dim.symbolic("nb_points_per_image"), Dim.of(2)),
                GraphInputs.Accepted.of(INPUT_LABELS, GraphInputs.Kind.INTEGER, Dim.symbolic("batch_size"),
                        Dim.symbolic("point_batch_size"), Dim.symbolic("nb_points_per_image")),
                GraphInputs.Accepted.of(IMAGE_EMBEDDINGS, GraphInputs.Kind.FLOAT, Dim.symbolic("batch_size"),
                        Dim.of(options.decoder().hidden()), Dim.of(options.vision().grid()),
                        Dim.of(options.vision().grid())),
                GraphInputs.Accepted.of(IMAGE_POSITIONAL_EMBEDDINGS, GraphInputs.Kind.FLOAT, Dim.symbolic("batch_size"),
                        Dim.of(options.decoder().hidden()), Dim.of(options.vision().grid()),
                        Dim.of(options.vision().grid()))));
        Network network = new Network(graph, parameters, options);
        Optional<Value> pixels = inputs.optional(PIXEL_VALUES);
        Dim follows = Dim.unknown();
        long grid = options.vision().grid();
        long channels = options.decoder().hidden();
        if (build.wants(IMAGE_EMBEDDINGS)) {
            build.output(IMAGE_EMBEDDINGS, graph.inScope("vision_encoder",
                    () -> network.visionEncoder(required(pixels, build, IMAGE_EMBEDDINGS))), follows,
                    Dim.of(channels), Dim.of(grid), Dim.of(grid));
        }
        if (build.wants(IMAGE_POSITIONAL_EMBEDDINGS)) {
            Value batch = graph.shape(required(pixels, build, IMAGE_POSITIONAL_EMBEDDINGS), 0, 1);
            build.output(IMAGE_POSITIONAL_EMBEDDINGS, network.imagePositions(batch), follows, Dim.of(channels),
                    Dim.of(grid), Dim.of(grid));
        }
        boolean scores = build.wants("iou_scores");
        boolean masks = build.wants("pred_masks");
        if (scores || masks) {
            Value points = inputs.required(INPUT_POINTS);
            Value labels = inputs.required(INPUT_LABELS);
            Value embeddings = inputs.optional(IMAGE_EMBEDDINGS).orElseGet(() -> graph.inScope("vision_encoder",
                    () -> network.visionEncoder(required(pixels, build, "iou_scores"))));
            Value positions = inputs.optional(IMAGE_POSITIONAL_EMBEDDINGS)
                    .orElseGet(() -> network.imagePositions(graph.shape(embeddings, 0, 1)));
            Decoded decoded = graph.inScope("mask_decoder",
                    () -> network.decode(points, labels, embeddings, positions));
            long outputs = options.decoder().multimaskOutputs();
            if (scores) {
                build.output("iou_scores", decoded.scores(), follows, follows, Dim.of(outputs));
            }
            if (masks) {
                build.output("pred_masks", decoded.masks(), follows, follows, Dim.of(outputs), Dim.of(4 * grid),
                        Dim.of(4 * grid));
            }
        }
    }

    private static Value required(Optional<Value> pixels, GraphBuild build, String output) {
        return pixels.orElseThrow(() -> new ArchitectureException(build.purpose() + ": output '" + output
                + "' is computed from pixel_values, which the interface does not list; add pixel_values to the "
                + "inputs, or give image_embeddings and image_positional_embeddings instead"));
    }

    /** The mask decoder's outputs: IoU scores {@code [batch, prompts, masks]}, masks {@code [batch, prompts, masks, 4s, 4s]}. */
    private record Decoded(Value scores, Value masks) {}

    /** One graph under construction. */
    private record Network(OnnxGraphBuilder graph, Parameters parameters, SamOptions options) {

        /** SamVisionEncoder: {@code [batch, output_channels, grid, grid]}. */
        Value visionEncoder(Value pixels) {
            SamOptions.Vision vision = options.vision();
            long hidden = vision.hidden();
            long grid = vision.grid();
            long patch = vision.patchSize();
            Value patches = Convolution.withBias(parameters, "vision_encoder.patch_embed.projection", vision.channels(),
                    hidden, Window.of(patch, patch).withStrides(patch, patch), 1).apply(graph, pixels);
            // permute(0, 2, 3, 1): [batch, grid, grid, hidden]
            Value x = graph.transpose(patches, 0, 2, 3, 1);
            if (vision.absolutePositions()) {
                x = graph.add(x, parameters.tensor("vision_encoder.pos_embed", 1, grid, grid, hidden));
            }
            for (int index = 0; index < vision.layers(); index++) {
                String prefix = "vision_encoder.layers." + index + ".";
                Value input = x;
                int at = index;
                x = graph.inScope("layers." + index, () -> visionLayer(prefix, at, input));
            }
            // the neck, channels first
            long out = vision.outputChannels();
            Value y = Convolution.withoutBias(parameters, "vision_encoder.neck.conv1", hidden, out, Window.of(1, 1), 1)
                    .apply(graph, graph.transpose(x, 0, 3, 1, 2));
            y = channelNorm("vision_encoder.neck.layer_norm1", out, y);
            y = Convolution.withoutBias(parameters, "vision_encoder.neck.conv2", out, out,
                    Convolution.square(3, 1, 1, 1), 1).apply(graph, y);
            return channelNorm("vision_encoder.neck.layer_norm2", out, y);
        }

        /** SamVisionLayer on {@code [batch, grid, grid, hidden]}. */
        private Value visionLayer(String prefix, int index, Value x) {
            SamOptions.Vision vision = options.vision();
            long hidden = vision.hidden();
            long grid = vision.grid();
            long window = vision.windowOf(index);
            Value normalized = LayerNorm.load(parameters, prefix + "layer_norm1", hidden, vision.layerNormEps())
                    .apply(graph, x);
            Value attended;
            if (window > 0) {
                long padded = (grid + window - 1) / window * window;
                long windows = padded / window;
                Value padding = padded == grid ? normalized : graph.pad(normalized, PadMode.CONSTANT,
                        0, 0, 0, 0, 0, padded - grid, padded - grid, 0);
                // window_partition: [batch · windows², window, window, hidden]
                Value partitioned = graph.reshape(graph.transpose(graph.reshape(padding,
                        -1, windows, window, windows, window, hidden), 0, 1, 3, 2, 4, 5), -1, window, window, hidden);
                Value out = visionAttention(prefix + "attn.", partitioned, window);
                Value merged = graph.reshape(graph.transpose(graph.reshape(out,
                        -1, windows, windows, window, window, hidden), 0, 1, 3, 2, 4, 5), -1, padded, padded, hidden);
                attended = padded == grid ? merged : graph.slice(graph.slice(merged, 1, 0, grid), 2, 0, grid);
            } else {
                attended = visionAttention(prefix + "attn.", normalized, grid);
            }
            Value residual = graph.add(x, attended);
            Value fed = LayerNorm.load(parameters, prefix + "layer_norm2", hidden, vision.layerNormEps())
                    .apply(graph, residual);
            long mlp = parameters.dimension(prefix + "mlp.lin1.weight", 0);
            Value inner = vision.activation().apply(graph, Linear.load(parameters, prefix + "mlp.lin1", hidden, mlp)
                    .applyToLastAxis(graph, fed));
            return graph.add(residual, Linear.load(parameters, prefix + "mlp.lin2", mlp, hidden)
                    .applyToLastAxis(graph, inner));
        }

        /**
         * SamVisionAttention on {@code [n, size, size, hidden]}: {@code (q · head_dim^-½) kᵀ} plus the decomposed
         * relative positions, softmax, times v, then {@code proj}.
         */
        private Value visionAttention(String prefix, Value x, long size) {
            SamOptions.Vision vision = options.vision();
            long hidden = vision.hidden();
            long heads = vision.heads();
            long headDim = vision.headDim();
            Linear qkv = Linear.load(parameters, prefix + "qkv", hidden, 3 * hidden,
                    Linear.Bias.when(vision.queryKeyValueBias()));
            // reshape(n, size², 3, heads, head_dim).permute(2, 0, 3, 1, 4): [3, n, heads, size², head_dim]
            Value projected = graph.transpose(graph.reshape(qkv.applyToLastAxis(graph, x),
                    -1, size * size, 3, heads, headDim), 2, 0, 3, 1, 4);
            Value query = graph.reshape(graph.gather(projected, graph.scalar(0), 0), -1, size * size, headDim);
            Value key = graph.reshape(graph.gather(projected, graph.scalar(1), 0), -1, size * size, headDim);
            Value value = graph.reshape(graph.gather(projected, graph.scalar(2), 0), -1, size * size, headDim);
            Value scores = graph.matMul(graph.mul(query, graph.scalar(ElementType.FLOAT, Math.pow(headDim, -0.5))),
                    graph.transpose(key, 0, 2, 1));
            if (vision.relativePositions()) {
                scores = relativePositions(prefix, scores, query, size);
            }
            Value context = graph.matMul(graph.softmax(scores, -1), value);
            // reshape(n, heads, size, size, head_dim).permute(0, 2, 3, 1, 4): [n, size, size, hidden]
            Value merged = graph.reshape(graph.transpose(graph.reshape(context, -1, heads, size, size, headDim),
                    0, 2, 3, 1, 4), -1, size, size, hidden);
            return Linear.load(parameters, prefix + "proj", hidden, hidden).applyToLastAxis(graph, merged);
        }

        /**
         * add_decomposed_rel_pos: {@code scores[q, k] += q·R_h[qh - kh + size - 1] + q·R_w[qw - kw + size - 1]}. The
         * tables have {@code 2·size - 1} rows for the window (or grid) they were made for, the size the layer
         * attends at for the image size SAM takes, so get_rel_pos's interpolation is the identity.
         */
        private Value relativePositions(String prefix, Value scores, Value query, long size) {
            long headDim = options.vision().headDim();
            long rows = 2 * size - 1;
            for (String table : List.of("rel_pos_h", "rel_pos_w")) {
                long stored = parameters.dimension(prefix + table, 0);
                if (stored != rows) {
                    throw new UnsupportedConfigException(parameters.purpose() + ": " + prefix + table + " has "
                            + stored + " rows, but the layer attends over " + size + " cells per side, which take "
                            + rows + "; Transformers would interpolate the table linearly, which this graph does not");
                }
            }
            long[] index = new long[Math.toIntExact(size * size)];
            for (int q = 0; q < size; q++) {
                for (int k = 0; k < size; k++) {
                    index[Math.toIntExact(q * size + k)] = q - k + size - 1;
                }
            }
            Value indices = graph.constant(TensorData.ofLongs(index, size, size));
            Value heightTable = graph.gather(parameters.tensor(prefix + "rel_pos_h", rows, headDim), indices, 0);
            Value widthTable = graph.gather(parameters.tensor(prefix + "rel_pos_w", rows, headDim), indices, 0);
            Value grid = graph.reshape(query, -1, size, size, headDim);
            Value relativeHeight = graph.einsum("bhwc,hkc->bhwk", grid, heightTable);
            Value relativeWidth = graph.einsum("bhwc,wkc->bhwk", grid, widthTable);
            Value attention = graph.reshape(scores, -1, size, size, size, size);
            Value added = graph.add(graph.add(attention, graph.unsqueeze(relativeHeight, 4)),
                    graph.unsqueeze(relativeWidth, 3));
            return graph.reshape(added, -1, size * size, size * size);
        }

        /** SamLayerNorm(channels_first): each cell's channels normalised, biased variance. */
        private Value channelNorm(String prefix, long channels, Value x) {
            Value mean = graph.reduceMean(x, KeepDims.YES, 1);
            Value centered = graph.sub(x, mean);
            Value variance = graph.reduceMean(graph.mul(centered, centered), KeepDims.YES, 1);
            Value normalized = graph.div(centered, graph.sqrt(graph.add(variance,
                    graph.scalar(ElementType.FLOAT, CHANNEL_NORM_EPSILON))));
            Value weight = graph.reshape(parameters.tensor(prefix + ".weight", channels), channels, 1, 1);
            Value bias = graph.reshape(parameters.tensor(prefix + ".bias", channels), channels, 1, 1);
            return graph.add(graph.mul(weight, normalized), bias);
        }

        /** SamPositionalEmbedding of coordinates in [0, 1] ({@code [..., 2]}): {@code [..., 2·num_pos_feats]}. */
        private Value fourierFeatures(Value coordinates) {
            long features = options.vision().positionFeatures();
            Value gaussian = parameters.tensor(parameters.firstPresent("shared_image_embedding.positional_embedding",
                    "prompt_encoder.shared_embedding.positional_embedding"), 2, features);
            Value centred = graph.sub(graph.mul(coordinates, graph.scalar(ElementType.FLOAT, 2.0)),
                    graph.scalar(ElementType.FLOAT, 1.0));
            // coordinates @ positional_embedding with K = 2, rounded as PyTorch's CPU matmul does it here: each
            // product rounded, then their sum (a fused multiply-add differs by an ulp, which sin and cos of angles
            // of hundreds of radians turn into 1e-5)
            Value x = graph.mul(graph.slice(centred, -1, 0, 1), graph.slice(gaussian, 0, 0, 1));
            Value y = graph.mul(graph.slice(centred, -1, 1, 2), graph.slice(gaussian, 0, 1, 2));
            Value angles = graph.mul(graph.add(x, y), graph.scalar(ElementType.FLOAT, (float) (2 * Math.PI)));
            return graph.concat(-1, graph.sin(angles), graph.cos(angles));
        }

        /** get_image_wide_positional_embeddings, repeated for {@code batch} images: {@code [batch, c, s, s]}. */
        Value imagePositions(Value batch) {
            long size = options.prompt().embeddingSize();
            float[] cells = new float[Math.toIntExact(size * size * 2)];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int at = Math.toIntExact((y * size + x) * 2);
                    cells[at] = (float) (x + 0.5) / (float) size;
                    cells[at + 1] = (float) (y + 0.5) / (float) size;
                }
            }
            Value features = fourierFeatures(graph.constant(TensorData.ofFloats(cells, size, size, 2)));
            Value channelsFirst = graph.unsqueeze(graph.transpose(features, 2, 0, 1), 0);
            return graph.tile(channelsFirst, graph.concat(0, batch, graph.constant(1, 1, 1)));
        }

        /** SamPromptEncoder (points only, no boxes or masks) and SamMaskDecoder. */
        Decoded decode(Value points, Value labels, Value imageEmbeddings, Value imagePositions) {
            SamOptions.Decoder decoder = options.decoder();
            long hidden = decoder.hidden();
            long size = options.prompt().embeddingSize();
            Value sparse = graph.inScope("prompt_encoder", () -> embedPoints(points, labels));
            Value batch = graph.shape(points, 0, 1);
            Value prompts = graph.shape(points, 1, 2);
            // output tokens [1 + mask tokens, hidden] before the prompt tokens, for each (image, prompt)
            Value outputTokens = graph.concat(0, parameters.tensor("mask_decoder.iou_token.weight", 1, hidden),
                    parameters.tensor("mask_decoder.mask_tokens.weight", decoder.maskTokens(), hidden));
            long tokens = 1 + decoder.maskTokens();
            Value repeated = graph.expand(outputTokens, graph.concat(0, batch, prompts,
                    graph.constant(tokens, hidden)));
            Value allTokens = graph.concat(2, repeated, sparse);
            Value pairs = graph.mul(batch, prompts);
            Value queryPositions = graph.reshape(allTokens, graph.concat(0, pairs, graph.constant(-1, hidden)));
            // image + dense prompt (no_mask_embed), repeat_interleave over the prompts: [pairs, s², hidden]
            Value dense = graph.reshape(parameters.tensor("prompt_encoder.no_mask_embed.weight", 1, hidden),
                    1, hidden, 1, 1);
            Value image = perPrompt(graph.add(imageEmbeddings, dense), prompts, size, hidden);
            Value imagePositionsPerPrompt = perPrompt(imagePositions, prompts, size, hidden);
            Value queries = queryPositions;
            Value keys = image;
            for (int index = 0; index < decoder.layers(); index++) {
                String prefix = "mask_decoder.transformer.layers." + index + ".";
                Value[] state = {queries, keys};
                int at = index;
                graph.inScope("transformer.layers." + at, () -> {
                    Value[] next = twoWayBlock(prefix, at == 0, state[0], state[1], queryPositions,
                            imagePositionsPerPrompt);
                    state[0] = next[0];
                    state[1] = next[1];
                    return next[0];
                });
                queries = state[0];
                keys = state[1];
            }
            Value finalAttention = attention("mask_decoder.transformer.final_attn_token_to_image",
                    decoder.downsampleRate(), graph.add(queries, queryPositions), graph.add(keys,
                            imagePositionsPerPrompt), keys);
            queries = LayerNorm.load(parameters, "mask_decoder.transformer.layer_norm_final_attn", hidden,
                    LAYER_NORM_EPSILON).apply(graph, graph.add(queries, finalAttention));
            Value iouToken = graph.slice(queries, 1, 0, 1);
            Value maskTokens = graph.slice(queries, 1, 1, 1 + decoder.maskTokens());
            // upscaling: keys [pairs, s², c] → [pairs, c, s, s] → 2× → 4×
            Value map = graph.reshape(graph.transpose(keys, 0, 2, 1), -1, hidden, size, size);
            Value up = transposedConvolution("mask_decoder.upscale_conv1", hidden, hidden / 4, map);
            up = graph.gelu(channelNorm("mask_decoder.upscale_layer_norm", hidden / 4, up), GeluApproximation.NONE);
            up = graph.gelu(transposedConvolution("mask_decoder.upscale_conv2", hidden / 4, hidden / 8, up),
                    GeluApproximation.NONE);
            List<Value> hyper = new ArrayList<>();
            for (int token = 0; token < decoder.maskTokens(); token++) {
                Value tokenState = graph.slice(maskTokens, 1, token, token + 1);
                hyper.add(feedForward("mask_decoder.output_hypernetworks_mlps." + token, hidden, hidden, hidden / 8,
                        3, tokenState));
            }
            // hyper_in [pairs, tokens, c/8] @ upscaled [pairs, c/8, (4s)²]
            Value hyperIn = graph.concat(1, hyper);
            long side = 4 * size;
            Value upscaled = graph.reshape(up, -1, hidden / 8, side * side);
            Value allMasks = graph.matMul(hyperIn, upscaled);
            Value masks = graph.reshape(graph.slice(allMasks, 1, 1, decoder.maskTokens()),
                    graph.concat(0, batch, prompts, graph.constant(decoder.multimaskOutputs(), side, side)));
            Value iou = feedForward("mask_decoder.iou_prediction_head", hidden, decoder.iouHeadHidden(),
                    decoder.maskTokens(), decoder.iouHeadDepth(), iouToken);
            Value scores = graph.reshape(graph.slice(iou, 2, 1, decoder.maskTokens()),
                    graph.concat(0, batch, prompts, graph.constant(decoder.multimaskOutputs())));
            return new Decoded(scores, masks);
        }

        /** {@code [batch, c, s, s]} → {@code [batch · prompts, s², c]}: each image once per prompt, cells as rows. */
        private Value perPrompt(Value map, Value prompts, long size, long channels) {
            Value rows = graph.transpose(graph.reshape(map, -1, channels, size * size), 0, 2, 1);
            Value expanded = graph.expand(graph.unsqueeze(rows, 1), graph.concat(0, graph.shape(rows, 0, 1), prompts,
                    graph.constant(size * size, channels)));
            return graph.reshape(expanded, -1, size * size, channels);
        }

        /**
         * SamPromptEncoder._embed_points with {@code pad=True}: {@code [batch, prompts, points + 1, hidden]}.
         */
        private Value embedPoints(Value points, Value labels) {
            long hidden = options.prompt().hidden();
            Value shifted = graph.add(points, graph.scalar(ElementType.FLOAT, 0.5));
            Value padShape = graph.concat(0, graph.shape(points, 0, 2), graph.constant(1, 2));
            Value withPad = graph.concat(2, shifted, graph.constantOfShape(padShape, ElementType.FLOAT, 0.0));
            Value labelShape = graph.concat(0, graph.shape(labels, 0, 2), graph.constant(1));
            Value allLabels = graph.concat(2, graph.cast(labels, ElementType.INT64),
                    graph.constantOfShape(labelShape, ElementType.INT64, -1.0));
            Value normalized = graph.div(withPad, graph.scalar(ElementType.FLOAT, (float) options.prompt().imageSize()));
            Value embedding = fourierFeatures(normalized);
            Value label = graph.unsqueeze(allLabels, 3);
            embedding = graph.where(graph.equal(label, graph.scalar(-1)),
                    parameters.tensor("prompt_encoder.not_a_point_embed.weight", 1, hidden), embedding);
            embedding = graph.where(graph.equal(label, graph.scalar(-10)),
                    graph.scalar(ElementType.FLOAT, 0.0), embedding);
            for (int kind = 0; kind < 2; kind++) {
                Value added = graph.add(embedding,
                        parameters.tensor("prompt_encoder.point_embed." + kind + ".weight", 1, hidden));
                embedding = graph.where(graph.equal(label, graph.scalar(kind)), added, embedding);
            }
            return embedding;
        }

        /** SamTwoWayAttentionBlock on queries {@code [pairs, tokens, c]} and keys {@code [pairs, s², c]}. */
        private Value[] twoWayBlock(String prefix, boolean first, Value queries, Value keys, Value queryPositions,
                                    Value keyPositions) {
            SamOptions.Decoder decoder = options.decoder();
            long hidden = decoder.hidden();
            double eps = decoder.layerNormEps();
            Value q;
            if (first) {
                // skip_first_layer_pe: the attention's output replaces the queries
                q = attention(prefix + "self_attn", 1, queries, queries, queries);
            } else {
                Value withPositions = graph.add(queries, queryPositions);
                q = graph.add(queries, attention(prefix + "self_attn", 1, withPositions, withPositions, queries));
            }
            q = LayerNorm.load(parameters, prefix + "layer_norm1", hidden, eps).apply(graph, q);
            Value keysWithPositions = graph.add(keys, keyPositions);
            q = graph.add(q, attention(prefix + "cross_attn_token_to_image", decoder.downsampleRate(),
                    graph.add(q, queryPositions), keysWithPositions, keys));
            q = LayerNorm.load(parameters, prefix + "layer_norm2", hidden, eps).apply(graph, q);
            Value inner = decoder.activation().apply(graph, Linear.load(parameters, prefix + "mlp.lin1", hidden,
                    decoder.mlpDim()).applyToLastAxis(graph, q));
            q = graph.add(q, Linear.load(parameters, prefix + "mlp.lin2", decoder.mlpDim(), hidden)
                    .applyToLastAxis(graph, inner));
            q = LayerNorm.load(parameters, prefix + "layer_norm3", hidden, eps).apply(graph, q);
            Value k = graph.add(keys, attention(prefix + "cross_attn_image_to_token", decoder.downsampleRate(),
                    keysWithPositions, graph.add(q, queryPositions), q));
            k = LayerNorm.load(parameters, prefix + "layer_norm4", hidden, eps).apply(graph, k);
            return new Value[] {q, k};
        }

        /** SamAttention: projections to {@code hidden / rate}, per-head softmax of {@code q kᵀ / √c}, out_proj. */
        private Value attention(String prefix, long rate, Value query, Value key, Value value) {
            SamOptions.Decoder decoder = options.decoder();
            long hidden = decoder.hidden();
            long internal = hidden / rate;
            long heads = decoder.heads();
            long perHead = internal / heads;
            ScaledDotProductAttention attention = new ScaledDotProductAttention(Math.toIntExact(heads), perHead);
            Value q = attention.splitTokens(graph, Linear.load(parameters, prefix + ".q_proj", hidden, internal)
                    .applyToLastAxis(graph, query));
            Value k = attention.splitTokens(graph, Linear.load(parameters, prefix + ".k_proj", hidden, internal)
                    .applyToLastAxis(graph, key));
            Value v = attention.splitTokens(graph, Linear.load(parameters, prefix + ".v_proj", hidden, internal)
                    .applyToLastAxis(graph, value));
            Value context = ScaledDotProductAttention.attend(graph, q, graph.transpose(k, 0, 1, 3, 2), v,
                    ScoreScale.dividedBy(Math.pow(perHead, 0.5)), UnaryOperator.identity());
            return Linear.load(parameters, prefix + ".out_proj", internal, hidden)
                    .applyToLastAxis(graph, attention.mergeTokens(graph, context));
        }

        /**
         * {@code nn.ConvTranspose2d(in, out, kernel_size=2, stride=2)}: each input cell spreads into its own 2×2
         * block ({@code out[o, 2i + a, 2j + b] = Σ_c x[c, i, j] · W[c, o, a, b] + bias[o]}), as one MatMul.
         */
        private Value transposedConvolution(String prefix, long in, long out, Value x) {
            Value weight = graph.reshape(parameters.tensor(prefix + ".weight", in, out, 2, 2), in, out * 4);
            Value cells = graph.transpose(x, 0, 2, 3, 1);
            Value spread = graph.matMul(cells, weight);
            Value height = graph.shape(x, 2, 3);
            Value width = graph.shape(x, 3, 4);
            Value blocks = graph.reshape(spread, graph.concat(0, graph.shape(x, 0, 1), height, width,
                    graph.constant(out, 2, 2)));
            // [n, h, w, o, a, b] → [n, o, h, a, w, b]
            Value placed = graph.transpose(blocks, 0, 3, 1, 4, 2, 5);
            Value merged = graph.reshape(placed, graph.concat(0, graph.shape(x, 0, 1), graph.constant(out),
                    graph.mul(height, graph.constant(2)), graph.mul(width, graph.constant(2))));
            return graph.add(merged, graph.reshape(parameters.tensor(prefix + ".bias", out), out, 1, 1));
        }

        /** SamFeedForward: proj_in, ReLU, {@code depth - 2} ReLU layers, proj_out. */
        private Value feedForward(String prefix, long in, long hidden, long out, int depth, Value x) {
            Value y = graph.relu(Linear.load(parameters, prefix + ".proj_in", in, hidden).applyToLastAxis(graph, x));
            for (int layer = 0; layer < depth - 2; layer++) {
                y = graph.relu(Linear.load(parameters, prefix + ".layers." + layer, hidden, hidden)
                        .applyToLastAxis(graph, y));
            }
            return Linear.load(parameters, prefix + ".proj_out", hidden, out).applyToLastAxis(graph, y);
        }
    }
}
