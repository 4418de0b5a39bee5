package org.exporters4j.models.opt;

import java.util.Optional;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.CacheLayout;
import org.exporters4j.models.blocks.CachedAttention;
import org.exporters4j.models.blocks.CachedAttention.Masking;
import org.exporters4j.models.blocks.CausalMask;
import org.exporters4j.models.blocks.DecoderArchitecture;
import org.exporters4j.models.blocks.DecoderBody;
import org.exporters4j.models.blocks.DecoderInputs;
import org.exporters4j.models.blocks.DecoderInputs.LayerPast;
import org.exporters4j.models.blocks.LastTokenPooling;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.Linear.Bias;
import org.exporters4j.models.blocks.ScaledDotProductAttention.ScoreScale;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * OPT as Transformers 4.51 computes it ({@code modeling_opt.py}): token embeddings of width
 * {@code word_embed_proj_dim}, projected to {@code hidden_size} by {@code project_in} when the two differ, plus
 * learned positions ({@code embed_positions}, offset 2) at {@code position_ids} or, without them, at
 * {@code cumsum(mask)·mask − 1}; {@code num_hidden_layers} blocks of multi-head attention (scores times
 * {@code head_dim^−½}) and a ReLU MLP ({@code fc1}, {@code fc2}), each with its LayerNorm before the sublayer
 * ({@code do_layer_norm_before}, the default) or after the residual sum (false, as OPT-350m); biases when
 * {@code enable_bias}; LayerNorms without weights when {@code layer_norm_elementwise_affine} is false; then
 * {@code final_layer_norm} (pre-norm models only, unless {@code _remove_final_layer_norm}), {@code project_out}
 * back to {@code word_embed_proj_dim}, and the head: {@code lm_head} (tied to the embeddings), {@code score} or
 * {@code qa_outputs}, all of width {@code word_embed_proj_dim}.
 */
public final class OptArchitecture extends DecoderArchitecture {
    private static final HeadWeights HEAD_WEIGHTS = HeadWeights.standard(LastTokenPooling.RIGHTMOST_NON_PADDING);
    /** {@code OPTLearnedPositionalEmbedding.offset}: the first two rows of the table are never a position. */
    private static final long POSITION_OFFSET = 2;

    /** @param heads the heads built without the cache (the bare model and the LM head are also built with it) */
    public OptArchitecture(String modelType, Set<Head> heads) {
        super(modelType, "opt", heads, languageModelHeads(), Body::new);
    }

    private static final class Body extends DecoderBody {
        /** The decoder's prefix below the base model: {@code model.decoder.}, or {@code decoder.}. */
        private final String decoder;
        /** {@code word_embed_proj_dim}: the width of the embeddings and the heads, {@code hidden} by default. */
        private final long projected;
        private final long intermediate;
        private final long positions;
        private final Activation activation;
        private final Bias bias;
        private final boolean normBefore;
        private final boolean finalNorm;
        private final boolean affineNorms;

        Body(ModelConfig config, OnnxGraphBuilder graph, Parameters parameters) {
            super(config, graph, parameters, "model", "decoder.embed_tokens.weight");
            this.decoder = base + "decoder.";
            this.projected = config.optionalInt("word_embed_proj_dim").map(Integer::longValue).orElse(hidden);
            this.intermediate = config.intValue("ffn_dim");
            this.positions = config.intValue("max_position_embeddings") + POSITION_OFFSET;
            this.activation = Activation.fromConfig(config, "activation_function");
            this.bias = Bias.when(config.optionalBoolean("enable_bias").orElse(true));
            this.normBefore = config.optionalBoolean("do_layer_norm_before").orElse(true);
            this.finalNorm = normBefore && !config.optionalBoolean("_remove_final_layer_norm").orElse(false);
            this.affineNorms = config.optionalBoolean("layer_norm_elementwise_affine").orElse(true);
        }

