package org.exporters4j.models.detr;

import java.util.ArrayList;
import java.util.List;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.BatchNorm;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.resnet.ResNetBackbone;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * DetrConvEncoder's backbone: the feature maps it hands DETR, each with its channels, from the tensors under
 * {@code <base>backbone.conv_encoder.model.}; its batch norms are frozen (DetrFrozenBatchNorm2d, epsilon 1e-5: the
 * same eval-mode affine map).
 */
sealed interface DetrBackbone {

    /** One feature map {@code [batch, channels, h, w]}. */
    record FeatureMap(Value value, long channels) {}

    /** The feature maps in stage order. */
    List<FeatureMap> featureMaps(OnnxGraphBuilder graph, Parameters parameters, String prefix, Value pixels);

    /**
     * Transformers' ResNet ({@code use_timm_backbone} false, {@code backbone_config} of model_type resnet): the hidden
     * states {@code out_features} selects (indices into stem, stage1, ...).
     */
    record Transformers(ResNetBackbone network, List<Integer> selected) implements DetrBackbone {
        public Transformers {
            selected = List.copyOf(selected);
        }

        @Override
        public List<FeatureMap> featureMaps(OnnxGraphBuilder graph, Parameters parameters, String prefix,
                                            Value pixels) {
            List<Value> states = network.hiddenStates(graph, parameters, prefix, pixels);
            List<FeatureMap> maps = new ArrayList<>();
            for (int index : selected) {
                maps.add(new FeatureMap(states.get(index), network.channels(index)));
            }
            return maps;
        }
    }

    /**
     * timm's ResNet ({@code use_timm_backbone} true, {@code backbone} "resnet18", "resnet50", ...; created with
     * {@code features_only=True}): the stem {@code conv1} (7×7, stride 2), {@code bn1}, ReLU, 3×3 stride-2 max
     * pooling, then {@code layer1}..{@code layer4} of BasicBlocks ({@code conv1} 3×3 carrying the stride,
     * {@code conv2} 3×3) or Bottlenecks ({@code conv1} 1×1, {@code conv2} 3×3 carrying the stride, {@code conv3}
     * 1×1), each with {@code downsample} (1×1 conv, batch norm) where the shape changes, summed and ReLU'd; the first
     * layer keeps the resolution, the others halve it. The block type and counts and every width are the checkpoint's
     * ({@code layer<i>.<j>.conv3} present: Bottlenecks); {@code out_indices} (backbone_kwargs, default 1..4) picks the
     * outputs, 0 being the stem's.
     */
    record Timm(String name, List<Integer> outIndices) implements DetrBackbone {
        public Timm {
            outIndices = List.copyOf(outIndices);
        }

        @Override
        public List<FeatureMap> featureMaps(OnnxGraphBuilder graph, Parameters parameters, String prefix,
                                            Value pixels) {
            Activation relu = Activation.named("relu", "timm resnet", name);
            long stemChannels = parameters.dimension(prefix + "conv1.weight", 0);
            long inChannels = parameters.dimension(prefix + "conv1.weight", 1);
            Value x = convNorm(graph, parameters, prefix + "conv1", prefix + "bn1", inChannels, stemChannels, 7, 2,
                    pixels);
            x = relu.apply(graph, x);
            List<FeatureMap> states = new ArrayList<>();
            states.add(new FeatureMap(graph.maxPool(x, Convolution.square(3, 2, 1, 1)), stemChannels));
            x = states.get(0).value();
            long channels = stemChannels;
            boolean bottleneck = parameters.contains(prefix + "layer1.0.conv3.weight");
            for (int stage = 1; stage <= 4; stage++) {
                String layer = prefix + "layer" + stage + ".";
                if (!parameters.contains(layer + "0.conv1.weight")) {
                    throw new UnsupportedConfigException(parameters.purpose() + ": the timm backbone \"" + name
                            + "\" has no " + layer + "0.conv1.weight; exporters4j builds timm's plain ResNets "
                            + "(resnet18, resnet34, resnet50, resnet101, resnet152) of four layers");
                }
                for (int block = 0; parameters.contains(layer + block + ".conv1.weight"); block++) {
                    long stride = stage > 1 && block == 0 ? 2 : 1;
                    String at = layer + block + ".";
                    Value input = x;
                    long in = channels;
                    x = graph.inScope("layer" + stage + "." + block,
                            () -> block(graph, parameters, at, bottleneck, in, stride, relu, input));
                    channels = parameters.dimension(at + (bottleneck ? "conv3" : "conv2") + ".weight", 0);
                }
                states.add(new FeatureMap(x, channels));
            }
            List<FeatureMap> selected = new ArrayList<>();
            for (int index : outIndices) {
                selected.add(states.get(index));
            }
            return selected;
        }

        private static Value block(OnnxGraphBuilder graph, Parameters parameters, String at, boolean bottleneck,
                                   long in, long stride, Activation relu, Value x) {
            Value branch;
            long out;
            if (bottleneck) {
                long width = parameters.dimension(at + "conv1.weight", 0);
                out = parameters.dimension(at + "conv3.weight", 0);
                branch = relu.apply(graph, convNorm(graph, parameters, at + "conv1", at + "bn1", in, width, 1, 1, x));
                branch = relu.apply(graph, convNorm(graph, parameters, at + "conv2", at + "bn2", width, width, 3,
                        stride, branch));
                branch = convNorm(graph, parameters, at + "conv3", at + "bn3", width, out, 1, 1, branch);
            } else {
                out = parameters.dimension(at + "conv1.weight", 0);
                branch = relu.apply(graph, convNorm(graph, parameters, at + "conv1", at + "bn1", in, out, 3, stride,
                        x));
                branch = convNorm(graph, parameters, at + "conv2", at + "bn2", out, out, 3, 1, branch);
            }
            Value shortcut = parameters.contains(at + "downsample.0.weight")
                    ? convNorm(graph, parameters, at + "downsample.0", at + "downsample.1", in, out, 1, stride, x)
                    : x;
            return relu.apply(graph, graph.add(branch, shortcut));
        }

        /** A bias-free Conv (padding kernel // 2) and its frozen batch norm. */
        private static Value convNorm(OnnxGraphBuilder graph, Parameters parameters, String conv, String norm,
                                      long in, long out, long kernel, long stride, Value x) {
            Value convolved = Convolution.withoutBias(parameters, conv, in, out,
                    Convolution.square(kernel, stride, kernel / 2, 1), 1).apply(graph, x);
            return BatchNorm.load(parameters, norm, out, BatchNorm.DEFAULT_EPSILON).apply(graph, convolved);
        }
    }
}
