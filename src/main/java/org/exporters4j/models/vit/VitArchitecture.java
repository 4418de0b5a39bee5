package org.exporters4j.models.vit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.ImageSize;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.blocks.VisionTransformerLayer;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.ResizeMode;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds ViT-family graphs (vit, deit, yolos) from the checkpoint's weights, as Transformers 4.25.1 computes the
 * model in eval mode: patch embeddings ({@code Conv2d} with kernel and stride {@code patch_size}, flattened to
 * tokens), the class token (DeiT's distillation token, YOLOS's detection tokens), position embeddings,
 * {@code num_hidden_layers} pre-norm layers, the final {@code layernorm}, then the head.
 *
 * <p>ViT and DeiT add their position table as stored, so the image must have the config's {@code image_size}
 * (Transformers raises otherwise; here ONNX Runtime rejects the addition). YOLOS interpolates its table to the
 * input's patch grid (bicubic, as {@code InterpolateInitialPositionEmbeddings}), so it takes any size.
 */
public final class VitArchitecture extends EncoderArchitecture<Value, VitOptions> {
    private final VitFlavor flavor;

    /** @param heads the heads Optimum v1.5.2 exports for the type */
    public VitArchitecture(String modelType, VitFlavor flavor, Set<Head> heads) {
        super(modelType, "vit", heads,
                new BaseModel(flavor.basePrefix(), "embeddings.patch_embeddings.projection.weight"),
                PixelInputs::declare, config -> VitOptions.read(config, flavor));
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, VitOptions options, String base, Value pixels) {
        Encoder encoder = new Encoder(build.graph(), build.parameters(), options, base, pixels);
        encoder.addHeadOutputs(build, config);
    }

    /** One graph under construction. */
    private final class Encoder {
        private final OnnxGraphBuilder graph;
        private final Parameters parameters;
        private final VitOptions options;
        private final String base;
        private final Value pixels;
        /** Patch embeddings before flattening, {@code [batch, hidden, grid_h, grid_w]}. */
        private Value patchGrid;
        private TokenGrid grid;
        private Value rows;

        Encoder(OnnxGraphBuilder graph, Parameters parameters, VitOptions options, String base, Value pixels) {
            this.graph = graph;
            this.parameters = parameters;
            this.options = options;
            this.base = base;
            this.pixels = pixels;
        }

        /** The final layer-normalized hidden states as rows {@code [batch × tokens, hidden]}, computed once. */
        Value sequence() {
            if (rows == null) {
                Value tokens = graph.inScope("embeddings", this::embeddings);
                grid = new TokenGrid(graph.shape(tokens, 0, 2));
                Value hidden = graph.reshape(tokens, -1, options.hidden());
                Optional<Value> mid = options.midPositionEmbeddings() == VitOptions.MidPositions.PRESENT
                        && options.layers() > 1
                        ? Optional.of(interpolatedPositions(base + "encoder.mid_position_embeddings",
                                options.layers() - 1))
                        : Optional.empty();
                for (int layer = 0; layer < options.layers(); layer++) {
                    String prefix = base + "encoder.layer." + layer + ".";
                    Value input = hidden;
                    hidden = graph.inScope("encoder.layer." + layer, () -> VisionTransformerLayer
                            .load(parameters, graph, prefix, options.dimensions())
                            .apply(graph, input, grid, Optional.empty()));
                    if (mid.isPresent() && layer < options.layers() - 1) {
                        // YolosEncoder adds the layer's interpolated mid position embeddings [1, tokens, hidden]
                        Value table = graph.squeeze(graph.gather(mid.get(), graph.constant(layer), 0), 0);
                        hidden = graph.reshape(graph.add(grid.unflatten(graph, hidden, options.hidden()), table),
                                -1, options.hidden());
                    }
                }
                rows = LayerNorm.load(parameters, base + "layernorm", options.hidden(),
                        options.dimensions().layerNormEps()).apply(graph, hidden);
            }
            return rows;
        }

        /** {@code [batch, tokens, hidden]}: the learned tokens and the flattened patches, plus positions. */
        private Value embeddings() {
            String prefix = base + "embeddings.";
            long hidden = options.hidden();
            ImageSize patch = options.patchSize();
            Window window = Window.of(patch.height(), patch.width()).withStrides(patch.height(), patch.width());
            patchGrid = Convolution.withBias(parameters, prefix + "patch_embeddings.projection", options.channels(),
                    hidden, window, 1).apply(graph, pixels);
            Value batch = graph.shape(pixels, 0, 1);
            // flatten(2).transpose(1, 2): [batch, patches, hidden]
            Value patches = graph.transpose(graph.reshape(patchGrid, graph.concat(0, batch, graph.constant(hidden, -1))),
                    0, 2, 1);
            List<Value> parts = new ArrayList<>();
            parts.add(token(prefix + "cls_token", 1, batch));
            if (flavor.tokens() == VitFlavor.Tokens.CLASS_AND_DISTILLATION) {
                parts.add(token(prefix + "distillation_token", 1, batch));
            }
            parts.add(patches);
            if (flavor.tokens().hasDetectionTokens()) {
                parts.add(token(prefix + "detection_tokens", options.detectionTokens(), batch));
            }
            Value tokens = graph.concat(1, parts);
            Value positions = flavor.tokens().hasDetectionTokens()
                    ? graph.squeeze(interpolatedPositions(prefix + "position_embeddings", 0), 0)
                    : parameters.tensor(prefix + "position_embeddings", 1, tokenCount(), hidden);
            return graph.add(tokens, positions);
        }