        @Override
        public DecoderSpec spec() {
            return new DecoderSpec(new DecoderInputs.CacheShape(layers, heads, headDim,
                    CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM), DecoderInputs.WITH_POSITION_IDS, projected, vocab,
                    HEAD_WEIGHTS);
        }

        @Override
        public Value embed(DecoderInputs inputs) {
            Value words = graph.reshape(graph.gather(parameters.tensor(wordEmbeddings(), vocab, projected),
                    inputs.inputIds(), 0), -1, projected);
            if (projected != hidden) {
                words = Linear.load(parameters, decoder + "project_in", projected, hidden, Bias.WITHOUT_BIAS)
                        .apply(graph, words);
            }
            Value at = graph.add(inputs.positionsCountedByMask(graph, -1), graph.scalar(POSITION_OFFSET));
            Value learned = graph.gather(parameters.tensor(decoder + "embed_positions.weight", positions, hidden), at, 0);
            return graph.add(words, graph.reshape(learned, -1, hidden));
        }

        @Override
        public LayerStep layer(int index, Value rows, DecoderInputs inputs, CausalMask mask, Optional<LayerPast> past) {
            String prefix = decoder + "layers." + index + ".";
            Value attentionInput = normBefore ? layerNorm(prefix + "self_attn_layer_norm", rows) : rows;
            Value query = projectHeads(prefix + "self_attn.q_proj", attentionInput, heads, bias, inputs);
            Value key = projectHeads(prefix + "self_attn.k_proj", attentionInput, heads, bias, inputs);
            Value value = projectHeads(prefix + "self_attn.v_proj", attentionInput, heads, bias, inputs);
            CachedAttention.Result attended = new CachedAttention(heads, heads, headDim,
                    ScoreScale.multipliedBy(Math.pow(headDim, -0.5)), Masking.VISIBLE_OR_MINIMUM)
                    .apply(graph, query, key, value, past, mask);
            Value attentionOutput = graph.add(rows, Linear.load(parameters, prefix + "self_attn.out_proj", hidden,
                    hidden, bias).apply(graph, attended.contextRows()));
            if (!normBefore) {
                attentionOutput = layerNorm(prefix + "self_attn_layer_norm", attentionOutput);
            }
            Value feedForwardInput = normBefore ? layerNorm(prefix + "final_layer_norm", attentionOutput)
                    : attentionOutput;
            Value output = graph.add(attentionOutput, mlp(prefix + "fc1", prefix + "fc2", intermediate, activation,
                    bias, feedForwardInput));
            if (!normBefore) {
                output = layerNorm(prefix + "final_layer_norm", output);
            }
            return new LayerStep(output, attended);
        }

        /** A LayerNorm of width {@code hidden}; with {@code layer_norm_elementwise_affine} false it has no weights. */
        private Value layerNorm(String prefix, Value rows) {
            LayerNorm norm = affineNorms ? LayerNorm.load(parameters, prefix, hidden, 1e-5)
                    : new LayerNorm(graph.constant(TensorData.ofFloats(ones(hidden), hidden)),
                            graph.constant(TensorData.ofFloats(new float[(int) hidden], hidden)), 1e-5);
            return norm.apply(graph, rows);
        }

        private static float[] ones(long size) {
            float[] values = new float[(int) size];
            java.util.Arrays.fill(values, 1.0f);
            return values;
        }

        @Override
        public Value finalNorm(Value rows) {
            Value normalized = finalNorm ? layerNorm(decoder + "final_layer_norm", rows) : rows;
            return projected != hidden ? Linear.load(parameters, decoder + "project_out", hidden, projected,
                    Bias.WITHOUT_BIAS).apply(graph, normalized) : normalized;
        }

        @Override
        public Value languageModelLogits(Value rows) {
            return DecoderArchitecture.tiedLanguageModelLogits(graph, parameters, tie, wordEmbeddings(),
                    "lm_head.weight", projected, vocab, rows);
        }
    }
}
