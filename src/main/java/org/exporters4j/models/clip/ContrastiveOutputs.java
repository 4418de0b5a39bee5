package org.exporters4j.models.clip;

import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The outputs of a contrastive text-image model ({@code CLIPModel.forward}, Transformers 4.25.1; OWL-ViT and
 * GroupViT compute the same from their own projections): both projected embeddings divided by their L2 norms,
 * {@code logits_per_text = text_embeds · image_embedsᵀ · exp(logit_scale)} and
 * {@code logits_per_image = logits_per_textᵀ}; {@code text_embeds} and {@code image_embeds} are the normalized
 * embeddings.
 */
public final class ContrastiveOutputs {
    private ContrastiveOutputs() {}

    /**
     * Adds (each when asked) {@code logits_per_image}, {@code logits_per_text}, {@code text_embeds} and
     * {@code image_embeds} for projected embeddings {@code [texts, projection]} and {@code [images, projection]};
     * {@code logit_scale} is read from the checkpoint.
     */
    public static void add(GraphBuild build, String logitScale, Value projectedText, Value projectedImages,
                           long projectionSize) {
        add(build, logitScale, projectedText, projectedImages, projectionSize, null);
    }

    /**
     * As {@link #add(GraphBuild, String, Value, Value, long)}, the logits plus the checkpoint's {@code logitBias}
     * when it is not null (SigLIP's {@code logit_bias}: {@code text · imageᵀ · exp(logit_scale) + logit_bias}).
     */
    public static void add(GraphBuild build, String logitScale, Value projectedText, Value projectedImages,
                           long projectionSize, String logitBias) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        Value textEmbeds = normalized(graph, projectedText);
        Value imageEmbeds = normalized(graph, projectedImages);
        Value scaled = graph.mul(graph.matMul(textEmbeds, graph.transpose(imageEmbeds, 1, 0)),
                graph.exp(parameters.tensor(logitScale)));
        Value logitsPerText = logitBias == null ? scaled : graph.add(scaled, parameters.tensor(logitBias));
        // The second axis counts the other modality's examples, which Optimum's interface leaves unnamed; a
        // shape-preserving Reshape to [0, -1] keeps ONNX Runtime's shape inference from naming it after the first
        // axis (texts and images are independent counts, both merely called batch_size by the interface).
        if (build.wants("logits_per_image")) {
            build.output("logits_per_image", graph.reshape(graph.transpose(logitsPerText, 1, 0), 0, -1), Dim.unknown(),
                    Dim.unknown());
        }
        if (build.wants("logits_per_text")) {
            build.output("logits_per_text", graph.reshape(logitsPerText, 0, -1), Dim.unknown(), Dim.unknown());
        }
        if (build.wants("text_embeds")) {
            build.output("text_embeds", textEmbeds, Dim.unknown(), Dim.of(projectionSize));
        }
        if (build.wants("image_embeds")) {
            build.output("image_embeds", imageEmbeds, Dim.unknown(), Dim.of(projectionSize));
        }
    }

    /** A bias-free {@code nn.Linear}: {@code x · Wᵀ} with the checkpoint's {@code [out, in]} weight. */
    public static Value project(OnnxGraphBuilder graph, Parameters parameters, String weight, long in, long out,
                                Value rows) {
        return Linear.withoutBias(parameters.tensor(weight, out, in), in, out).applyToLastAxis(graph, rows);
    }

    /** {@code x / ‖x‖₂} over the last axis. */
    static Value normalized(OnnxGraphBuilder graph, Value x) {
        return graph.div(x, graph.sqrt(graph.reduceSum(graph.mul(x, x), KeepDims.YES, -1)));
    }
}
