package org.exporters4j.models.beit;

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
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.blocks.VisionTransformerLayer;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds BEiT-family graphs (beit, data2vec-vision) from the checkpoint's weights, as Transformers 4.25.1 computes
 * the model in eval mode: patch embeddings, the class token, absolute position embeddings when
 * {@code use_absolute_position_embeddings}, {@code num_hidden_layers} pre-norm layers whose key projection has no
 * bias, whose attention scores add the relative position bias (the layer's own when {@code use_relative_position_bias},
 * the encoder's shared one when {@code use_shared_relative_position_bias}) and whose branches are scaled by
 * {@code lambda_1} / {@code lambda_2} when {@code layer_scale_init_value > 0}; then the final {@code layernorm}
 * (the identity when {@code use_mean_pooling}) and the head.
 *
 * <p>The relative position bias is defined on the patch grid of {@code image_size}, so the image must have that
 * size (as in Transformers 4.25.1, where other sizes fail).
 */
public final class BeitArchitecture extends EncoderArchitecture<Value, BeitOptions> {
    private final BeitFlavor flavor;

    /** @param heads the heads Optimum v1.5.2 exports for the type */
    public BeitArchitecture(String modelType, BeitFlavor flavor, Set<Head> heads) {
        super(modelType, "beit", heads,
                new BaseModel(flavor.basePrefix(), "embeddings.patch_embeddings.projection.weight"),
                PixelInputs::declare, BeitOptions::read);
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, BeitOptions options, String base, Value pixels) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        Encoder encoder = new Encoder(graph, parameters, options, base, pixels);
        long hidden = options.hidden();
        Dim follows = Dim.unknown();
        switch (build.head()) {
            case BASE -> {
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", encoder.grid().unflatten(graph, encoder.sequence(), hidden),
                            follows, follows, Dim.of(hidden));
                }
                if (options.meanPooling().on() && parameters.contains(base + "pooler.layernorm.weight")
                        && build.wants("pooler_output")) {
                    build.output("pooler_output", encoder.pooled(), follows, Dim.of(hidden));
                }
            }
            case IMAGE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    EncoderHeads.classification(build, config, hidden, encoder.pooled());
                }
            }
            default -> throw new ArchitectureException(modelType() + " has no " + build.head() + " head");
        }
    }

    /** One graph under construction. */
    private static final class Encoder {
        private final OnnxGraphBuilder graph;
        private final Parameters parameters;
        private final BeitOptions options;
        private final String base;
        private final Value pixels;
        private TokenGrid grid;
        private Value rows;

        Encoder(OnnxGraphBuilder graph, Parameters parameters, BeitOptions options, String base, Value pixels) {
            this.graph = graph;
            this.parameters = parameters;
            this.options = options;
            this.base = base;
            this.pixels = pixels;
        }

        TokenGrid grid() {
            sequence();
            return grid;
        }

        /** The final hidden states as rows {@code [batch × tokens, hidden]}, computed once. */
        Value sequence() {
            if (rows != null) {
                return rows;
            }
            long hidden = options.hidden();
            Value tokens = graph.inScope("embeddings", this::embeddings);
            grid = new TokenGrid(graph.shape(tokens, 0, 2));
            Value states = graph.reshape(tokens, -1, hidden);
            Value index = options.relativeBias().on() || options.sharedRelativeBias().on()
                    ? graph.constant(relativePositionIndex(options.window())) : null;
            Optional<Value> shared = options.sharedRelativeBias().on()
                    ? Optional.of(relativeBias(base + "encoder.relative_position_bias", index))
                    : Optional.empty();
            for (int layer = 0; layer < options.layers(); layer++) {
                String prefix = base + "encoder.layer." + layer + ".";
                Optional<Value> bias = shared;
                if (options.relativeBias().on()) {
                    Value own = relativeBias(prefix + "attention.attention.relative_position_bias", index);
                    bias = Optional.of(shared.map(s -> graph.add(own, s)).orElse(own));
                }
                Value input = states;
                Optional<Value> layerBias = bias;
                states = graph.inScope("encoder.layer." + layer, () -> VisionTransformerLayer
                        .load(parameters, graph, prefix, options.dimensions())
                        .apply(graph, input, grid, layerBias));
            }
            // BeitModel.layernorm is nn.Identity when use_mean_pooling (the pooler normalizes instead)
            rows = options.meanPooling().on()
                    ? states
                    : LayerNorm.load(parameters, base + "layernorm", hidden, options.dimensions().layerNormEps())
                            .apply(graph, states);
            return rows;
        }

        /**
         * BeitPooler: with {@code use_mean_pooling}, {@code pooler.layernorm} of the mean of the patch tokens;
         * otherwise the class token's final hidden state. {@code [batch, hidden]}.
         */
        Value pooled() {
            long hidden = options.hidden();
            Value states = grid().unflatten(graph, sequence(), hidden);
            if (!options.meanPooling().on()) {
                return graph.gather(states, graph.scalar(0), 1);
            }
            Value mean = graph.reduceMean(graph.slice(states, 1, 1, Long.MAX_VALUE), KeepDims.NO, 1);
            return LayerNorm.load(parameters, base + "pooler.layernorm", hidden, options.dimensions().layerNormEps())
                    .apply(graph, mean);
        }

        /** {@code [batch, tokens, hidden]}: the class token and the flattened patches (+ absolute positions). */
        private Value embeddings() {
            String prefix = base + "embeddings.";
            long hidden = options.hidden();
            ImageSize patch = options.patchSize();
            Window window = Window.of(patch.height(), patch.width()).withStrides(patch.height(), patch.width());
            Value patchGrid = Convolution.withBias(parameters, prefix + "patch_embeddings.projection",
                    options.channels(), hidden, window, 1).apply(graph, pixels);
            Value batch = graph.shape(pixels, 0, 1);
            Value patches = graph.transpose(graph.reshape(patchGrid, graph.concat(0, batch, graph.constant(hidden, -1))),
                    0, 2, 1);
            Value classToken = graph.expand(parameters.tensor(prefix + "cls_token", 1, 1, hidden),
                    graph.concat(0, batch, graph.constant(1, hidden)));
            Value tokens = graph.concat(1, classToken, patches);
            if (options.absolutePositions().on()) {
                tokens = graph.add(tokens, parameters.tensor(prefix + "position_embeddings", 1, options.tokens(), hidden));
            }
            return tokens;
        }

        /**
         * BeitRelativePositionBias: the learned table {@code [(2Wh−1)(2Ww−1) + 3, heads]} gathered by the relative
         * position index and permuted to {@code [heads, tokens, tokens]}.
         */
        private Value relativeBias(String prefix, Value index) {
            ImageSize window = options.window();
            long distances = (2L * window.height() - 1) * (2L * window.width() - 1) + 3;
            Value table = parameters.tensor(prefix + ".relative_position_bias_table", distances,
                    options.dimensions().heads());
            return graph.transpose(graph.gather(table, index, 0), 2, 0, 1);
        }
    }

    /**
     * The relative position index of BeitRelativePositionBias for a {@code Wh × Ww} window: between patches, the
     * offset {@code (Δh + Wh − 1) · (2Ww − 1) + (Δw + Ww − 1)}; the class token's row, column and corner use the
     * three extra entries {@code D − 3}, {@code D − 2}, {@code D − 1} of a table with {@code D} rows.
     */
    static TensorData relativePositionIndex(ImageSize window) {
        int wh = window.height();
        int ww = window.width();
        int patches = wh * ww;
        int tokens = patches + 1;
        long distances = (2L * wh - 1) * (2L * ww - 1) + 3;
        long[] index = new long[tokens * tokens];
        for (int i = 0; i < patches; i++) {
            for (int j = 0; j < patches; j++) {
                long dh = i / ww - j / ww + wh - 1;
                long dw = i % ww - j % ww + ww - 1;
                index[(i + 1) * tokens + (j + 1)] = dh * (2L * ww - 1) + dw;
            }
        }
        for (int j = 0; j < tokens; j++) {
            index[j] = distances - 3; // class token to every token
            index[j * tokens] = distances - 2; // every token to the class token
        }
        index[0] = distances - 1;
        return TensorData.ofLongs(index, tokens, tokens);
    }
}
