package org.exporters4j.models.levit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.BatchNorm;
import org.exporters4j.models.blocks.Convolution;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.OutputAxes;
import org.exporters4j.models.blocks.PixelInputs;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * Builds LeViT graphs from the checkpoint's weights, as Transformers 4.25.1 computes the model in eval mode: four
 * bias-free Convs with batch norm (hardswish between them) embed the image as a {@code r × r} token grid
 * ({@code r = image_size // patch_size}); each stage runs {@code depths[i]} residual attention layers (queries, keys
 * and values from one linear-plus-batch-norm layer, split per head; scores scaled by {@code key_dim^-½} plus a learned
 * bias per head and grid offset; hardswish before the projection) and residual MLPs ({@code mlp_ratio}), then, per
 * {@code down_ops}, an attention-subsampling layer whose queries come from every {@code stride}-th grid position,
 * followed by a residual MLP. The base output is the last stage's tokens; the pooled output their mean.
 *
 * <p>The attention biases are defined on the grid of {@code image_size}, so the image must have that size (as in
 * Transformers).
 */
public final class LevitArchitecture extends EncoderArchitecture<Value, LevitOptions> {
    private static final String MODEL_TYPE = "levit";

    public LevitArchitecture() {
        super(MODEL_TYPE, MODEL_TYPE, EncoderHeads.IMAGE_CLASSIFIER_HEADS,
                new BaseModel("levit", "patch_embeddings.embedding_layer_1.convolution.weight"), PixelInputs::declare,
                LevitOptions::read);
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, LevitOptions options, String base, Value pixels) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        Network network = new Network(graph, parameters, options, graph.shape(pixels, 0, 1));
        Value tokens = graph.inScope("levit", () -> network.encode(base, pixels));
        long last = options.hiddenSizes().get(options.stages() - 1);
        Dim follows = Dim.unknown();
        switch (build.head()) {
            case BASE -> {
                if (build.wants("last_hidden_state")) {
                    build.output("last_hidden_state", OutputAxes.unpinned(graph, tokens, 3), follows, follows,
                            Dim.of(last));
                }
                if (build.wants("pooler_output")) {
                    build.output("pooler_output", graph.reduceMean(tokens, KeepDims.NO, 1), follows, Dim.of(last));
                }
            }
            case IMAGE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    Value mean = graph.reduceMean(tokens, KeepDims.NO, 1);
                    long labels = EncoderHeads.labels(parameters, "classifier.linear.weight", config);
                    Value logits = network.classifier("classifier", mean, labels);
                    if (config.architectures().contains("LevitForImageClassificationWithTeacher")) {
                        // the fused eval head of LevitForImageClassificationWithTeacher: the mean of both heads
                        logits = graph.div(graph.add(logits, network.classifier("classifier_distill", mean, labels)),
                                graph.scalar(ElementType.FLOAT, 2.0));
                    }
                    build.output("logits", OutputAxes.unpinned(graph, logits, 2), follows, Dim.of(labels));
                }
            }
            default -> throw new ArchitectureException(MODEL_TYPE + " has no " + build.head() + " head");
        }
    }

    /** One graph under construction; {@code batch} is the runtime 1-D {@code [batch]}. */
    private record Network(OnnxGraphBuilder graph, Parameters parameters, LevitOptions options, Value batch) {

        /** The last stage's tokens {@code [batch, r², hidden_sizes[-1]]}. */
        Value encode(String base, Value pixels) {
            List<Integer> sizes = options.hiddenSizes();
            long first = sizes.get(0);
            // LevitPatchEmbeddings: hidden_sizes[0] // 8, // 4, // 2 channels (floor division, whatever they are:
            // hidden_sizes [12, …] widens through 1, 3 and 6 channels), then hidden_sizes[0]
            long[] widths = {options.channels(), first / 8, first / 4, first / 2, first};
            Value x = pixels;
            for (int i = 1; i <= 4; i++) {
                String prefix = base + "patch_embeddings.embedding_layer_" + i;
                x = Convolution.withoutBias(parameters, prefix + ".convolution", widths[i - 1], widths[i],
                        Convolution.square(options.kernelSize(), options.stride(), options.padding(), 1), 1)
                        .apply(graph, x);
                x = BatchNorm.load(parameters, prefix + ".batch_norm", widths[i], BatchNorm.DEFAULT_EPSILON)
                        .apply(graph, x);
                if (i < 4) {
                    x = hardswish(x);
                }
            }
            int resolution = options.imageSize() / options.patchSize();
            // flatten(2).transpose(1, 2), kept as rows [batch · tokens, hidden]
            Value rows = graph.reshape(graph.transpose(graph.reshape(x, graph.concat(0, batch,
                    graph.constant(first, -1))), 0, 2, 1), -1, first);
            for (int stage = 0; stage < options.stages(); stage++) {
                String prefix = base + "encoder.stages." + stage + ".layers.";
                long hidden = sizes.get(stage);
                int layer = 0;
                for (int depth = 0; depth < options.depths().get(stage); depth++) {
                    rows = graph.add(rows, attention(prefix + layer++ + ".module.", stage, resolution, rows));
                    int mlpRatio = options.mlpRatios().get(stage);
                    if (mlpRatio > 0) {
                        rows = graph.add(rows, mlp(prefix + layer++ + ".module.", hidden, hidden * mlpRatio, rows));
                    }
                }
                Optional<LevitOptions.Subsample> subsample = options.subsamples().get(stage);
                if (subsample.isPresent()) {
                    LevitOptions.Subsample op = subsample.get();
                    int resolutionOut = (resolution - 1) / op.stride() + 1;
                    long next = sizes.get(stage + 1);
                    rows = attentionSubsample(prefix + layer++ + ".", hidden, next, op, resolution, resolutionOut, rows);
                    resolution = resolutionOut;
                    if (op.mlpRatio() > 0) {
                        rows = graph.add(rows, mlp(prefix + layer++ + ".module.", next, next * op.mlpRatio(), rows));
                    }
                }
            }
            return graph.reshape(rows, graph.concat(0, batch, graph.constant(-1, sizes.get(options.stages() - 1))));
        }

        /** LevitClassificationLayer: batch norm, then the linear layer, on {@code [batch, hidden]}. */
        Value classifier(String prefix, Value pooled, long labels) {
            long hidden = options.hiddenSizes().get(options.stages() - 1);
            Value normalized = BatchNorm.load(parameters, prefix + ".batch_norm", hidden, BatchNorm.DEFAULT_EPSILON)
                    .apply(graph, pooled);
            return Linear.load(parameters, prefix + ".linear", hidden, labels).apply(graph, normalized);
        }

        /** LevitAttention on rows {@code [batch · r², hidden]}. */
        private Value attention(String prefix, int stage, int resolution, Value rows) {
            long hidden = options.hiddenSizes().get(stage);
            long heads = options.heads().get(stage);
            long keyDim = options.keyDims().get(stage);
            long valueDim = options.attentionRatios().get(stage) * keyDim;
            long projection = valueDim * heads;
            Value qkv = linearBatchNorm(prefix + "queries_keys_values", hidden, (2 * keyDim + valueDim) * heads, rows);
            List<Value> parts = graph.split(graph.reshape(qkv, graph.concat(0, batch, graph.constant(-1, heads,
                    2 * keyDim + valueDim))), 3, keyDim, keyDim, valueDim);
            Value query = graph.transpose(parts.get(0), 0, 2, 1, 3);
            Value keyT = graph.transpose(parts.get(1), 0, 2, 3, 1);
            Value value = graph.transpose(parts.get(2), 0, 2, 1, 3);
            Value biases = attentionBiases(prefix, heads, gridOffsets(resolution, resolution, 1));
            Value context = attend(query, keyT, value, keyDim, biases);
            Value merged = graph.reshape(graph.transpose(context, 0, 2, 1, 3), -1, projection);
            return linearBatchNorm(prefix + "projection", projection, hidden, hardswish(merged));
        }

        /** LevitAttentionSubsample: queries from every {@code stride}-th grid position; not residual. */
        private Value attentionSubsample(String prefix, long in, long out, LevitOptions.Subsample op, int resolutionIn,
                                         int resolutionOut, Value rows) {
            long heads = op.heads();
            long keyDim = op.keyDim();
            long valueDim = (long) op.attentionRatio() * keyDim;
            long projection = valueDim * heads;
            Value keysValues = linearBatchNorm(prefix + "keys_values", in, (keyDim + valueDim) * heads, rows);
            List<Value> parts = graph.split(graph.reshape(keysValues, graph.concat(0, batch, graph.constant(-1, heads,
                    keyDim + valueDim))), 3, keyDim, valueDim);
            Value keyT = graph.transpose(parts.get(0), 0, 2, 3, 1);
            Value value = graph.transpose(parts.get(1), 0, 2, 1, 3);
            // LevitSubsample: view(batch, r, r, c)[:, ::stride, ::stride].reshape(batch, -1, c)
            Value grid = graph.reshape(rows, graph.concat(0, batch, graph.constant(resolutionIn, resolutionIn, in)));
            Value strided = graph.slice(graph.slice(grid, 1, 0, Long.MAX_VALUE, op.stride()), 2, 0, Long.MAX_VALUE,
                    op.stride());
            Value queries = linearBatchNorm(prefix + "queries", in, keyDim * heads, graph.reshape(strided, -1, in));
            Value query = graph.transpose(graph.reshape(queries, graph.concat(0, batch,
                    graph.constant((long) resolutionOut * resolutionOut, heads, keyDim))), 0, 2, 1, 3);
            Value biases = attentionBiases(prefix, heads, gridOffsets(resolutionIn, resolutionOut, op.stride()));
            Value context = attend(query, keyT, value, keyDim, biases);
            Value merged = graph.reshape(graph.transpose(context, 0, 2, 1, 3), -1, projection);
            return linearBatchNorm(prefix + "projection", projection, out, hardswish(merged));
        }

        /** {@code softmax(q · kᵀ · key_dim^-½ + biases) · v}, {@code [batch, heads, queries, value_dim]}. */
        private Value attend(Value query, Value keyT, Value value, long keyDim, Value biases) {
            Value scores = graph.mul(graph.matMul(query, keyT), graph.scalar(ElementType.FLOAT, Math.pow(keyDim, -0.5)));
            return graph.matMul(graph.softmax(graph.add(scores, biases), -1), value);
        }

        /** {@code attention_biases[:, attention_bias_idxs]}: {@code [heads, queries, keys]}. */
        private Value attentionBiases(String prefix, long heads, GridOffsets offsets) {
            Value table = parameters.tensor(prefix + "attention_biases", heads, offsets.count());
            return graph.gather(table, graph.constant(offsets.indices()), 1);
        }

        /** LevitMLPLayer: linear-batch-norm up, hardswish, linear-batch-norm down. */
        private Value mlp(String prefix, long hidden, long expanded, Value rows) {
            Value up = hardswish(linearBatchNorm(prefix + "linear_up", hidden, expanded, rows));
            return linearBatchNorm(prefix + "linear_down", expanded, hidden, up);
        }

        /** MLPLayerWithBN: a bias-free linear layer, then batch norm over the flattened rows. */
        private Value linearBatchNorm(String prefix, long in, long out, Value rows) {
            Value projected = Linear.load(parameters, prefix + ".linear", in, out, Bias.WITHOUT_BIAS)
                    .apply(graph, rows);
            return BatchNorm.load(parameters, prefix + ".batch_norm", out, BatchNorm.DEFAULT_EPSILON)
                    .apply(graph, projected);
        }

        /** {@code x · relu6(x + 3) / 6}, as {@code nn.Hardswish} (HardSwish is an operator only from opset 14). */
        private Value hardswish(Value x) {
            Value gate = graph.clip(graph.add(x, graph.scalar(ElementType.FLOAT, 3.0)), 0.0, 6.0);
            return graph.div(graph.mul(x, gate), graph.scalar(ElementType.FLOAT, 6.0));
        }
    }

    /**
     * The bias index of LevitAttention ({@code stride} 1, queries on the same grid) and LevitAttentionSubsample: for
     * each query position {@code p} of the {@code resolutionOut²} grid and key position {@code q} of the
     * {@code resolutionIn²} grid, the offset {@code (|p₀·stride − q₀|, |p₁·stride − q₁|)} numbered in order of first
     * appearance.
     *
     * @param indices int64 {@code [queries, keys]}
     * @param count the number of distinct offsets (the bias table's width)
     */
    record GridOffsets(TensorData indices, long count) {}

    static GridOffsets gridOffsets(int resolutionIn, int resolutionOut, int stride) {
        Map<Long, Long> numbers = new LinkedHashMap<>();
        int keys = resolutionIn * resolutionIn;
        int queries = resolutionOut * resolutionOut;
        long[] indices = new long[queries * keys];
        for (int p = 0; p < queries; p++) {
            for (int q = 0; q < keys; q++) {
                long rows = Math.abs((long) (p / resolutionOut) * stride - q / resolutionIn);
                long columns = Math.abs((long) (p % resolutionOut) * stride - q % resolutionIn);
                long offset = rows * (1L << 32) + columns;
                Long number = numbers.get(offset);
                if (number == null) {
                    number = (long) numbers.size();
                    numbers.put(offset, number);
                }
                indices[p * keys + q] = number;
            }
        }
        return new GridOffsets(TensorData.ofLongs(indices, queries, keys), numbers.size());
    }
}
