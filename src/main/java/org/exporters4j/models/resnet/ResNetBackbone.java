package org.exporters4j.models.resnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.BatchNorm;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Transformers' ResNet network ({@code ResNetEmbeddings} and {@code ResNetEncoder}) as a {@code ResNetConfig}
 * defines it, for {@link ResNetArchitecture} and for the families that take it as their backbone (DETR's
 * {@code backbone_config}): the embedder (7×7 stride-2 Conv, batch norm, {@code hidden_act}, 3×3 stride-2 max
 * pooling), then one stage per {@code hidden_sizes} entry of {@code depths[i]} layers ({@code layer_type} basic: two
 * 3×3 convs; bottleneck: 1×1 reduce to a quarter, 3×3, 1×1 expand), each with a projection shortcut (1×1 Conv +
 * batch norm) where channels or stride change, summed and activated. The first stage keeps the resolution unless
 * {@code downsample_in_first_stage}; the others halve it. Batch norm is eval mode with epsilon 1e-5, which is also
 * DETR's {@code DetrFrozenBatchNorm2d} (its fixed epsilon; the same affine map of the same four tensors).
 */
public final class ResNetBackbone {
    private final Options options;

    private ResNetBackbone(Options options) {
        this.options = options;
    }

    /** The network a ResNet configuration (the model's, or a backbone sub-configuration) defines. */
    public static ResNetBackbone read(ModelConfig config) {
        return new ResNetBackbone(Options.read(config));
    }

    /** The number of stages ({@code len(hidden_sizes)}). */
    public int stages() {
        return options.hiddenSizes().size();
    }

    /** The channels of hidden state {@code index}: the embedder's for 0 ({@code "stem"}), else stage {@code index}'s. */
    public long channels(int index) {
        return index == 0 ? options.embeddingSize() : options.hiddenSizes().get(index - 1);
    }

    /**
     * Every hidden state, as {@code ResNetEncoder(output_hidden_states=True)} returns them and
     * {@code ResNetBackbone} names them by {@code stage_names}: index 0 the embedder's output ({@code "stem"}), index
     * {@code i} the output of stage {@code i} ({@code "stage<i>"}), each {@code [batch, channels, h, w]}.
     *
     * @param base the prefix of the network's tensors ({@code "resnet."}, or DETR's
     *     {@code "...backbone.conv_encoder.model."})
     */
    public List<Value> hiddenStates(OnnxGraphBuilder graph, Parameters parameters, String base, Value pixels) {
        return new Network(graph, parameters, options).encode(base, pixels);
    }

    /** One graph under construction. */
    private record Network(OnnxGraphBuilder graph, Parameters parameters, Options options) {

        List<Value> encode(String base, Value pixels) {
            List<Value> states = new ArrayList<>();
            Value x = convLayer(base + "embedder.embedder", options.channels(), options.embeddingSize(), 7, 2,
                    Optional.of(options.activation()), pixels);
            // ResNetEmbeddings.pooler: MaxPool2d(kernel_size=3, stride=2, padding=1)
            x = graph.maxPool(x, Convolution.square(3, 2, 1, 1));
            states.add(x);
            long previous = options.embeddingSize();
            List<Integer> sizes = options.hiddenSizes();
            for (int stage = 0; stage < sizes.size(); stage++) {
                long channels = sizes.get(stage);
                long stride = stage == 0 && options.firstStage() == FirstStage.KEEPS_SIZE ? 1 : 2;
                for (int layer = 0; layer < options.depths().get(stage); layer++) {
                    String prefix = base + "encoder.stages." + stage + ".layers." + layer + ".";
                    long in = layer == 0 ? previous : channels;
                    long layerStride = layer == 0 ? stride : 1;
                    Value input = x;
                    x = graph.inScope("stages." + stage + ".layers." + layer,
                            () -> residual(prefix, in, channels, layerStride, input));
                }
                states.add(x);
                previous = channels;
            }
            return List.copyOf(states);
        }

