package org.exporters4j.models.mobilevit;

import java.util.List;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BatchNorm;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.blocks.VisionTransformerLayer.LayerScale;
import org.exporters4j.models.blocks.VisionTransformerLayer;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.ResizeMode;
import org.exporters4j.onnx.Value;

/**
 * Builds MobileViT graphs from the checkpoint's weights, as Transformers 4.25.1 computes {@code MobileViTModel} in
 * eval mode: {@code conv_stem} (3×3 stride 2), encoder layers 1–2 of inverted residuals (1, then 3 blocks), encoder
 * layers 3–5 of MobileViT blocks (2, 4 and 3 transformer layers), {@code conv_1x1_exp}, and the spatial mean as the
 * pooled output. Every conv layer is a bias-free Conv, eval-mode batch norm (ε 1e-5) and {@code hidden_act}, unless
 * the module says otherwise.
 *
 * <p>A MobileViT block unfolds its feature map into {@code patch_size²} interleaved sequences of patches; where the
 * map is not a whole number of patches it is first resized bilinearly up to one and resized back after folding, as
 * Transformers does, so any input size works.
 */
public final class MobileVitArchitecture extends EncoderArchitecture<Value, MobileVitOptions> {
    private static final String MODEL_TYPE = "mobilevit";

    public MobileVitArchitecture() {
        super(MODEL_TYPE, MODEL_TYPE, EncoderHeads.IMAGE_CLASSIFIER_HEADS,
                new BaseModel("mobilevit", "conv_stem.convolution.weight"), PixelInputs::declare,
                MobileVitOptions::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, MobileVitOptions options, String base,
                              Value pixels) {
        OnnxGraphBuilder graph = build.graph();
        Network network = new Network(graph, build.parameters(), options);
        Value features = graph.inScope("mobilevit", () -> network.encode(base, pixels));
        long last = options.neckHiddenSizes().get(6);
        EncoderHeads.addFeatureMapHeads(build, config, features, last, map -> graph.reduceMean(map, KeepDims.NO, 2, 3),
                List.of(Dim.unknown(), Dim.of(last)), "classifier");
    }

    /** Whether a conv layer ends with batch norm and the activation (MobileViTConvLayer's flags). */
    private enum Finish {
        NORMALIZED_AND_ACTIVATED,
        NORMALIZED,
        NONE
    }

    /** One graph under construction. */
    private record Network(OnnxGraphBuilder graph, Parameters parameters, MobileVitOptions options) {

        /** {@code conv_1x1_exp} of the last encoder layer, {@code [batch, neck[6], h, w]}. */
        Value encode(String base, Value pixels) {
            List<Integer> neck = options.neckHiddenSizes();
            List<Integer> hidden = options.hiddenSizes();
            Value x = convLayer(base + "conv_stem", options.channels(), neck.get(0), 3, 2, 1, 1, Finish.NORMALIZED_AND_ACTIVATED,
                    pixels);
            String encoder = base + "encoder.layer.";
            x = mobileNetLayer(encoder + "0", neck.get(0), neck.get(1), 1, 1, x);
            x = mobileNetLayer(encoder + "1", neck.get(1), neck.get(2), 2, 3, x);
            x = mobileVitLayer(encoder + "2", neck.get(2), neck.get(3), hidden.get(0), 2, 1, x);
            x = mobileVitLayer(encoder + "3", neck.get(3), neck.get(4), hidden.get(1), 4, options.layer4Dilation(), x);
            x = mobileVitLayer(encoder + "4", neck.get(4), neck.get(5), hidden.get(2), 3, options.layer5Dilation(), x);
            return convLayer(base + "conv_1x1_exp", neck.get(5), neck.get(6), 1, 1, 1, 1,
                    Finish.NORMALIZED_AND_ACTIVATED, x);
        }

        /** MobileViTMobileNetLayer: {@code stages} inverted residuals, the first with {@code stride}. */
        private Value mobileNetLayer(String prefix, long in, long out, long stride, int stages, Value x) {
            Value result = x;
            for (int i = 0; i < stages; i++) {
                result = invertedResidual(prefix + ".layer." + i, i == 0 ? in : out, out, i == 0 ? stride : 1, 1,
                        result);
            }
            return result;
        }

        /** MobileViTInvertedResidual: 1×1 expand, 3×3 depthwise, 1×1 reduce (no activation), residual if same shape. */
        private Value invertedResidual(String prefix, long in, long out, long stride, long dilation, Value x) {
            long expanded = MobileVitOptions.makeDivisible(Math.rint(in * options.expandRatio()));
            Value y = convLayer(prefix + ".expand_1x1", in, expanded, 1, 1, 1, 1, Finish.NORMALIZED_AND_ACTIVATED, x);
            y = convLayer(prefix + ".conv_3x3", expanded, expanded, 3, stride, expanded, dilation,
                    Finish.NORMALIZED_AND_ACTIVATED, y);
            y = convLayer(prefix + ".reduce_1x1", expanded, out, 1, 1, 1, 1, Finish.NORMALIZED, y);
            return stride == 1 && in == out ? graph.add(x, y) : y;
        }

        /**
         * MobileViTLayer (always built with stride 2): the downsampling inverted residual (stride 1 and dilation
         * {@code dilation − 1} when dilated), local {@code conv_kxk} and {@code conv_1x1}, the transformer over
         * unfolded patches, {@code layernorm}, folding, {@code conv_projection}, and {@code fusion} of the block's
         * input with the result.
         */
        private Value mobileVitLayer(String prefix, long in, long out, long hiddenSize, int transformerLayers,
                                     long dilation, Value x) {
            return graph.inScope(prefix.substring(prefix.indexOf("encoder.")), () -> {
                Value downsampled = invertedResidual(prefix + ".downsampling_layer", in, out,
                        dilation == 1 ? 2 : 1, dilation > 1 ? dilation - 1 : 1, x);
                long kernel = options.convKernelSize();
                Value local = convLayer(prefix + ".conv_kxk", out, out, kernel, 1, 1, 1,
                        Finish.NORMALIZED_AND_ACTIVATED, downsampled);
                local = convLayer(prefix + ".conv_1x1", out, hiddenSize, 1, 1, 1, 1, Finish.NONE, local);
                Value folded = transformer(prefix, hiddenSize, transformerLayers, local);
                Value projected = convLayer(prefix + ".conv_projection", hiddenSize, out, 1, 1, 1, 1,
                        Finish.NORMALIZED_AND_ACTIVATED, folded);
                return convLayer(prefix + ".fusion", 2 * out, out, kernel, 1, 1, 1, Finish.NORMALIZED_AND_ACTIVATED,
                        graph.concat(1, downsampled, projected));
            });
        }

        /**
         * Unfolding, the transformer layers and layer norm, folding: {@code [b, c, h, w]} in and out. The map is
         * resized (bilinear) to the next multiple of the patch size and back, which is the identity where it already
         * is one.
         */
        private Value transformer(String prefix, long channels, int layers, Value features) {
            long patch = options.patchSize();
            long area = patch * patch;
            Value batch = graph.shape(features, 0, 1);
            Value size = graph.shape(features, 2, 4);
            Value patchPair = graph.constant(patch, patch);
            // ceil(size / patch) · patch
            Value cells = graph.div(graph.add(size, graph.constant(patch - 1, patch - 1)), patchPair);
            Value padded = graph.resize(features, graph.concat(0, batch, graph.constant(channels),
                    graph.mul(cells, patchPair)), ResizeMode.LINEAR);
            Value cellsHigh = graph.slice(cells, 0, 0, 1);
            Value cellsWide = graph.slice(cells, 0, 1, 2);
            Value p = graph.constant(patch);
            // reshape(b·c·nh, ph, nw, pw).transpose(1, 2).reshape(b, c, n, area).transpose(1, 3).reshape(b·area, n, c)
            Value unfolded = graph.reshape(padded, graph.concat(0, graph.mul(graph.mul(batch, graph.constant(channels)),
                    cellsHigh), p, cellsWide, p));
            unfolded = graph.transpose(unfolded, 0, 2, 1, 3);
            unfolded = graph.reshape(unfolded, graph.concat(0, batch, graph.constant(channels, -1, area)));
            unfolded = graph.transpose(unfolded, 0, 3, 2, 1);
            Value sequences = graph.reshape(unfolded, graph.concat(0, graph.mul(batch, graph.constant(area)),
                    graph.constant(-1, channels)));
            TokenGrid grid = new TokenGrid(graph.shape(sequences, 0, 2));
            Value rows = graph.reshape(sequences, -1, channels);
            VisionTransformerLayer.Dimensions dimensions = new VisionTransformerLayer.Dimensions(channels,
                    options.heads(), (long) (channels * options.mlpRatio()), options.activation(),
                    options.layerNormEps(), options.queryKeyValueBias(), LayerScale.NONE);
            for (int layer = 0; layer < layers; layer++) {
                rows = VisionTransformerLayer.load(parameters, graph, prefix + ".transformer.layer." + layer + ".",
                        dimensions).apply(graph, rows, grid, Optional.empty());
            }
            rows = LayerNorm.load(parameters, prefix + ".layernorm", channels, options.layerNormEps()).apply(graph, rows);
            // view(b, area, n, c).transpose(1, 3).reshape(b·c·nh, nw, ph, pw).transpose(1, 2).reshape(b, c, nh·ph, nw·pw)
            Value folded = graph.reshape(rows, graph.concat(0, batch, graph.constant(area, -1, channels)));
            folded = graph.transpose(folded, 0, 3, 2, 1);
            folded = graph.reshape(folded, graph.concat(0, graph.mul(graph.mul(batch, graph.constant(channels)),
                    cellsHigh), cellsWide, p, p));
            folded = graph.transpose(folded, 0, 2, 1, 3);
            folded = graph.reshape(folded, graph.concat(0, batch, graph.constant(channels), graph.mul(cells, patchPair)));
            return graph.resize(folded, graph.concat(0, batch, graph.constant(channels), size), ResizeMode.LINEAR);
        }

        /** MobileViTConvLayer: Conv (no bias, padding (kernel − 1) / 2 · dilation), then as {@code finish} says. */
        private Value convLayer(String prefix, long in, long out, long kernel, long stride, long groups, long dilation,
                                Finish finish, Value x) {
            long padding = (kernel - 1) / 2 * dilation;
            Value y = Convolution.withoutBias(parameters, prefix + ".convolution", in, out,
                    Convolution.square(kernel, stride, padding, dilation), groups).apply(graph, x);
            if (finish == Finish.NONE) {
                return y;
            }
            y = BatchNorm.load(parameters, prefix + ".normalization", out, BatchNorm.DEFAULT_EPSILON).apply(graph, y);
            return finish == Finish.NORMALIZED_AND_ACTIVATED ? options.activation().apply(graph, y) : y;
        }
    }
}