        /** Tokens of an image of the config's size: the learned ones and the patches. */
        private long tokenCount() {
            return flavor.tokens().leading() + options.patches() + options.detectionTokens();
        }

        /** A learned {@code [1, count, hidden]} token table expanded over the batch. */
        private Value token(String name, long count, Value batch) {
            Value table = parameters.tensor(name, 1, count, options.hidden());
            return graph.expand(table, graph.concat(0, batch, graph.constant(count, options.hidden())));
        }

        /**
         * YOLOS's position tables interpolated to the input's patch grid, as {@code InterpolateInitialPositionEmbeddings}
         * ({@code depth} 0: the table {@code [1, tokens, hidden]}) and {@code InterpolateMidPositionEmbeddings}
         * ({@code depth} ≥ 1: {@code [depth, 1, tokens, hidden]}): the class and detection rows are kept, the patch
         * rows are viewed as the config's grid and resized bicubically to {@code (height // patch, width // patch)}.
         * Returns {@code [max(depth, 1), 1, tokens', hidden]}.
         */
        private Value interpolatedPositions(String name, int depth) {
            long hidden = options.hidden();
            long stored = tokenCount();
            Value table = depth == 0
                    ? graph.unsqueeze(parameters.tensor(name, 1, stored, hidden), 0)
                    : parameters.tensor(name, depth, 1, stored, hidden);
            long layers = Math.max(depth, 1);
            long detection = options.detectionTokens();
            Value classRow = graph.slice(table, 2, 0, 1);
            Value detectionRows = graph.slice(table, 2, stored - detection, stored);
            ImageSize cells = options.imageSize().cells(options.patchSize());
            Value patchRows = graph.reshape(graph.transpose(graph.slice(table, 2, 1, stored - detection), 0, 1, 3, 2),
                    layers, hidden, cells.height(), cells.width());
            Value inputCells = graph.div(graph.shape(pixels, 2, 4),
                    graph.constant(options.patchSize().height(), options.patchSize().width()));
            Value resized = graph.resize(patchRows, graph.concat(0, graph.constant(layers, hidden), inputCells),
                    ResizeMode.CUBIC);
            Value flattened = graph.transpose(graph.reshape(resized, layers, 1, hidden, -1), 0, 1, 3, 2);
            return graph.concat(2, classRow, flattened, detectionRows);
        }

        void addHeadOutputs(GraphBuild build, ModelConfig config) {
            Head head = build.head();
            long hidden = options.hidden();
            Dim follows = Dim.unknown();
            switch (head) {
                case BASE -> {
                    if (build.wants("last_hidden_state")) {
                        build.output("last_hidden_state", grid().unflatten(graph, sequence(), hidden), follows,
                                follows, Dim.of(hidden));
                    }
                    if (parameters.contains(base + "pooler.dense.weight") && build.wants("pooler_output")) {
                        // ViTPooler: tanh(dense(first token))
                        build.output("pooler_output", graph.tanh(Linear.load(parameters, base + "pooler.dense",
                                hidden, hidden).apply(graph, firstToken(0))), follows, Dim.of(hidden));
                    }
                }
                case IMAGE_CLASSIFICATION -> {
                    if (!build.wants("logits")) {
                        return;
                    }
                    if (config.architectures().contains("DeiTForImageClassificationWithTeacher")) {
                        // DeiTForImageClassificationWithTeacher in eval: the mean of the class and distillation heads
                        long labels = EncoderHeads.labels(parameters, "cls_classifier.weight", config);
                        build.output("logits", graph.div(graph.add(
                                        Linear.load(parameters, "cls_classifier", hidden, labels)
                                                .apply(graph, firstToken(0)),
                                        Linear.load(parameters, "distillation_classifier", hidden, labels)
                                                .apply(graph, firstToken(1))),
                                graph.scalar(ElementType.FLOAT, 2.0)), follows, Dim.of(labels));
                    } else {
                        EncoderHeads.classification(build, config, hidden, firstToken(0));
                    }
                }
                case MASKED_IM -> {
                    if (build.wants("logits")) {
                        build.output("logits", reconstruction(), follows, Dim.of(options.channels()), follows,
                                follows);
                    }
                }
                case OBJECT_DETECTION -> {
                    long classes = detectionClasses(config);
                    boolean logits = build.wants("logits");
                    boolean boxes = build.wants("pred_boxes");
                    if (!logits && !boxes) {
                        return;
                    }
                    Value detections = graph.reshape(graph.slice(grid().unflatten(graph, sequence(), hidden), 1,
                            -options.detectionTokens(), Long.MAX_VALUE), -1, hidden);
                    if (logits) {
                        build.output("logits", perDetection(predictionHead("class_labels_classifier", detections,
                                classes), classes), follows, follows, Dim.of(classes));
                    }
                    if (boxes) {
                        build.output("pred_boxes", perDetection(graph.sigmoid(predictionHead("bbox_predictor",
                                detections, 4)), 4), follows, follows, Dim.of(4));
                    }
                }
                default -> throw new ArchitectureException(modelType() + " has no " + head + " head");
            }
        }