        /** ResNetBasicLayer / ResNetBottleNeckLayer: the branch plus the (projected) input, activated. */
        private Value residual(String prefix, long in, long out, long stride, Value x) {
            Value shortcut = in != out || stride != 1
                    ? convLayer(prefix + "shortcut", in, out, 1, stride, Optional.empty(), x)
                    : x;
            Optional<Activation> activation = Optional.of(options.activation());
            Value branch;
            if (options.layerType() == LayerType.BASIC) {
                branch = convLayer(prefix + "layer.0", in, out, 3, stride, activation, x);
                branch = convLayer(prefix + "layer.1", out, out, 3, 1, Optional.empty(), branch);
            } else {
                long reduced = out / 4; // ResNetBottleNeckLayer(reduction=4)
                long firstStride = options.bottleneckStride() == BottleneckStride.FIRST_CONVOLUTION ? stride : 1;
                branch = convLayer(prefix + "layer.0", in, reduced, 1, firstStride, activation, x);
                branch = convLayer(prefix + "layer.1", reduced, reduced, 3, stride / firstStride, activation, branch);
                branch = convLayer(prefix + "layer.2", reduced, out, 1, 1, Optional.empty(), branch);
            }
            return options.activation().apply(graph, graph.add(branch, shortcut));
        }

        /** ResNetConvLayer / ResNetShortCut: Conv (no bias, padding kernel // 2), batch norm, optional activation. */
        private Value convLayer(String prefix, long in, long out, long kernel, long stride,
                                Optional<Activation> activation, Value x) {
            Value convolved = Convolution.withoutBias(parameters, prefix + ".convolution", in, out,
                    Convolution.square(kernel, stride, kernel / 2, 1), 1).apply(graph, x);
            Value normalized = BatchNorm.load(parameters, prefix + ".normalization", out, BatchNorm.DEFAULT_EPSILON)
                    .apply(graph, convolved);
            return activation.map(a -> a.apply(graph, normalized)).orElse(normalized);
        }
    }

    private enum LayerType { BASIC, BOTTLENECK }

    /** {@code downsample_in_first_stage}: whether the first stage strides by 2. */
    private enum FirstStage { KEEPS_SIZE, DOWNSAMPLES }

    /** {@code downsample_in_bottleneck}: which bottleneck convolution carries the stride. */
    private enum BottleneckStride { MIDDLE_CONVOLUTION, FIRST_CONVOLUTION }

    /** The config.json options ResNetConfig defines ({@code downsample_in_bottleneck} is a later addition). */
    private record Options(long channels, long embeddingSize, List<Integer> hiddenSizes, List<Integer> depths,
                           LayerType layerType, Activation activation, FirstStage firstStage,
                           BottleneckStride bottleneckStride) {
        static Options read(ModelConfig config) {
            String source = config.source();
            List<Integer> sizes = config.intList("hidden_sizes");
            List<Integer> depths = config.intList("depths");
            if (sizes.isEmpty() || sizes.size() != depths.size()) {
                throw new UnsupportedConfigException(source + " sets hidden_sizes " + sizes + " and depths " + depths
                        + "; ResNetEncoder needs one depth per stage size");
            }
            String type = config.stringValue("layer_type");
            LayerType layerType = switch (type) {
                case "basic" -> LayerType.BASIC;
                case "bottleneck" -> LayerType.BOTTLENECK;
                default -> throw new UnsupportedConfigException(source + " sets layer_type \"" + type
                        + "\"; ResNet builds \"basic\" or \"bottleneck\"");
            };
            return new Options(config.intValue("num_channels"), config.intValue("embedding_size"), sizes, depths,
                    layerType, Activation.fromConfig(config, "hidden_act"),
                    config.booleanValue("downsample_in_first_stage") ? FirstStage.DOWNSAMPLES : FirstStage.KEEPS_SIZE,
                    config.optionalBoolean("downsample_in_bottleneck").orElse(false)
                            ? BottleneckStride.FIRST_CONVOLUTION : BottleneckStride.MIDDLE_CONVOLUTION);
        }
    }
}
