package org.exporters4j.models.siglip;

import java.util.EnumSet;
import java.util.List;
import java.util.function.UnaryOperator;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.SelfAttention;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.clip.ClipArchitecture;
import org.exporters4j.models.clip.ContrastiveOutputs;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds {@code SiglipModel} graphs as Transformers 4.51 computes them in eval mode, for Optimum's
 * feature-extraction and zero-shot-image-classification interface (both export {@code SiglipModel}): the text tower
 * (token + position embeddings, pre-LayerNorm encoder layers attending to every token, as Optimum passes no attention
 * mask; {@code final_layer_norm}; the last token through {@code head}), the vision tower (patch convolution + position
 * embeddings, the encoder, {@code post_layernorm}, the multi-head attention pooling head), both normalised, and
 * {@code logits_per_text = text · imageᵀ · exp(logit_scale) + logit_bias}, {@code logits_per_image} its transpose.
 * The vision position table has one row per patch of an {@code image_size} image, so images must have that size
 * (Transformers fails otherwise unless asked to interpolate, which Optimum's export does not).
 */
public final class SiglipArchitecture extends FamilyArchitecture {
    public SiglipArchitecture() {
        super("siglip", "siglip", withoutPast(EnumSet.of(Head.BASE, Head.ZERO_SHOT_IMAGE_CLASSIFICATION)));
    }

    /** One tower's sizes, from its sub-configuration. */
    private record Tower(AttentionHeads attention, int layers, long intermediate, Activation activation, double eps) {
        static Tower read(ModelConfig config) {
            return new Tower(AttentionHeads.read(config, "hidden_size", "num_attention_heads"),
                    LayerStack.count(config, "num_hidden_layers"), config.intValue("intermediate_size"),
                    Activation.fromConfig(config, "hidden_act"), config.doubleValue("layer_norm_eps"));
        }

        long hidden() {
            return attention.width();
        }
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        ModelConfig textConfig = ClipArchitecture.subConfig(config, "text_config", "siglip_text_model");
        ModelConfig visionConfig = ClipArchitecture.subConfig(config, "vision_config", "siglip_vision_model");
        if (!visionConfig.optionalBoolean("vision_use_head").orElse(true)) {
            throw new UnsupportedConfigException(config.source() + " sets vision_config.vision_use_head false: "
                    + "SiglipModel then has no image embedding (its pooler output is None); only true (the default) "
                    + "is supported");
        }
        OnnxGraphBuilder graph = build.graph();
        GraphInputs inputs = GraphInputs.declare(graph, build.graphInterface(), List.of(
                new GraphInputs.Accepted("input_ids", GraphInputs.Kind.INTEGER,
                        List.of(Dim.symbolic("text_batch_size"), Dim.symbolic("sequence_length"))),
                new GraphInputs.Accepted("pixel_values", GraphInputs.Kind.FLOAT,
                        List.of(Dim.symbolic("image_batch_size"), Dim.symbolic("num_channels"),
                                Dim.symbolic("height"), Dim.symbolic("width")))), build.purpose());
        Tower text = Tower.read(textConfig);
        Tower vision = Tower.read(visionConfig);
        Parameters parameters = build.parameters();
        Value textEmbeds = graph.inScope("text_model", () -> textTower(graph, parameters, textConfig, text,
                inputs.required("input_ids")));
        Value imageEmbeds = graph.inScope("vision_model", () -> visionTower(graph, parameters, visionConfig,
                vision, inputs.required("pixel_values")));
        ContrastiveOutputs.add(build, "logit_scale", textEmbeds, imageEmbeds, text.hidden(), "logit_bias");
    }

    /** {@code SiglipTextTransformer}: the pooled, projected last token {@code [texts, projection]}. */
    private static Value textTower(OnnxGraphBuilder graph, Parameters parameters, ModelConfig config, Tower tower,
                                   Value inputIds) {
        String prefix = "text_model.";
        long hidden = tower.hidden();
        TokenGrid grid = TokenGrid.of(graph, inputIds);
        Value tokens = graph.gather(parameters.tensor(prefix + "embeddings.token_embedding.weight",
                config.intValue("vocab_size"), hidden), inputIds, 0);
        Value positions = graph.gather(parameters.tensor(prefix + "embeddings.position_embedding.weight",
                config.intValue("max_position_embeddings"), hidden), grid.positions(graph), 0);
        Value rows = graph.reshape(graph.add(tokens, positions), -1, hidden);
        Value encoded = encoder(graph, parameters, prefix + "encoder.", tower, rows, grid);
        Value last = LayerNorm.load(parameters, prefix + "final_layer_norm", hidden, tower.eps()).apply(graph, encoded);
        // last_hidden_state[:, -1, :]
        Value pooled = graph.gather(grid.unflatten(graph, last, hidden), graph.scalar(-1L), 1);
        long projection = parameters.dimension(prefix + "head.weight", 0);
        return Linear.load(parameters, prefix + "head", hidden, projection).apply(graph, pooled);
    }

    /** {@code SiglipVisionTransformer}: the attention-pooled image embedding {@code [images, hidden]}. */
    private static Value visionTower(OnnxGraphBuilder graph, Parameters parameters, ModelConfig config, Tower tower,
                                     Value pixels) {
        String prefix = "vision_model.";
        long hidden = tower.hidden();
        long patch = config.intValue("patch_size");
        long side = config.intValue("image_size") / patch;
        Value grid = Convolution.withBias(parameters, prefix + "embeddings.patch_embedding",
                config.intValue("num_channels"), hidden, Window.of(patch, patch).withStrides(patch, patch), 1)
                .apply(graph, pixels);
        Value patches = graph.transpose(graph.reshape(grid, 0, hidden, -1), 0, 2, 1);
        Value embeddings = graph.add(patches, parameters.tensor(prefix + "embeddings.position_embedding.weight",
                side * side, hidden));
        TokenGrid tokens = new TokenGrid(graph.shape(embeddings, 0, 2));
        Value encoded = encoder(graph, parameters, prefix + "encoder.", tower,
                graph.reshape(embeddings, -1, hidden), tokens);
        Value last = LayerNorm.load(parameters, prefix + "post_layernorm", hidden, tower.eps()).apply(graph, encoded);
        return graph.inScope("head", () -> attentionPooling(graph, parameters, prefix + "head.", tower,
                tokens.unflatten(graph, last, hidden)));
    }

    /**
     * {@code SiglipMultiheadAttentionPoolingHead}: the learned {@code probe} attends to every token
     * ({@code nn.MultiheadAttention} with the packed {@code in_proj_weight}), then a residual LayerNorm + MLP;
     * {@code [images, hidden]}.
     */
    private static Value attentionPooling(OnnxGraphBuilder graph, Parameters parameters, String prefix, Tower tower,
                                          Value states) {
        long hidden = tower.hidden();
        int heads = tower.attention().heads();
        long headSize = tower.attention().headSize();
        Value packed = parameters.tensor(prefix + "attention.in_proj_weight", 3 * hidden, hidden);
        Value packedBias = parameters.tensor(prefix + "attention.in_proj_bias", 3 * hidden);
        Value batch = graph.shape(states, 0, 1);
        Value probe = graph.reshape(parameters.tensor(prefix + "probe", 1, 1, hidden), 1, hidden);
        Value query = new Linear(graph.slice(packed, 0, 0, hidden), graph.slice(packedBias, 0, 0, hidden),
                hidden, hidden).apply(graph, probe);
        Value keys = new Linear(graph.slice(packed, 0, hidden, 2 * hidden),
                graph.slice(packedBias, 0, hidden, 2 * hidden), hidden, hidden).applyToLastAxis(graph, states);
        Value values = new Linear(graph.slice(packed, 0, 2 * hidden, 3 * hidden),
                graph.slice(packedBias, 0, 2 * hidden, 3 * hidden), hidden, hidden).applyToLastAxis(graph, states);
        // heads first: query [1, heads, 1, d], keys/values [images, heads, tokens, d]
        Value q = graph.transpose(graph.reshape(query, 1, 1, heads, headSize), 0, 2, 1, 3);
        Value k = graph.transpose(graph.reshape(keys, graph.concat(0, batch, graph.constant(-1L, heads, headSize))),
                0, 2, 3, 1);
        Value v = graph.transpose(graph.reshape(values, graph.concat(0, batch, graph.constant(-1L, heads, headSize))),
                0, 2, 1, 3);
        Value context = ScaledDotProductAttention.attend(graph, q, k, v,
                ScoreScale.bySquareRootOf(headSize),
                UnaryOperator.identity());
        // [images, heads, 1, d] → [images, hidden]
        Value merged = graph.reshape(context, graph.concat(0, batch, graph.constant(hidden)));
        Value attended = Linear.load(parameters, prefix + "attention.out_proj", hidden, hidden).apply(graph, merged);
        Value normalized = LayerNorm.load(parameters, prefix + "layernorm", hidden, tower.eps()).apply(graph, attended);
        return graph.add(attended, mlp(graph, parameters, prefix + "mlp.", tower, normalized));
    }

    /** {@code SiglipEncoder}: pre-LayerNorm layers without a mask, on rows {@code [batch × tokens, hidden]}. */
    private static Value encoder(OnnxGraphBuilder graph, Parameters parameters, String prefix, Tower tower,
                                 Value rows, TokenGrid grid) {
        long hidden = tower.hidden();
        return new LayerStack(prefix, "layers", tower.layers()).apply(graph, rows, (index, layer, input) -> {
            SelfAttention attention = SelfAttention.load(parameters, hidden, tower.attention().heads(),
                    layer + "self_attn.q_proj", layer + "self_attn.k_proj", layer + "self_attn.v_proj",
                    layer + "self_attn.out_proj");
            Value attended = graph.add(input, attention.apply(graph, LayerNorm.load(parameters,
                    layer + "layer_norm1", hidden, tower.eps()).apply(graph, input), grid));
            return graph.add(attended, mlp(graph, parameters, layer + "mlp.", tower,
                    LayerNorm.load(parameters, layer + "layer_norm2", hidden, tower.eps()).apply(graph, attended)));
        });
    }

    /** {@code SiglipMLP}: {@code fc2(act(fc1(x)))}. */
    private static Value mlp(OnnxGraphBuilder graph, Parameters parameters, String prefix, Tower tower, Value rows) {
        long hidden = tower.hidden();
        long inner = tower.intermediate();
        return Linear.load(parameters, prefix + "fc2", inner, hidden).apply(graph, tower.activation().apply(graph,
                Linear.load(parameters, prefix + "fc1", hidden, inner).apply(graph, rows)));
    }
}
