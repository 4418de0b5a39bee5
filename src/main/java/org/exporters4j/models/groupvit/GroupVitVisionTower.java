package org.exporters4j.models.groupvit;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.ScaledDotProductAttention;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.clip.ClipEncoder;
import org.exporters4j.models.clip.TowerOptions;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * GroupViT's vision transformer ({@code GroupViTVisionTransformer}, Transformers 4.25.1) in eval mode: patch
 * embeddings (convolution, {@code layernorm}, the learned position table), then the grouping stages — each appends
 * its learned group tokens (plus, from the second stage on, a projection of the previous stage's group tokens), runs
 * CLIP-style encoder layers over patches and groups together, and, when it has group tokens, assigns the image tokens
 * to the groups ({@code GroupViTTokenAssign}: a cross-attention layer, then hard assignment by the arg-max over the
 * groups, as {@code hard_softmax} computes it in eval, normalized and projected) — then {@code layernorm} and the
 * mean over the remaining tokens. All states are {@code [batch, tokens, hidden]}.
 */
final class GroupVitVisionTower {
    private final OnnxGraphBuilder graph;
    private final Parameters parameters;
    private final GroupVitVisionOptions options;
    private final String prefix;

    /** The tower under {@code prefix}, e.g. {@code "vision_model."}. */
    GroupVitVisionTower(OnnxGraphBuilder graph, Parameters parameters, GroupVitVisionOptions options, String prefix) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.options = Objects.requireNonNull(options, "options");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    /** The pooled output {@code [batch, hidden]} for {@code pixelValues [batch, channels, height, width]}. */
    Value pooled(Value pixelValues) {
        long hidden = hidden();
        Value states = graph.inScope("embeddings", () -> embeddings(pixelValues));
        Value previousGroups = null;
        for (int stage = 0; stage < options.depths().size(); stage++) {
            String stagePrefix = prefix + "encoder.stages." + stage + ".";
            int index = stage;
            Value input = states;
            Value previous = previousGroups;
            StageOutput result = graph.inScope("encoder.stages." + stage,
                    () -> stage(stagePrefix, index, input, previous));
            states = result.tokens();
            previousGroups = result.groups();
        }
        Value normalized = LayerNorm.load(parameters, prefix + "layernorm", hidden, TowerOptions.LAYER_NORM_EPS)
                .apply(graph, states);
        return graph.reduceMean(normalized, KeepDims.NO, 1);
    }

    /** GroupViTVisionEmbeddings: patches, layernorm, plus the position table (no class token). */
    private Value embeddings(Value pixels) {
        long hidden = hidden();
        long patch = options.patchSize();
        String embeddings = prefix + "embeddings.";
        Value projected = graph.conv(pixels,
                parameters.tensor(embeddings + "patch_embeddings.projection.weight", hidden, options.channels(),
                        patch, patch),
                parameters.tensor(embeddings + "patch_embeddings.projection.bias", hidden),
                Window.of(patch, patch).withStrides(patch, patch), 1);
        Value tokens = graph.transpose(graph.reshape(projected, 0, hidden, -1), 0, 2, 1);
        Value normalized = LayerNorm.load(parameters, embeddings + "layernorm", hidden, options.layerNormEps())
                .apply(graph, tokens);
        return graph.add(normalized, parameters.tensor(embeddings + "position_embeddings", 1,
                options.patchCount(), hidden));
    }

    /**
     * What a stage hands on: the (assigned) image tokens, and its group tokens after its layers and before the
     * assignment, which the next stage projects (null when the stage has none).
     */
    private record StageOutput(Value tokens, Value groups) {}

    /** GroupViTStage {@code index}. */
    private StageOutput stage(String stagePrefix, int index, Value states, Value previousGroups) {
        long hidden = hidden();
        int groupCount = options.groupTokens().get(index);
        Value groups = null;
        if (groupCount > 0) {
            Value learned = parameters.tensor(stagePrefix + "group_token", 1, groupCount, hidden);
            groups = graph.expand(learned, graph.concat(0, graph.shape(states, 0, 1), graph.constant(groupCount,
                    hidden)));
            int previousCount = index > 0 ? options.outputGroups().get(index - 1) : 0;
            if (previousCount > 0) {
                // group_projector: LayerNorm, then a mixer MLP from the previous stage's groups to this stage's
                Value normalized = LayerNorm.load(parameters, stagePrefix + "group_projector.0", hidden,
                        options.layerNormEps()).apply(graph, previousGroups);
                groups = graph.add(groups, mixer(stagePrefix + "group_projector.1", normalized));
            }
        }
        Value joined = groups == null ? states : graph.concat(1, states, groups);
        TokenGrid grid = new TokenGrid(graph.shape(joined, 0, 2));
        Value rows = graph.reshape(joined, -1, hidden);
        Value zero = graph.scalar(ElementType.FLOAT, 0.0);
        for (int layer = 0; layer < options.depths().get(index); layer++) {
            String layerPrefix = stagePrefix + "layers." + layer + ".";
            Value input = rows;
            rows = graph.inScope("layers." + layer,
                    () -> ClipEncoder.layer(graph, parameters, layerPrefix, options.tower(), input, zero, grid));
        }
        Value encoded = grid.unflatten(graph, rows, hidden);
        if (groups == null) {
            return new StageOutput(encoded, null);
        }
        // split_x: the image tokens, then the group tokens
        Value imageTokens = graph.slice(encoded, graph.constant(0), graph.constant(-groupCount), graph.constant(1));
        Value groupTokens = graph.slice(encoded, graph.constant(-groupCount), graph.constant(Long.MAX_VALUE),
                graph.constant(1));
        Value assigned = graph.inScope("downsample", () -> assign(stagePrefix + "downsample.", index, imageTokens,
                groupTokens));
        return new StageOutput(assigned, groupTokens);
    }

    /** GroupViTTokenAssign: the image tokens gathered into {@code num_output_groups} group tokens. */
    private Value assign(String assignPrefix, int index, Value imageTokens, Value groupTokens) {
        long hidden = hidden();
        Value groups = norm(assignPrefix + "norm_tokens", groupTokens);
        Value image = norm(assignPrefix + "norm_x", imageTokens);
        Value projected = norm(assignPrefix + "norm_post_tokens", mixer(assignPrefix + "mlp_inter", groups));
        projected = crossAttentionLayer(assignPrefix + "pre_assign_attn.", projected, image);
        Value assigned = graph.add(hardAssignment(assignPrefix + "assign.", index, projected, image), projected);
        Value channels = mlp(assignPrefix + "mlp_channels", hidden, options.channelsWidth(), hidden,
                norm(assignPrefix + "norm_new_x", assigned));
        return graph.add(assigned, channels);
    }

    /** GroupViTCrossAttentionLayer: {@code x = q + attn(q, k)}, {@code x + mlp(norm2(x))}, then {@code norm_post}. */
    private Value crossAttentionLayer(String layerPrefix, Value query, Value key) {
        long hidden = hidden();
        Value attended = graph.add(query, attention(layerPrefix + "attn.", query, key));
        Value fed = graph.add(attended, mlp(layerPrefix + "mlp", hidden, options.tower().intermediateSize(), hidden,
                norm(layerPrefix + "norm2", attended)));
        return norm(layerPrefix + "norm_post", fed);
    }

    /** GroupViTAttention: multi-head attention of {@code query} over {@code key}, with {@code out_proj}. */
    private Value attention(String attentionPrefix, Value query, Value key) {
        long hidden = hidden();
        int heads = options.tower().heads();
        long headSize = options.tower().headSize();
        Value q = graph.mul(linear(attentionPrefix + "q_proj", hidden, hidden, query),
                graph.scalar(ElementType.FLOAT, Math.pow(headSize, -0.5)));
        Value k = linear(attentionPrefix + "k_proj", hidden, hidden, key);
        Value v = linear(attentionPrefix + "v_proj", hidden, hidden, key);
        Value context = ScaledDotProductAttention.attend(graph, split(q, heads, headSize),
                graph.transpose(split(k, heads, headSize), 0, 1, 3, 2), split(v, heads, headSize), ScoreScale.none(),
                UnaryOperator.identity());
        Value merged = graph.reshape(graph.transpose(context, 0, 2, 1, 3), 0, 0, hidden);
        return linear(attentionPrefix + "out_proj", hidden, hidden, merged);
    }

    /**
     * GroupViTAssignAttention in eval: scores {@code q · kᵀ / √hidden} {@code [batch, groups, tokens]}, each image
     * token assigned to its arg-max group ({@code hard_softmax} over the groups: {@code one_hot − soft + soft}),
     * each group's weights divided by their sum plus {@code assign_eps}, then the weighted values and {@code proj}.
     */
    private Value hardAssignment(String assignPrefix, int index, Value groups, Value image) {
        long hidden = hidden();
        Value q = linear(assignPrefix + "q_proj", hidden, hidden, groups);
        Value k = linear(assignPrefix + "k_proj", hidden, hidden, image);
        Value v = linear(assignPrefix + "v_proj", hidden, hidden, image);
        Value raw = graph.mul(graph.matMul(q, graph.transpose(k, 0, 2, 1)),
                graph.scalar(ElementType.FLOAT, Math.pow(hidden, -0.5)));
        Value soft = graph.softmax(raw, 1);
        long groupCount = options.outputGroups().get(index);
        Value chosen = graph.argMax(soft, 1, KeepDims.YES);
        Value groupIds = graph.reshape(graph.range(graph.scalar(0), graph.scalar(groupCount), graph.scalar(1)),
                1, groupCount, 1);
        Value hard = graph.cast(graph.equal(groupIds, chosen), ElementType.FLOAT);
        Value weights = graph.add(graph.sub(hard, soft), soft);
        Value normalized = graph.div(weights, graph.add(graph.reduceSum(weights, KeepDims.YES, -1),
                graph.scalar(ElementType.FLOAT, options.assignEps())));
        return linear(assignPrefix + "proj", hidden, hidden, graph.matMul(normalized, v));
    }

    /** GroupViTMixerMLP: the MLP applied across tokens ({@code mlp(x.transpose(1, 2)).transpose(1, 2)}). */
    private Value mixer(String mixerPrefix, Value tokens) {
        long in = parameters.dimension(mixerPrefix + ".fc1.weight", 1);
        long width = parameters.dimension(mixerPrefix + ".fc1.weight", 0);
        long out = parameters.dimension(mixerPrefix + ".fc2.weight", 0);
        return graph.transpose(mlp(mixerPrefix, in, width, out, graph.transpose(tokens, 0, 2, 1)), 0, 2, 1);
    }

    /** GroupViTMLP: {@code fc2(act(fc1(x)))} with {@code hidden_act}. */
    private Value mlp(String mlpPrefix, long in, long width, long out, Value x) {
        Value inner = options.tower().activation().apply(graph, linear(mlpPrefix + ".fc1", in, width, x));
        return linear(mlpPrefix + ".fc2", width, out, inner);
    }

    private Value linear(String linearPrefix, long in, long out, Value x) {
        return Linear.load(parameters, linearPrefix, in, out).applyToLastAxis(graph, x);
    }

    private Value split(Value x, int heads, long headSize) {
        return graph.transpose(graph.reshape(x, 0, 0, heads, headSize), 0, 2, 1, 3);
    }

    private Value norm(String normPrefix, Value x) {
        return LayerNorm.load(parameters, normPrefix, hidden(), options.layerNormEps()).apply(graph, x);
    }

    private long hidden() {
        return options.tower().hiddenSize();
    }
}
