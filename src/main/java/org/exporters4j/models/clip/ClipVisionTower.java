package org.exporters4j.models.clip;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * CLIP's vision transformer ({@code CLIPVisionTransformer}, Transformers 4.25.1; OWL-ViT's {@code OwlViTModel} uses
 * the same computation): non-overlapping patches by a bias-free convolution, the class embedding prepended, the
 * learned position table added, a pre-LayerNorm, the encoder layers, and the pooled output
 * {@code post_layernorm(last_hidden_state[:, 0])}. The position table has one row per patch of a
 * {@code image_size} image plus the class token, so images must have that size (Transformers fails otherwise too).
 */
public final class ClipVisionTower {
    private ClipVisionTower() {}

    /**
     * The tower under {@code prefix} (e.g. {@code "vision_model."}) over float {@code pixelValues [batch, channels,
     * height, width]}; {@code preLayerNorm} is the module name of the pre-LayerNorm ({@code pre_layrnorm} in CLIP,
     * {@code pre_layernorm} in OWL-ViT).
     */
    public static TowerOutput encode(OnnxGraphBuilder graph, Parameters parameters, String prefix,
                                     ModelConfig visionConfig, String preLayerNorm, Value pixelValues) {
        TowerOptions options = TowerOptions.read(visionConfig);
        long hidden = options.hiddenSize();
        long patches = patchCount(visionConfig);
        Value embeddings = graph.inScope("embeddings", () -> {
            long patchSize = visionConfig.intValue("patch_size");
            Value weight = parameters.tensor(prefix + "embeddings.patch_embedding.weight",
                    hidden, visionConfig.intValue("num_channels"), patchSize, patchSize);
            Value patchGrid = graph.conv(pixelValues, weight,
                    Window.of(patchSize, patchSize).withStrides(patchSize, patchSize), 1);
            // [batch, hidden, rows, columns] → [batch, patches, hidden]
            Value patchTokens = graph.transpose(graph.reshape(patchGrid, 0, hidden, -1), 0, 2, 1);
            Value batch = graph.shape(pixelValues, 0, 1);
            Value classToken = graph.expand(
                    graph.reshape(parameters.tensor(prefix + "embeddings.class_embedding", hidden), 1, 1, hidden),
                    graph.concat(0, batch, graph.constant(1, hidden)));
            Value tokens = graph.concat(1, classToken, patchTokens);
            return graph.add(tokens, parameters.tensor(prefix + "embeddings.position_embedding.weight",
                    patches + 1, hidden));
        });
        Value normalized = LayerNorm.load(parameters, prefix + preLayerNorm, hidden, TowerOptions.LAYER_NORM_EPS)
                .apply(graph, embeddings);
        TokenGrid grid = new TokenGrid(graph.shape(normalized, 0, 2));
        Value rows = graph.reshape(normalized, -1, hidden);
        Value encoded = graph.inScope("encoder", () -> ClipEncoder.apply(graph, parameters, prefix + "encoder.",
                options, rows, graph.scalar(ElementType.FLOAT, 0.0), grid));
        Value pooled = LayerNorm.load(parameters, prefix + "post_layernorm", hidden, TowerOptions.LAYER_NORM_EPS)
                .apply(graph, EncoderHeads.firstToken(graph, grid, encoded, hidden));
        return new TowerOutput(encoded, pooled, grid);
    }

    /** {@code (image_size / patch_size)²}, checked. */
    static long patchCount(ModelConfig visionConfig) {
        int imageSize = visionConfig.intValue("image_size");
        int patchSize = visionConfig.intValue("patch_size");
        if (patchSize <= 0 || imageSize < patchSize) {
            throw new UnsupportedConfigException(visionConfig.source() + " sets image_size " + imageSize
                    + " and patch_size " + patchSize + ": an image must hold at least one patch");
        }
        long side = imageSize / patchSize;
        return side * side;
    }
}
