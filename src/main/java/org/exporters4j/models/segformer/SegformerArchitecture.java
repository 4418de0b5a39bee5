package org.exporters4j.models.segformer;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.UnaryOperator;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BatchNorm;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.OutputAxes;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.ResizeMode;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds SegFormer graphs from the checkpoint's weights, as Transformers 4.25.1 computes the model in eval mode. Each
 * of the {@code num_encoder_blocks} stages embeds its input with an overlapping Conv (kernel {@code patch_sizes[i]},
 * stride {@code strides[i]}, padding kernel // 2) and a layer norm, runs {@code depths[i]} layers (efficient
 * self-attention whose keys and values come from the input reduced by a {@code sr_ratios[i]}-strided Conv and a layer
 * norm; Mix-FFN: dense, 3×3 depthwise Conv, {@code hidden_act}, dense; pre-norm residuals), normalizes and reshapes
 * the tokens back to an image. Every layer norm uses PyTorch's default ε = 1e-5, as Transformers builds them
 * ({@code layer_norm_eps} is not read by these modules).
 *
 * <p>Heads: the last stage ({@code last_hidden_state}); image classification (the mean over positions, then
 * {@code classifier}); semantic segmentation (SegformerDecodeHead: each stage projected to
 * {@code decoder_hidden_size}, bilinearly resized to the first stage's size, concatenated last stage first, fused by a
 * 1×1 Conv, batch norm and ReLU, then the 1×1 {@code classifier}; logits at a quarter of the input size).
 */
public final class SegformerArchitecture extends EncoderArchitecture<Value, SegformerOptions> {
    private static final String MODEL_TYPE = "segformer";
    private static final double EPSILON = 1e-5;

