package org.exporters4j.models.clip;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;

/**
 * Builds the contrastive text-image model of CLIP and OWL-ViT ({@code CLIPModel}, {@code OwlViTModel}, Transformers
 * 4.25.1) from the checkpoint's weights: the text tower ({@link ClipTextTower}), the vision tower
 * ({@link ClipVisionTower}), the bias-free {@code text_projection} and {@code visual_projection}, then
 * {@link ContrastiveOutputs}. Optimum v1.5.2 registers only the default task for these types, whose interface is
 * {@code input_ids}, {@code pixel_values}, {@code attention_mask} in, the two logits and two embeddings out.
 */
public final class ClipArchitecture extends FamilyArchitecture {
    /** The inputs of Optimum's CLIPOnnxConfig (CLIP, OWL-ViT, GroupViT), with their natural axis names. */
    public static final List<GraphInputs.Accepted> INPUTS = List.of(
            GraphInputs.Accepted.of("input_ids", GraphInputs.Kind.INTEGER,
                    Dim.symbolic("batch_size"), Dim.symbolic("sequence_length")),
            GraphInputs.Accepted.of("pixel_values", GraphInputs.Kind.FLOAT, Dim.symbolic("batch_size"),
                    Dim.symbolic("num_channels"), Dim.symbolic("height"), Dim.symbolic("width")),
            GraphInputs.Accepted.of("attention_mask", GraphInputs.Kind.INTEGER,
                    Dim.symbolic("batch_size"), Dim.symbolic("sequence_length")));

    /** Why a contrastive family builds one variant. */
    public static final String CONTRASTIVE_ONLY = " (Optimum's default: the contrastive model, the one task Optimum "
            + "v1.5.2 registers)";

    private final ClipFlavor flavor;

    public ClipArchitecture(String modelType, ClipFlavor flavor) {
        super(modelType, "clip", Set.of(Variant.of(Head.BASE)), CONTRASTIVE_ONLY);
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        ModelConfig textConfig = subConfig(config, "text_config", flavor.textConfigType());
        ModelConfig visionConfig = subConfig(config, "vision_config", flavor.visionConfigType());
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        String base = flavor.wrapperPrefix()
                .map(prefix -> parameters.basePrefix(prefix, "text_model.embeddings.token_embedding.weight"))
                .orElse("");
        GraphInputs inputs = GraphInputs.declare(build, INPUTS);
        TowerOutput text = graph.inScope("text_model", () -> ClipTextTower.encode(graph, parameters,
                base + "text_model.", textConfig, inputs.required("input_ids"),
                inputs.optional("attention_mask").orElse(null)));
        TowerOutput vision = graph.inScope("vision_model", () -> ClipVisionTower.encode(graph,
                parameters, base + "vision_model.", visionConfig, flavor.preLayerNorm(),
                inputs.required("pixel_values")));
        long projection = config.intValue("projection_dim");
        ContrastiveOutputs.add(build, base + "logit_scale",
                ContrastiveOutputs.project(graph, parameters, base + "text_projection.weight",
                        textConfig.intValue("hidden_size"), projection, text.pooled()),
                ContrastiveOutputs.project(graph, parameters, base + "visual_projection.weight",
                        visionConfig.intValue("hidden_size"), projection, vision.pooled()),
                projection);
    }

    /**
     * {@code text_config} / {@code vision_config} with its own model type's defaults; a sub-config of another model
     * type is refused.
     */
    public static ModelConfig subConfig(ModelConfig config, String key, String modelType) {
        return config.subConfig(key, modelType).filter(sub -> sub.modelType().equals(modelType))
                .orElseThrow(() -> new UnsupportedConfigException(config.source() + " sets " + key + " with a "
                        + "model_type other than " + modelType + ", which this exporter does not build; save the config"
                        + " with its own " + modelType + " " + key));
    }
}
