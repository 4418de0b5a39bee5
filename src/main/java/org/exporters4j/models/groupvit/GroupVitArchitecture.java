package org.exporters4j.models.groupvit;

import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.clip.ClipArchitecture;
import org.exporters4j.models.clip.ClipTextTower;
import org.exporters4j.models.clip.ContrastiveOutputs;
import org.exporters4j.models.clip.TowerOutput;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds GroupViT's contrastive model ({@code GroupViTModel}, Transformers 4.25.1) from the checkpoint's weights: the
 * CLIP text tower ({@link ClipTextTower}), the grouping vision tower ({@link GroupVitVisionTower}), and the two
 * projection heads {@code Linear → BatchNorm1d (running statistics) → ReLU → Linear}, then the contrastive logits and
 * normalized embeddings ({@link ContrastiveOutputs}). Optimum v1.5.2 registers the default task only; its interface
 * has no segmentation output, and {@code output_segmentation} must be off (Transformers then returns
 * {@code segmentation_logits} in place of the tuple positions Optimum names).
 */
public final class GroupVitArchitecture extends FamilyArchitecture {
    /** {@code nn.BatchNorm1d}'s default epsilon. */
    private static final double BATCH_NORM_EPS = 1e-5;

    public GroupVitArchitecture() {
        super("groupvit", "groupvit", Set.of(Variant.of(Head.BASE)), ClipArchitecture.CONTRASTIVE_ONLY);
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        if (config.optionalBoolean("output_segmentation").orElse(false)) {
            throw new UnsupportedConfigException(config.source() + " sets output_segmentation true, which adds "
                    + "segmentation_logits to GroupViTModel's outputs; Optimum v1.5.2's interface has none: set "
                    + "\"output_segmentation\": false to export the contrastive outputs");
        }
        ModelConfig textConfig = ClipArchitecture.subConfig(config, "text_config", "groupvit_text_model");
        ModelConfig visionConfig = ClipArchitecture.subConfig(config, "vision_config", "groupvit_vision_model");
        GroupVitVisionOptions vision = GroupVitVisionOptions.read(visionConfig);
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        GraphInputs inputs = GraphInputs.declare(build, ClipArchitecture.INPUTS);
        TowerOutput text = graph.inScope("text_model", () -> ClipTextTower.encode(graph, parameters,
                "text_model.", textConfig, inputs.required("input_ids"),
                inputs.optional("attention_mask").orElse(null)));
        Value image = graph.inScope("vision_model", () -> new GroupVitVisionTower(graph, parameters, vision,
                "vision_model.").pooled(inputs.required("pixel_values")));
        long projection = config.intValue("projection_dim");
        long intermediate = config.intValue("projection_intermediate_dim");
        ContrastiveOutputs.add(build, "logit_scale",
                graph.inScope("text_projection", () -> project(graph, parameters, "text_projection",
                        textConfig.intValue("hidden_size"), intermediate, projection, text.pooled())),
                graph.inScope("visual_projection", () -> project(graph, parameters, "visual_projection",
                        vision.tower().hiddenSize(), intermediate, projection, image)),
                projection);
    }

    /** {@code nn.Sequential(Linear, BatchNorm1d, ReLU, Linear)} under {@code prefix}: modules 0, 1 and 3. */
    private static Value project(OnnxGraphBuilder graph, Parameters parameters, String prefix, long in,
                                 long intermediate, long out, Value pooled) {
        Value first = linear(graph, parameters, prefix + ".0", in, intermediate, pooled);
        String norm = prefix + ".1.";
        Value normalized = graph.batchNormalization(first, parameters.tensor(norm + "weight", intermediate),
                parameters.tensor(norm + "bias", intermediate), parameters.tensor(norm + "running_mean", intermediate),
                parameters.tensor(norm + "running_var", intermediate), BATCH_NORM_EPS);
        return linear(graph, parameters, prefix + ".3", intermediate, out, graph.relu(normalized));
    }

    private static Value linear(OnnxGraphBuilder graph, Parameters parameters, String prefix, long in, long out,
                                Value x) {
        return Linear.load(parameters, prefix, in, out).applyToLastAxis(graph, x);
    }
}
