package org.exporters4j.models.resnet;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds ResNet graphs from the checkpoint's weights, as Transformers 4.25.1 computes {@code ResNetModel} in eval
 * mode: the network of {@link ResNetBackbone}, whose last stage is pooled by a global average
 * ({@code [batch, c, 1, 1]}), then the head.
 */
public final class ResNetArchitecture extends EncoderArchitecture<Value, ResNetBackbone> {
    private static final String MODEL_TYPE = "resnet";

    public ResNetArchitecture() {
        super(MODEL_TYPE, MODEL_TYPE, EncoderHeads.IMAGE_CLASSIFIER_HEADS,
                new BaseModel("resnet", "embedder.embedder.convolution.weight"), PixelInputs::declare,
                ResNetBackbone::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, ResNetBackbone backbone, String base,
                              Value pixels) {
        OnnxGraphBuilder graph = build.graph();
        Value features = graph.inScope("resnet", () -> backbone.hiddenStates(graph, build.parameters(), base, pixels))
                .get(backbone.stages());
        long last = backbone.channels(backbone.stages());
        // pooler_output keeps AdaptiveAvgPool2d's [batch, channels, 1, 1]; classifier = Sequential(Flatten(), Linear)
        EncoderHeads.addFeatureMapHeads(build, config, features, last, graph::globalAveragePool,
                List.of(Dim.unknown(), Dim.of(last), Dim.of(1), Dim.of(1)), "classifier.1");
    }
}