    public SegformerArchitecture() {
        super(MODEL_TYPE, MODEL_TYPE, EnumSet.of(Head.BASE, Head.IMAGE_CLASSIFICATION, Head.SEMANTIC_SEGMENTATION),
                new BaseModel("segformer", "encoder.patch_embeddings.0.proj.weight"), PixelInputs::declare,
                SegformerOptions::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, SegformerOptions options, String base,
                              Value pixels) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        Encoder encoder = new Encoder(graph, parameters, options, base);
        // every head reads the encoder, so it is built up front
        List<Value> stages = graph.inScope("segformer", () -> encoder.encode(pixels));
        long last = options.hiddenSizes().get(options.stages() - 1);
        Value lastStage = stages.get(options.stages() - 1);
        boolean image = options.lastStage() == SegformerOptions.LastStage.IMAGE;
        Dim follows = Dim.unknown();
        switch (build.head()) {
            case BASE -> {
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", OutputAxes.unpinned(graph, lastStage, image ? 4 : 3),
                            image ? List.of(follows, Dim.of(last), follows, follows)
                                    : List.of(follows, follows, Dim.of(last)));
                }
            }
            case IMAGE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    EncoderHeads.imageClassification(build, config, "classifier", last, image
                            ? graph.reduceMean(lastStage, KeepDims.NO, 2, 3)
                            : graph.reduceMean(lastStage, KeepDims.NO, 1));
                }
            }
            case SEMANTIC_SEGMENTATION -> {
                if (!image) {
                    // SegformerDecodeHead (4.25.1) views 3-D last-stage tokens as a square of side
                    // sqrt(shape[-1]), the channel count, which holds only by coincidence
                    throw new UnsupportedConfigException(config.source() + " sets reshape_last_stage false, which "
                            + "the semantic-segmentation head does not build (Transformers' decode head reshapes the "
                            + "last stage's tokens by its channel count); set \"reshape_last_stage\": true, the "
                            + "default, which computes the same encoder");
                }
                if (build.wants("logits")) {
                    long labels = EncoderHeads.labels(parameters, "decode_head.classifier.weight", config);
                    build.output("logits", OutputAxes.unpinned(graph, decode(graph, parameters, options, stages,
                            labels), 4), follows, Dim.of(labels), follows, follows);
                }
            }
            default -> throw new ArchitectureException(MODEL_TYPE + " has no " + build.head() + " head");
        }
    }

    /** SegformerDecodeHead on the stages' outputs (images), {@code [batch, labels, h₀, w₀]}. */
    private static Value decode(OnnxGraphBuilder graph, Parameters parameters, SegformerOptions options,
                                List<Value> stages, long labels) {
        long decoder = options.decoderHiddenSize();
        Value firstSize = graph.shape(stages.get(0), 2, 4);
        List<Value> projected = new ArrayList<>();
        for (int stage = 0; stage < options.stages(); stage++) {
            Value image = stages.get(stage);
            long channels = options.hiddenSizes().get(stage);
            Value batch = graph.shape(image, 0, 1);
            Value size = graph.shape(image, 2, 4);
            // SegformerMLP: flatten(2).transpose(1, 2), then proj; back to [batch, decoder, h, w]
            Value rows = graph.reshape(graph.transpose(graph.reshape(image, graph.concat(0, batch,
                    graph.constant(channels, -1))), 0, 2, 1), -1, channels);
            Value mlp = Linear.load(parameters, "decode_head.linear_c." + stage + ".proj", channels, decoder)
                    .apply(graph, rows);
            Value tokens = graph.reshape(mlp, graph.concat(0, batch, graph.constant(-1, decoder)));
            Value restored = graph.reshape(graph.transpose(tokens, 0, 2, 1),
                    graph.concat(0, batch, graph.constant(decoder), size));
            projected.add(0, graph.resize(restored, graph.concat(0, batch, graph.constant(decoder), firstSize),
                    ResizeMode.LINEAR));
        }
        Value fused = Convolution.withoutBias(parameters, "decode_head.linear_fuse", decoder * options.stages(),
                decoder, Window.of(1, 1), 1).apply(graph, graph.concat(1, projected));
        Value activated = graph.relu(BatchNorm.load(parameters, "decode_head.batch_norm", decoder,
                BatchNorm.DEFAULT_EPSILON).apply(graph, fused));
        return Convolution.withBias(parameters, "decode_head.classifier", decoder, labels, Window.of(1, 1), 1)
                .apply(graph, activated);
    }

    /** The Mix Transformer encoder of one graph. */
    private record Encoder(OnnxGraphBuilder graph, Parameters parameters, SegformerOptions options, String base) {

        /** Every stage's output: images {@code [batch, c, h, w]} (the last as tokens when so configured). */
        List<Value> encode(Value pixels) {
            List<Value> stages = new ArrayList<>();
            Value image = pixels;
            long previous = options.channels();
            for (int stage = 0; stage < options.stages(); stage++) {
                int index = stage;
                long inChannels = previous;
                Value input = image;
                Value output = graph.inScope("encoder.stage." + stage, () -> stage(index, inChannels, input));
                stages.add(output);
                image = output;
                previous = options.hiddenSizes().get(stage);
            }
            return List.copyOf(stages);
        }

        private Value stage(int stage, long inChannels, Value image) {
            long channels = options.hiddenSizes().get(stage);
            long kernel = options.patchSizes().get(stage);
            String embeddings = base + "encoder.patch_embeddings." + stage;
            Value embedded = Convolution.withBias(parameters, embeddings + ".proj", inChannels, channels,
                    Convolution.square(kernel, options.strides().get(stage), kernel / 2, 1), 1).apply(graph, image);
            Value batch = graph.shape(embedded, 0, 1);
            Value size = graph.shape(embedded, 2, 4);
            Value rows = graph.reshape(graph.transpose(graph.reshape(embedded, graph.concat(0, batch,
                    graph.constant(channels, -1))), 0, 2, 1), -1, channels);
            rows = LayerNorm.load(parameters, embeddings + ".layer_norm", channels, EPSILON).apply(graph, rows);
            Grid grid = new Grid(batch, size);
            for (int layer = 0; layer < options.depths().get(stage); layer++) {
                rows = layer(base + "encoder.block." + stage + "." + layer + ".", stage, rows, grid);
            }
            rows = LayerNorm.load(parameters, base + "encoder.layer_norm." + stage, channels, EPSILON)
                    .apply(graph, rows);
            if (stage == options.stages() - 1 && options.lastStage() == SegformerOptions.LastStage.TOKENS) {
                return graph.reshape(rows, graph.concat(0, batch, graph.constant(-1, channels)));
            }
            // reshape(batch, h, w, c).permute(0, 3, 1, 2)
            return graph.transpose(graph.reshape(rows, graph.concat(0, batch, size, graph.constant(channels))),
                    0, 3, 1, 2);
        }

        /** SegformerLayer: pre-norm efficient attention and Mix-FFN, each with a residual. */
        private Value layer(String prefix, int stage, Value rows, Grid grid) {
            long channels = options.hiddenSizes().get(stage);
            Value attended = attention(prefix + "attention.", stage,
                    LayerNorm.load(parameters, prefix + "layer_norm_1", channels, EPSILON).apply(graph, rows), grid);
            Value hidden = graph.add(attended, rows);
            long expanded = (long) channels * options.mlpRatios().get(stage);
            Value mlp = Linear.load(parameters, prefix + "mlp.dense1", channels, expanded).apply(graph,
                    LayerNorm.load(parameters, prefix + "layer_norm_2", channels, EPSILON).apply(graph, hidden));
            Value convolved = grid.toRows(graph, Convolution.withBias(parameters, prefix + "mlp.dwconv.dwconv", expanded,
                    expanded, Convolution.square(3, 1, 1, 1), expanded).apply(graph, grid.toImage(graph, mlp,
                    expanded)), expanded);
            Value activated = options.activation().apply(graph, convolved);
            Value output = Linear.load(parameters, prefix + "mlp.dense2", expanded, channels).apply(graph, activated);
            return graph.add(output, hidden);
        }

        /** SegformerEfficientSelfAttention and its output projection, rows in, rows out. */
        private Value attention(String prefix, int stage, Value rows, Grid grid) {
            long channels = options.hiddenSizes().get(stage);
            long heads = options.heads().get(stage);
            long headSize = channels / heads;
            int reduction = options.srRatios().get(stage);
            Value context = rows;
            if (reduction > 1) {
                Value reduced = Convolution.withBias(parameters, prefix + "self.sr", channels, channels,
                        Window.of(reduction, reduction).withStrides(reduction, reduction), 1)
                        .apply(graph, grid.toImage(graph, rows, channels));
                context = LayerNorm.load(parameters, prefix + "self.layer_norm", channels, EPSILON)
                        .apply(graph, grid.toRows(graph, reduced, channels));
            }
            Value headShape = graph.concat(0, grid.batch(), graph.constant(-1, heads, headSize));
            Value query = graph.transpose(graph.reshape(Linear.load(parameters, prefix + "self.query", channels,
                    channels).apply(graph, rows), headShape), 0, 2, 1, 3);
            Value keyT = graph.transpose(graph.reshape(Linear.load(parameters, prefix + "self.key", channels,
                    channels).apply(graph, context), headShape), 0, 2, 3, 1);
            Value value = graph.transpose(graph.reshape(Linear.load(parameters, prefix + "self.value", channels,
                    channels).apply(graph, context), headShape), 0, 2, 1, 3);
            Value attended = ScaledDotProductAttention.attend(graph, query, keyT, value,
                    ScoreScale.bySquareRootOf(headSize), UnaryOperator.identity());
            Value merged = graph.reshape(graph.transpose(attended, 0, 2, 1, 3), -1, channels);
            return Linear.load(parameters, prefix + "output.dense", channels, channels).apply(graph, merged);
        }
    }

    /** The runtime batch and {@code [height, width]} of a stage, to move between rows and images. */
    private record Grid(Value batch, Value size) {
        /** Rows {@code [batch × h × w, c]} as the image {@code [batch, c, h, w]} (transpose(1, 2).view(b, c, h, w)). */
        Value toImage(OnnxGraphBuilder graph, Value rows, long channels) {
            Value tokens = graph.reshape(rows, graph.concat(0, batch, graph.constant(-1, channels)));
            return graph.reshape(graph.transpose(tokens, 0, 2, 1), graph.concat(0, batch, graph.constant(channels), size));
        }

        /** An image {@code [batch, c, h', w']} as rows {@code [batch × h' × w', c]} (flatten(2).transpose(1, 2)). */
        Value toRows(OnnxGraphBuilder graph, Value image, long channels) {
            Value flat = graph.reshape(image, graph.concat(0, batch, graph.constant(channels, -1)));
            return graph.reshape(graph.transpose(flat, 0, 2, 1), -1, channels);
        }
    }
}
