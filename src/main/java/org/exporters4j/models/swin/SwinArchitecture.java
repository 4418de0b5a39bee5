package org.exporters4j.models.swin;

import java.util.EnumSet;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.PadMode;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds Swin graphs as Transformers 4.51 computes them in eval mode, for any image size: the image padded right and
 * bottom to whole patches, patch embeddings ({@code Conv2d}, kernel and stride {@code patch_size}) and their
 * LayerNorm; then the stages. A block normalises its tokens, lays them out as the patch grid padded to whole windows,
 * rolls the grid up and left by half a window when it is an odd block and the grid is larger than a window
 * ({@code SwinLayer.set_shift_and_window_size}), attends within each {@code window_size²} window (scores plus the
 * block's relative position bias, plus −100 between tokens that came from different regions of a rolled grid),
 * rolls back, crops the padding and adds the residual; then its feed-forward with a residual. Every stage but the
 * last ends with patch merging (grid padded to even sizes, 2 × 2 neighbours concatenated, LayerNorm, reduction).
 * The final {@code layernorm} gives the last hidden state; image classification averages it over the tokens,
 * masked image modelling decodes it as a square grid (1 × 1 convolution and pixel shuffle by {@code encoder_stride}).
 *
 * <p>Grids smaller than a window make Transformers fail (its window shrinks but its relative position table does
 * not); the graph then attends within the padded window instead.
 */
public final class SwinArchitecture extends EncoderArchitecture<Value, SwinOptions> {
    /** What {@code SwinLayer.get_attn_mask} puts between tokens of different regions. */
    private static final double REGION_MASK = -100.0;

    public SwinArchitecture() {
        super("swin", "swin", EnumSet.of(Head.BASE, Head.IMAGE_CLASSIFICATION, Head.MASKED_IM),
                new BaseModel("swin", "embeddings.patch_embeddings.projection.weight"), PixelInputs::declare,
                SwinOptions::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, SwinOptions options, String base, Value pixels) {
        Encoder encoder = new Encoder(build, options, base, pixels);
        OnnxGraphBuilder graph = build.graph();
        long features = options.features();
        Dim follows = Dim.unknown();
        switch (build.head()) {
            case BASE -> EncoderHeads.lastHiddenState(build, encoder::encode, features);
            case IMAGE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    // SwinModel.pooler: AdaptiveAvgPool1d(1) over the tokens
                    EncoderHeads.classification(build, config, features,
                            graph.reduceMean(encoder.encode(), KeepDims.NO, 1));
                }
            }
            case MASKED_IM -> {
                if (build.wants("reconstruction")) {
                    build.output("reconstruction", encoder.reconstruction(), follows, Dim.of(options.channels()),
                            follows, follows);
                }
            }
            default -> throw new IllegalStateException("swin has no " + build.variant() + " graph");
        }
    }

    /** One graph under construction. */
    private static final class Encoder {
        private final OnnxGraphBuilder graph;
        private final Parameters parameters;
        private final SwinOptions options;
        private final String base;
        private final Value pixels;
        /** The token grid's height and width, 1-D int64 {@code [1]} each, as the stages change them. */
        private Value height;
        private Value width;

        Encoder(GraphBuild build, SwinOptions options, String base, Value pixels) {
            this.graph = build.graph();
            this.parameters = build.parameters();
            this.options = options;
            this.base = base;
            this.pixels = pixels;
        }

        /** The final layer-normalised tokens {@code [batch, tokens, features]}. */
        Value encode() {
            Value tokens = graph.inScope("embeddings", this::embeddings);
            for (int stage = 0; stage < options.stages(); stage++) {
                int at = stage;
                Value input = tokens;
                tokens = graph.inScope("encoder.layers." + stage, () -> stage(at, input));
            }
            return LayerNorm.load(parameters, base + "layernorm", options.features(), options.layerNormEps())
                    .apply(graph, tokens);
        }

        /** {@code SwinEmbeddings}: padded image, patch convolution, flattened, {@code norm}. */
        private Value embeddings() {
            String prefix = base + "embeddings.";
            long patchHeight = options.patch().height();
            long patchWidth = options.patch().width();
            Value pixelHeight = graph.shape(pixels, 2, 3);
            Value pixelWidth = graph.shape(pixels, 3, 4);
            // SwinPatchEmbeddings.maybe_pad: zeros right and bottom up to whole patches
            Value zero = graph.constant(0L);
            Value pads = graph.concat(0, zero, zero, zero, zero, zero, zero, remainder(pixelHeight, patchHeight),
                    remainder(pixelWidth, patchWidth));
            Value padded = graph.pad(pixels, pads, PadMode.CONSTANT);
            Value patches = Convolution.withBias(parameters, prefix + "patch_embeddings.projection", options.channels(),
                    options.embedDim(), Window.of(patchHeight, patchWidth).withStrides(patchHeight, patchWidth), 1)
                    .apply(graph, padded);
            height = graph.shape(patches, 2, 3);
            width = graph.shape(patches, 3, 4);
            Value tokens = graph.transpose(graph.reshape(patches, graph.concat(0, graph.shape(pixels, 0, 1),
                    graph.constant(options.embedDim(), -1))), 0, 2, 1);
            return LayerNorm.load(parameters, prefix + "norm", options.embedDim(), SwinOptions.TORCH_LAYER_NORM_EPS)
                    .apply(graph, tokens);
        }

        /** {@code (multiple − size % multiple) % multiple}: what pads {@code size} to a whole multiple. */
        private Value remainder(Value size, long multiple) {
            Value m = graph.constant(multiple);
            return graph.mod(graph.sub(m, graph.mod(size, m)), m);
        }

        /** One SwinStage: its blocks, then patch merging unless it is the last. */
        private Value stage(int stage, Value input) {
            String prefix = base + "encoder.layers." + stage + ".";
            Value tokens = input;
            for (int block = 0; block < options.depths().get(stage); block++) {
                int at = block;
                Value previous = tokens;
                tokens = graph.inScope("blocks." + block,
                        () -> block(stage, prefix + "blocks." + at + ".", at % 2 == 1, previous));
            }
            if (stage < options.stages() - 1) {
                Value merged = tokens;
                tokens = graph.inScope("downsample", () -> merge(stage, prefix + "downsample.", merged));
            }
            return tokens;
        }

        /** One SwinLayer on tokens {@code [batch, height × width, dim]}. */
        private Value block(int stage, String prefix, boolean shifted, Value tokens) {
            long dim = options.width(stage);
            long window = options.window();
            Value normalized = LayerNorm.load(parameters, prefix + "layernorm_before", dim, options.layerNormEps())
                    .apply(graph, tokens);
            Value batch = graph.shape(tokens, 0, 1);
            Value grid = graph.reshape(normalized, graph.concat(0, batch, height, width, graph.constant(dim)));
            // maybe_pad: zeros right and bottom up to whole windows
            Value padBottom = remainder(height, window);
            Value padRight = remainder(width, window);
            Value zero = graph.constant(0L);
            Value padded = graph.pad(grid, graph.concat(0, zero, zero, zero, zero, zero, padBottom, padRight, zero),
                    PadMode.CONSTANT);
            Value paddedHeight = graph.add(height, padBottom);
            Value paddedWidth = graph.add(width, padRight);
            // set_shift_and_window_size: no shift when the grid is no larger than a window
            Value shift = null;
            if (shifted && window / 2 > 0) {
                Value w = graph.constant(window);
                Value larger = graph.and(graph.greater(height, w), graph.greater(width, w));
                shift = graph.where(larger, graph.constant(window / 2), graph.constant(0L));
                padded = roll(padded, shift, paddedHeight, paddedWidth, Direction.BACK);
            }
            Value windows = partition(padded, paddedHeight, paddedWidth, dim);
            Value regionMask = shift == null ? null : regionMask(shift, paddedHeight, paddedWidth);
            Value attended = attention(stage, prefix + "attention.", windows, regionMask);
            Value restored = reverse(attended, paddedHeight, paddedWidth, dim);
            if (shift != null) {
                restored = roll(restored, shift, paddedHeight, paddedWidth, Direction.FORTH);
            }
            Value cropped = graph.slice(restored, graph.concat(0, zero, zero), graph.concat(0, height, width),
                    graph.constant(1L, 2L));
            Value residual = graph.add(tokens, graph.reshape(cropped, graph.concat(0, batch,
                    graph.constant(-1L, dim))));
            long inner = (long) (options.mlpRatio() * dim);
            Value expanded = options.activation().apply(graph, Linear.load(parameters, prefix + "intermediate.dense",
                    dim, inner).applyToLastAxis(graph, LayerNorm.load(parameters, prefix + "layernorm_after", dim,
                    options.layerNormEps()).apply(graph, residual)));
            return graph.add(residual, Linear.load(parameters, prefix + "output.dense", inner, dim)
                    .applyToLastAxis(graph, expanded));
        }

        /** Which way {@link #roll} moves the grid. */
        private enum Direction {
            /** {@code torch.roll(x, -shift)}: up and left. */
            BACK,
            /** {@code torch.roll(x, shift)}: down and right. */
            FORTH
        }

        /** {@code torch.roll} of a grid {@code [batch, height, width, dim]} on axes 1 and 2 by a runtime shift. */
        private Value roll(Value grid, Value shift, Value gridHeight, Value gridWidth, Direction direction) {
            Value rows = rollAxis(grid, 1, direction == Direction.BACK ? shift : graph.sub(gridHeight, shift),
                    gridHeight);
            return rollAxis(rows, 2, direction == Direction.BACK ? shift : graph.sub(gridWidth, shift), gridWidth);
        }

        /** {@code x} rolled so that index {@code start} comes first: {@code cat(x[start:], x[:start])}. */
        private Value rollAxis(Value x, long axis, Value start, Value size) {
            Value axes = graph.constant(axis);
            return graph.concat(axis, graph.slice(x, start, size, axes),
                    graph.slice(x, graph.constant(0L), start, axes));
        }

        /** {@code window_partition}: {@code [batch, H, W, dim]} as {@code [batch × windows, window², dim]}. */
        private Value partition(Value grid, Value gridHeight, Value gridWidth, long dim) {
            long window = options.window();
            Value w = graph.constant(window);
            Value split = graph.reshape(grid, graph.concat(0, graph.constant(-1L), graph.div(gridHeight, w), w,
                    graph.div(gridWidth, w), graph.constant(window, dim)));
            return graph.reshape(graph.transpose(split, 0, 1, 3, 2, 4, 5), -1, window * window, dim);
        }

        /** {@code window_reverse}: {@code [batch × windows, window², dim]} as {@code [batch, H, W, dim]}. */
        private Value reverse(Value windows, Value gridHeight, Value gridWidth, long dim) {
            long window = options.window();
            Value w = graph.constant(window);
            Value split = graph.reshape(windows, graph.concat(0, graph.constant(-1L), graph.div(gridHeight, w),
                    graph.div(gridWidth, w), graph.constant(window, window, dim)));
            return graph.reshape(graph.transpose(split, 0, 1, 3, 2, 4, 5), graph.concat(0, graph.constant(-1L),
                    gridHeight, gridWidth, graph.constant(dim)));
        }

        /**
         * {@code SwinLayer.get_attn_mask} of a grid rolled by {@code shift}: each position's region (rows
         * {@code [0, H − window)}, {@code [H − window, H − shift)}, {@code [H − shift, H)}, the same for columns),
         * and per window {@code [windows, window², window²]}: 0 between tokens of one region, −100 between others.
         * (A shift of 0 puts a window's tokens in one region, so the mask is all 0, as no mask.)
         */
        private Value regionMask(Value shift, Value gridHeight, Value gridWidth) {
            long window = options.window();
            Value rows = regions(gridHeight, shift);
            Value columns = regions(gridWidth, shift);
            Value labels = graph.add(graph.mul(graph.unsqueeze(rows, 1), graph.constant(3L)),
                    graph.unsqueeze(columns, 0));
            Value w = graph.constant(window);
            Value split = graph.reshape(labels, graph.concat(0, graph.div(gridHeight, w), w, graph.div(gridWidth, w),
                    w));
            Value perWindow = graph.reshape(graph.transpose(split, 0, 2, 1, 3), -1, window * window);
            Value differs = graph.not(graph.equal(graph.unsqueeze(perWindow, 1), graph.unsqueeze(perWindow, 2)));
            ElementType f = ElementType.FLOAT;
            return graph.where(differs, graph.scalar(f, REGION_MASK), graph.scalar(f, 0.0));
        }

        /** The region (0, 1, 2) of each index {@code 0 … size − 1} of a rolled axis. */
        private Value regions(Value size, Value shift) {
            Value index = graph.range(graph.scalar(0L), graph.squeeze(size, 0), graph.scalar(1L));
            Value pastWindow = graph.not(graph.less(index, graph.sub(size, graph.constant(options.window()))));
            Value pastShift = graph.not(graph.less(index, graph.sub(size, shift)));
            return graph.add(graph.cast(pastWindow, ElementType.INT64), graph.cast(pastShift, ElementType.INT64));
        }

        /**
         * {@code SwinAttention} on windows {@code [windows, window², dim]}: scores divided by √head_size, plus the
         * relative position bias, plus the region mask (per window, broadcast over the batch); output dense.
         */
        private Value attention(int stage, String prefix, Value windows, Value regionMask) {
            long dim = options.width(stage);
            int heads = options.heads().get(stage);
            long tokens = options.window() * options.window();
            ScaledDotProductAttention attention = new ScaledDotProductAttention(heads, dim / heads);
            TokenGrid grid = new TokenGrid(graph.shape(windows, 0, 2));
            Value rows = graph.reshape(windows, -1, dim);
            String self = prefix + "self.";
            Value q = attention.split(graph, Linear.load(parameters, self + "query", dim, dim,
                    options.queryKeyValueBias()).apply(graph, rows), grid);
            Value k = attention.split(graph, Linear.load(parameters, self + "key", dim, dim,
                    options.queryKeyValueBias()).apply(graph, rows), grid);
            Value v = attention.split(graph, Linear.load(parameters, self + "value", dim, dim,
                    options.queryKeyValueBias()).apply(graph, rows), grid);
            Value bias = relativePositionBias(self + "relative_position_bias_table", heads);
            Value context = ScaledDotProductAttention.attend(graph, q, graph.transpose(k, 0, 1, 3, 2), v,
                    ScoreScale.bySquareRootOf(dim / heads), scores -> {
                        Value biased = graph.add(scores, bias);
                        if (regionMask == null) {
                            return biased;
                        }
                        // scores viewed [batch, windows, heads, N, N] + mask [windows, 1, N, N]
                        Value perImage = graph.reshape(biased, graph.concat(0, graph.constant(-1L),
                                graph.shape(regionMask, 0, 1), graph.constant((long) heads, tokens, tokens)));
                        return graph.reshape(graph.add(perImage, graph.unsqueeze(regionMask, 1)), -1, heads, tokens,
                                tokens);
                    });
            Value merged = attention.merge(graph, context);
            return graph.reshape(Linear.load(parameters, prefix + "output.dense", dim, dim).apply(graph, merged),
                    -1, tokens, dim);
        }

        /**
         * {@code relative_position_bias_table[relative_position_index]} as {@code [heads, N, N]}: the index of tokens
         * {@code i, j} of a window is {@code (Δrow + window − 1) · (2 · window − 1) + (Δcolumn + window − 1)}.
         */
        private Value relativePositionBias(String name, int heads) {
            int window = Math.toIntExact(options.window());
            int tokens = window * window;
            long[] index = new long[tokens * tokens];
            for (int i = 0; i < tokens; i++) {
                for (int j = 0; j < tokens; j++) {
                    long rows = i / window - j / window + window - 1;
                    long columns = i % window - j % window + window - 1;
                    index[i * tokens + j] = rows * (2L * window - 1) + columns;
                }
            }
            long side = 2L * window - 1;
            Value table = parameters.tensor(name, side * side, heads);
            Value gathered = graph.gather(table, graph.constant(TensorData.ofLongs(index, tokens, tokens)), 0);
            return graph.transpose(gathered, 2, 0, 1);
        }

        /** {@code SwinPatchMerging}: grid padded to even sizes, 2 × 2 neighbours concatenated, norm, reduction. */
        private Value merge(int stage, String prefix, Value tokens) {
            long dim = options.width(stage);
            Value batch = graph.shape(tokens, 0, 1);
            Value grid = graph.reshape(tokens, graph.concat(0, batch, height, width, graph.constant(dim)));
            Value two = graph.constant(2L);
            Value zero = graph.constant(0L);
            Value padded = graph.pad(grid, graph.concat(0, zero, zero, zero, zero, zero, graph.mod(height, two),
                    graph.mod(width, two), zero), PadMode.CONSTANT);
            Value quarters = graph.concat(3,
                    evenOdd(padded, 0, 0), evenOdd(padded, 1, 0), evenOdd(padded, 0, 1), evenOdd(padded, 1, 1));
            Value flat = graph.reshape(quarters, graph.concat(0, batch, graph.constant(-1L, 4 * dim)));
            Value normalized = LayerNorm.load(parameters, prefix + "norm", 4 * dim, SwinOptions.TORCH_LAYER_NORM_EPS)
                    .apply(graph, flat);
            height = graph.div(graph.add(height, graph.constant(1L)), two);
            width = graph.div(graph.add(width, graph.constant(1L)), two);
            return Linear.load(parameters, prefix + "reduction", 4 * dim, 2 * dim, Bias.WITHOUT_BIAS)
                    .applyToLastAxis(graph, normalized);
        }

        /** {@code grid[:, row::2, column::2, :]}. */
        private Value evenOdd(Value grid, long row, long column) {
            return graph.slice(graph.slice(grid, 1, row, Long.MAX_VALUE, 2), 2, column, Long.MAX_VALUE, 2);
        }

        /**
         * {@code SwinForMaskedImageModeling}: the tokens as a square grid of side {@code floor(√tokens)}, a 1 × 1
         * convolution to {@code encoder_stride² · num_channels} channels, then PixelShuffle({@code encoder_stride}).
         */
        Value reconstruction() {
            long features = options.features();
            Value states = graph.transpose(encode(), 0, 2, 1);
            Value batch = graph.shape(states, 0, 1);
            ElementType f = ElementType.FLOAT;
            Value side = graph.cast(graph.floor(graph.sqrt(graph.cast(graph.shape(states, 2, 3), f))),
                    ElementType.INT64);
            Value cells = graph.concat(0, side, side);
            Value image = graph.reshape(states, graph.concat(0, batch, graph.constant(features), cells));
            long stride = options.encoderStride();
            long channels = options.channels();
            Value decoded = Convolution.withBias(parameters, "decoder.0", features, stride * stride * channels,
                    Window.of(1, 1), 1).apply(graph, image);
            // PixelShuffle(r): [b, c·r², h, w] → [b, c, r, r, h, w] → [b, c, h, r, w, r] → [b, c, h·r, w·r]
            Value split = graph.reshape(decoded, graph.concat(0, batch, graph.constant(channels, stride, stride),
                    cells));
            Value interleaved = graph.transpose(split, 0, 1, 4, 2, 5, 3);
            return graph.reshape(interleaved, graph.concat(0, batch, graph.constant(channels),
                    graph.mul(cells, graph.constant(stride, stride))));
        }
    }
}