        /**
         * YolosForObjectDetection scores {@code num_labels + 1} classes (the last is "no object"); the checkpoint's
         * classifier must agree with config.json, as Transformers checks when it loads the weights.
         */
        private long detectionClasses(ModelConfig config) {
            String weight = "class_labels_classifier.layers.2.weight";
            long classes = parameters.dimension(weight, 0);
            if (classes != config.numLabels() + 1L) {
                throw new ArchitectureException("tensor '" + weight + "' scores " + classes + " classes but "
                        + config.source() + " declares " + config.numLabels() + " labels (id2label / num_labels), "
                        + "which YOLOS scores with one more for \"no object\"; fix config.json or use the checkpoint "
                        + "it was saved with");
            }
            return classes;
        }

        private TokenGrid grid() {
            sequence();
            return grid;
        }

        /** The hidden state of token {@code index} of each image, {@code [batch, hidden]}. */
        private Value firstToken(long index) {
            return graph.gather(grid().unflatten(graph, sequence(), options.hidden()), graph.scalar(index), 1);
        }

        /**
         * ViTForMaskedImageModeling's decoder: the patch tokens ({@code [:, 1:]}; DeiT {@code [:, 1:-1]}) as an
         * image {@code [batch, hidden, grid_h, grid_w]}, a 1×1 Conv to {@code encoder_stride² · num_channels}
         * channels, then PixelShuffle({@code encoder_stride}).
         */
        private Value reconstruction() {
            long hidden = options.hidden();
            Value states = grid().unflatten(graph, sequence(), hidden);
            long end = flavor.tokens() == VitFlavor.Tokens.CLASS_AND_DISTILLATION ? -1 : Long.MAX_VALUE;
            Value patches = graph.slice(states, 1, 1, end);
            Value batch = graph.shape(pixels, 0, 1);
            Value cells = graph.shape(patchGrid, 2, 4);
            Value image = graph.reshape(graph.transpose(patches, 0, 2, 1),
                    graph.concat(0, batch, graph.constant(hidden), cells));
            long stride = options.encoderStride();
            long channels = options.channels();
            Value decoded = Convolution.withBias(parameters, "decoder.0", hidden, stride * stride * channels,
                    Window.of(1, 1), 1).apply(graph, image);
            // PixelShuffle(r): [b, c·r², h, w] → [b, c, r, r, h, w] → [b, c, h, r, w, r] → [b, c, h·r, w·r]
            Value split = graph.reshape(decoded, graph.concat(0, batch, graph.constant(channels, stride, stride), cells));
            Value interleaved = graph.transpose(split, 0, 1, 4, 2, 5, 3);
            return graph.reshape(interleaved, graph.concat(0, batch, graph.constant(channels),
                    graph.mul(cells, graph.constant(stride, stride))));
        }

        /** YolosMLPPredictionHead with three layers: ReLU after all but the last. */
        private Value predictionHead(String prefix, Value rows, long outputs) {
            long hidden = options.hidden();
            Value first = graph.relu(Linear.load(parameters, prefix + ".layers.0", hidden, hidden).apply(graph, rows));
            Value second = graph.relu(Linear.load(parameters, prefix + ".layers.1", hidden, hidden).apply(graph, first));
            return Linear.load(parameters, prefix + ".layers.2", hidden, outputs).apply(graph, second);
        }

        /**
         * Rows {@code [batch × detection tokens, size]} as {@code [batch, detection tokens, size]}, the token count
         * left to run time (−1): with a constant count ONNX Runtime's shape inference can fix axis 1 and then drops
         * the name Optimum gives it ({@code sequence_length}); it does on the graph that adds the mid-layer position
         * tables ({@code use_mid_position_embeddings: true}).
         */
        private Value perDetection(Value detectionRows, long size) {
            return graph.reshape(detectionRows, graph.concat(0, graph.shape(pixels, 0, 1), graph.constant(-1, size)));
        }
    }
}
