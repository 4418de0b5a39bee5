package org.exporters4j.models.convnext;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds ConvNeXT graphs from the checkpoint's weights, as Transformers 4.25.1 computes {@code ConvNextModel} in eval
 * mode: a {@code patch_size} patchify Conv and a channels-first layer norm; {@code num_stages} stages, each but the
 * first opening with layer norm and a 2×2 stride-2 Conv, then {@code depths[i]} blocks of a 7×7 depthwise Conv, layer
 * norm over channels, {@code pwconv1} (4× wider), {@code hidden_act}, {@code pwconv2}, the layer scale
 * ({@code layer_scale_init_value > 0}) and the residual. The base output is the last stage's feature map; pooling is
 * the channel mean normalized by {@code layernorm} ({@code layer_norm_eps}). The blocks' norms use ε = 1e-6 whatever
 * the config says, as ConvNextLayerNorm is built.
 */
public final class ConvNextArchitecture extends EncoderArchitecture<Value, ConvNextArchitecture.Options> {
    private static final String MODEL_TYPE = "convnext";
    /** ConvNextLayerNorm's ε in the stem, downsampling layers and blocks (fixed in Transformers' code). */
    private static final double BLOCK_EPSILON = 1e-6;

    public ConvNextArchitecture() {
        super(MODEL_TYPE, MODEL_TYPE, EncoderHeads.IMAGE_CLASSIFIER_HEADS,
                new BaseModel("convnext", "embeddings.patch_embeddings.weight"), PixelInputs::declare, Options::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Options options, String base, Value pixels) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        Value features = graph.inScope("convnext", () -> encode(graph, parameters, options, base, pixels));
        long last = options.hiddenSizes().get(options.hiddenSizes().size() - 1);
        EncoderHeads.addFeatureMapHeads(build, config, features, last,
                map -> pooled(graph, parameters, options, base, map, last), List.of(Dim.unknown(), Dim.of(last)),
                "classifier");
    }

    /** The last stage's feature map {@code [batch, hidden_sizes[-1], h, w]}. */
    private static Value encode(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                Value pixels) {
        List<Integer> sizes = options.hiddenSizes();
        long patch = options.patchSize();
        Value x = Convolution.withBias(parameters, base + "embeddings.patch_embeddings", options.channels(),
                sizes.get(0), Window.of(patch, patch).withStrides(patch, patch), 1).apply(graph, pixels);
        x = channelsFirstNorm(graph, parameters, base + "embeddings.layernorm", sizes.get(0), x);
        long previous = sizes.get(0);
        for (int stage = 0; stage < sizes.size(); stage++) {
            String prefix = base + "encoder.stages." + stage + ".";
            long channels = sizes.get(stage);
            long stride = stage > 0 ? 2 : 1;
            if (previous != channels || stride > 1) {
                // ConvNextStage's downsampling_layer: channels-first layer norm, then Conv2d(kernel 2, stride)
                x = channelsFirstNorm(graph, parameters, prefix + "downsampling_layer.0", previous, x);
                x = Convolution.withBias(parameters, prefix + "downsampling_layer.1", previous, channels,
                        Window.of(2, 2).withStrides(stride, stride), 1).apply(graph, x);
            }
            for (int layer = 0; layer < options.depths().get(stage); layer++) {
                String layerPrefix = prefix + "layers." + layer + ".";
                Value input = x;
                x = graph.inScope("stages." + stage + ".layers." + layer,
                        () -> block(graph, parameters, options, layerPrefix, channels, input));
            }
            previous = channels;
        }
        return x;
    }

    /** ConvNextLayer: depthwise Conv, channels-last norm, MLP, layer scale, residual. */
    private static Value block(OnnxGraphBuilder graph, Parameters parameters, Options options, String prefix,
                               long channels, Value input) {
        Value x = Convolution.withBias(parameters, prefix + "dwconv", channels, channels,
                Convolution.square(7, 1, 3, 1), channels).apply(graph, input);
        Value channelsLast = graph.transpose(x, 0, 2, 3, 1);
        Value rows = graph.reshape(channelsLast, -1, channels);
        rows = LayerNorm.load(parameters, prefix + "layernorm", channels, BLOCK_EPSILON).apply(graph, rows);
        rows = Linear.load(parameters, prefix + "pwconv1", channels, 4 * channels).apply(graph, rows);
        rows = options.activation().apply(graph, rows);
        rows = Linear.load(parameters, prefix + "pwconv2", 4 * channels, channels).apply(graph, rows);
        if (options.layerScale() == LayerScale.PRESENT) {
            rows = graph.mul(parameters.tensor(prefix + "layer_scale_parameter", channels), rows);
        }
        Value restored = graph.transpose(graph.reshape(rows, graph.shape(channelsLast)), 0, 3, 1, 2);
        return graph.add(input, restored);
    }

    /** ConvNextLayerNorm with {@code data_format="channels_first"}: layer norm over axis 1 of NCHW. */
    private static Value channelsFirstNorm(OnnxGraphBuilder graph, Parameters parameters, String prefix, long channels,
                                           Value x) {
        Value channelsLast = graph.transpose(x, 0, 2, 3, 1);
        Value normalized = LayerNorm.load(parameters, prefix, channels, BLOCK_EPSILON).apply(graph, channelsLast);
        return graph.transpose(normalized, 0, 3, 1, 2);
    }

    /** ConvNextModel's pooler output: {@code layernorm(mean over height and width)}, {@code [batch, channels]}. */
    private static Value pooled(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                                Value features, long channels) {
        Value mean = graph.reduceMean(features, KeepDims.NO, 2, 3);
        return LayerNorm.load(parameters, base + "layernorm", channels, options.layerNormEps()).apply(graph, mean);
    }

    /** Whether blocks scale their branch by {@code layer_scale_parameter} ({@code layer_scale_init_value > 0}). */
    private enum LayerScale { ABSENT, PRESENT }

    /** The config.json options ConvNextConfig defines. */
    record Options(long channels, long patchSize, List<Integer> hiddenSizes, List<Integer> depths,
                   Activation activation, double layerNormEps, LayerScale layerScale) {
        static Options read(ModelConfig config) {
            String source = config.source();
            List<Integer> sizes = config.intList("hidden_sizes");
            List<Integer> depths = config.intList("depths");
            int stages = config.intValue("num_stages");
            if (sizes.size() < stages || depths.size() < stages || stages < 1) {
                throw new UnsupportedConfigException(source + " sets num_stages " + stages + " with hidden_sizes "
                        + sizes + " and depths " + depths + "; ConvNextEncoder needs a size and a depth per stage");
            }
            return new Options(config.intValue("num_channels"), config.intValue("patch_size"),
                    List.copyOf(sizes.subList(0, stages)), List.copyOf(depths.subList(0, stages)),
                    Activation.fromConfig(config, "hidden_act"), config.doubleValue("layer_norm_eps"),
                    config.doubleValue("layer_scale_init_value") > 0 ? LayerScale.PRESENT : LayerScale.ABSENT);
        }
    }
}
