package org.exporters4j.models.dinov2;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.models.blocks.SelfAttention;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.ResizeMode;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds DINOv2 graphs as Transformers 4.51 computes them in eval mode: patch embeddings ({@code Conv2d} with kernel
 * and stride {@code patch_size}), the class token, position embeddings interpolated to the input's patch grid;
 * {@code num_hidden_layers} pre-norm layers ({@code h = x + lambda₁ · attention(norm1(x))}, then
 * {@code h + lambda₂ · mlp(norm2(h))}); the final {@code layernorm}; then the head.
 *
 * <p>Position embeddings: {@code Dinov2Embeddings.interpolate_pos_encoding} resizes the stored patch positions
 * (a square grid) bicubically ({@code align_corners=False}) to {@code (height // patch, width // patch)}, and keeps
 * them as stored when the grid already has that size (Transformers' shortcut when the patch count matches and the
 * image is square; the graph always resizes, as a traced export does, and a resize to the same size is the identity
 * for bicubic weights at whole-pixel offsets, so both give the stored table exactly). So the graph takes any image
 * size, as Transformers does.
 */
public final class Dinov2Architecture extends EncoderArchitecture<Value, Dinov2Options> {
    public Dinov2Architecture() {
        super("dinov2", "dinov2", EncoderHeads.IMAGE_CLASSIFIER_HEADS,
                new BaseModel("dinov2", "embeddings.patch_embeddings.projection.weight"), PixelInputs::declare,
                Dinov2Options::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Dinov2Options options, String base, Value pixels) {
        OnnxGraphBuilder graph = build.graph();
        long hidden = options.hidden();
        switch (build.head()) {
            case BASE -> EncoderHeads.lastHiddenState(build, () -> encode(build, options, base, pixels), hidden);
            case IMAGE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    // Dinov2ForImageClassification: classifier(cat(states[:, 0], states[:, 1:].mean(1)))
                    Value states = encode(build, options, base, pixels);
                    EncoderHeads.classification(build, config, 2 * hidden, graph.concat(1,
                            graph.gather(states, graph.scalar(0), 1),
                            graph.reduceMean(graph.slice(states, 1, 1, Long.MAX_VALUE), KeepDims.NO, 1)));
                }
            }
            default -> throw new IllegalStateException("dinov2 has no " + build.variant() + " graph");
        }
    }

    /** The final layer-normalized hidden states {@code [batch, 1 + patches, hidden]}. */
    private static Value encode(GraphBuild build, Dinov2Options options, String base, Value pixels) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        long hidden = options.hidden();
        Value tokens = graph.inScope("embeddings", () -> embeddings(graph, parameters, options, base, pixels));
        TokenGrid grid = new TokenGrid(graph.shape(tokens, 0, 2));
        Value rows = graph.reshape(tokens, -1, hidden);
        Value last = new LayerStack(base, "encoder.layer", options.layers())
                .apply(graph, rows, (index, prefix, input) -> layer(graph, parameters, options, prefix, input, grid));
        Value normalized = LayerNorm.load(parameters, base + "layernorm", hidden, options.layerNormEps())
                .apply(graph, last);
        return grid.unflatten(graph, normalized, hidden);
    }

    /** {@code [batch, 1 + patches, hidden]}: the class token and the flattened patches, plus positions. */
    private static Value embeddings(OnnxGraphBuilder graph, Parameters parameters, Dinov2Options options, String base,
                                    Value pixels) {
        String prefix = base + "embeddings.";
        long hidden = options.hidden();
        long patch = options.patchSize();
        Value patchGrid = Convolution.withBias(parameters, prefix + "patch_embeddings.projection", options.channels(),
                hidden, Window.of(patch, patch).withStrides(patch, patch), 1).apply(graph, pixels);
        Value batch = graph.shape(pixels, 0, 1);
        // flatten(2).transpose(1, 2): [batch, patches, hidden]
        Value patches = graph.transpose(graph.reshape(patchGrid, graph.concat(0, batch, graph.constant(hidden, -1))),
                0, 2, 1);
        Value classToken = graph.expand(parameters.tensor(prefix + "cls_token", 1, 1, hidden),
                graph.concat(0, batch, graph.constant(1, hidden)));
        long side = options.positionGrid();
        Value table = parameters.tensor(prefix + "position_embeddings", 1, side * side + 1, hidden);
        Value classPosition = graph.slice(table, 1, 0, 1);
        // the patch rows as an image [1, hidden, side, side], resized to the input's patch grid
        Value patchPositions = graph.reshape(graph.transpose(graph.slice(table, 1, 1, Long.MAX_VALUE), 0, 2, 1),
                1, hidden, side, side);
        Value cells = graph.div(graph.shape(pixels, 2, 4), graph.constant(patch, patch));
        Value resized = graph.resize(patchPositions, graph.concat(0, graph.constant(1, hidden), cells),
                ResizeMode.CUBIC);
        Value positions = graph.concat(1, classPosition,
                graph.transpose(graph.reshape(resized, 1, hidden, -1), 0, 2, 1));
        return graph.add(graph.concat(1, classToken, patches), positions);
    }

    /** One Dinov2Layer on rows {@code [batch × tokens, hidden]}. */
    private static Value layer(OnnxGraphBuilder graph, Parameters parameters, Dinov2Options options, String prefix,
                               Value rows, TokenGrid grid) {
        long hidden = options.hidden();
        double eps = options.layerNormEps();
        String attention = prefix + "attention.attention.";
        SelfAttention selfAttention = new SelfAttention(
                Linear.load(parameters, attention + "query", hidden, hidden, options.queryKeyValueBias()),
                Linear.load(parameters, attention + "key", hidden, hidden, options.queryKeyValueBias()),
                Linear.load(parameters, attention + "value", hidden, hidden, options.queryKeyValueBias()),
                Linear.load(parameters, prefix + "attention.output.dense", hidden, hidden),
                options.attention().heads(), options.attention().headSize());
        Value attended = selfAttention.apply(graph,
                LayerNorm.load(parameters, prefix + "norm1", hidden, eps).apply(graph, rows), grid);
        Value residual = graph.add(graph.mul(attended, parameters.tensor(prefix + "layer_scale1.lambda1", hidden)),
                rows);
        Value normalized = LayerNorm.load(parameters, prefix + "norm2", hidden, eps).apply(graph, residual);
        Value fed = feedForward(graph, parameters, options, prefix + "mlp.", normalized);
        return graph.add(graph.mul(fed, parameters.tensor(prefix + "layer_scale2.lambda1", hidden)), residual);
    }

    /** {@code Dinov2MLP} or {@code Dinov2SwiGLUFFN} under {@code prefix} ({@code "...mlp."}). */
    private static Value feedForward(OnnxGraphBuilder graph, Parameters parameters, Dinov2Options options,
                                     String prefix, Value rows) {
        long hidden = options.hidden();
        long inner = options.feedForwardSize();
        return switch (options.feedForward()) {
            case MLP -> Linear.load(parameters, prefix + "fc2", inner, hidden).apply(graph, options.activation()
                    .apply(graph, Linear.load(parameters, prefix + "fc1", hidden, inner).apply(graph, rows)));
            case SWIGLU -> {
                Value both = Linear.load(parameters, prefix + "weights_in", hidden, 2 * inner).apply(graph, rows);
                // hidden_state.chunk(2, dim=-1); nn.functional.silu(x1) * x2
                Value x1 = graph.slice(both, 1, 0, inner);
                Value x2 = graph.slice(both, 1, inner, 2 * inner);
                Value gated = graph.mul(graph.mul(x1, graph.sigmoid(x1)), x2);
                yield Linear.load(parameters, prefix + "weights_out", inner, hidden).apply(graph, gated);
            }
        };
    }
}
