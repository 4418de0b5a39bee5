package org.exporters4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.DecoderRuns;
import org.exporters4j.models.DecoderRuns.Tensor;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mixtral's, OLMo's and Phi-3's options that fixtures-today leaves at values that do not show them: Mixtral's top-k
 * routing (k = 1 and 2 of 3 experts) and OLMo's {@code clip_qkv} (small enough to clamp most projections) against an
 * independent float64 computation of a one-layer model written here from Transformers 4.51's modeling files; Phi-3's
 * LongRoPE (short factors up to {@code original_max_position_embeddings}, long factors beyond, the default attention
 * factor) against the same model with the chosen factors as short ones and the attention factor folded into the
 * query rows of {@code qkv_proj}; and the refusals of what these types' configurations do not allow.
 */
class TodayFlavoursTest {
    private static final long[] IDS = {5, 17, 33, 8, 61, 12, 90};
    /** float32 graph against the float64 reference. */
    private static final double REFERENCE_TOLERANCE = 1e-4;

    @TempDir
    Path folder;

    private static EditedCheckpoint today(String fixture) throws Exception {
        return EditedCheckpoint.of(SharedFiles.fixturesToday().resolve(fixture).resolve("checkpoint"));
    }

    /** The causal-LM logits {@code [1, n, vocab]} of {@code ids} as one sequence, flattened. */
    private float[] logits(EditedCheckpoint checkpoint, String modelType, String name, long[] ids) throws Exception {
        Path dir = checkpoint.write(folder.resolve(name));
        GraphInterface graphInterface = new GraphInterface(List.of(
                InterfaceTensor.of("input_ids", ElementType.INT64, Map.of(0, "batch_size", 1, "sequence_length")),
                InterfaceTensor.of("attention_mask", ElementType.INT64, Map.of(0, "batch_size", 1,
                        "sequence_length"))),
                List.of(InterfaceTensor.of("logits", ElementType.FLOAT, Map.of(0, "batch_size", 1,
                        "sequence_length"))), Opset.of(14));
        Path out = folder.resolve(name + "-onnx");
        try (Weights weights = Checkpoints.openWeights(dir)) {
            new ModelWriter(WeightsLocation.AUTOMATIC).write(ModelTypes.architecture(modelType).build(
                    ModelConfig.read(dir.resolve("config.json")), weights, Variant.of(Head.CAUSAL_LM),
                    graphInterface), out);
        }
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        try (DecoderRuns.Session session = new DecoderRuns.Session(out.resolve("model.onnx"))) {
            return session.run(Map.of("input_ids", Tensor.ofLongs(new long[] {1, ids.length}, ids),
                    "attention_mask", Tensor.ofLongs(new long[] {1, ids.length}, mask))).get("logits").floats();
        }
    }

    /** The fixture's checkpoint cut to its first layer. */
    private static EditedCheckpoint oneLayer(String fixture) throws Exception {
        EditedCheckpoint checkpoint = today(fixture);
        checkpoint.config().put("num_hidden_layers", 1);
        for (String name : new ArrayList<>(checkpoint.names())) {
            if (name.contains("layers.1.")) {
                checkpoint.remove(name);
            }
        }
        return checkpoint;
    }

    private static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(diff <= tolerance, what + ": max abs diff " + diff);
    }

    private static void assertDiffer(float[] a, float[] b, String what) {
        double diff = DecoderRuns.maxAbsDiff(a, b);
        assertTrue(diff > 1e-2, what + " makes no difference (max abs diff " + diff + ")");
    }

    /**
     * Mixtral with 1 and with 2 of its 3 experts per token: the graph's logits equal the float64 reference's
     * (softmax over the router logits, the k most probable experts, their weights renormalised, the weighted sum of
     * their SwiGLU outputs), and the two differ.
     */
    @Test
    void mixtralTopKRoutingEqualsTheReference() throws Exception {
        List<float[]> results = new ArrayList<>();
        for (int k : new int[] {1, 2}) {
            EditedCheckpoint checkpoint = oneLayer("mixtral--text-generation");
            checkpoint.config().put("num_experts_per_tok", k);
            float[] actual = logits(checkpoint, "mixtral", "mixtral-top-" + k, IDS);
            assertClose(new OneLayerReference(checkpoint).logits(IDS), actual, REFERENCE_TOLERANCE,
                    "mixtral top-" + k);
            results.add(actual);
        }
        assertDiffer(results.get(0), results.get(1), "top-1 against top-2");
    }

    /**
     * OLMo with {@code clip_qkv} 0.25 (most projected values are larger) and attention biases: the graph's logits
     * equal the float64 reference's, and differ from those without the clamp.
     */
    @Test
    void olmoClipQkvEqualsTheReference() throws Exception {
        EditedCheckpoint checkpoint = oneLayer("olmo--text-generation");
        SplittableRandom random = new SplittableRandom(9);
        checkpoint.config().put("attention_bias", true);
        String prefix = "model.layers.0.self_attn.";
        checkpoint.put(prefix + "q_proj.bias", EditedCheckpoint.random(random, 0.1, 32));
        checkpoint.put(prefix + "k_proj.bias", EditedCheckpoint.random(random, 0.1, 16));
        checkpoint.put(prefix + "v_proj.bias", EditedCheckpoint.random(random, 0.1, 16));
        checkpoint.put(prefix + "o_proj.bias", EditedCheckpoint.random(random, 0.1, 32));
        float[] unclipped = logits(checkpoint, "olmo", "olmo-unclipped", IDS);
        assertClose(new OneLayerReference(checkpoint).logits(IDS), unclipped, REFERENCE_TOLERANCE, "olmo unclipped");
        checkpoint.config().put("clip_qkv", 0.25);
        OneLayerReference reference = new OneLayerReference(checkpoint);
        float[] clipped = logits(checkpoint, "olmo", "olmo-clipped", IDS);
        assertClose(reference.logits(IDS), clipped, REFERENCE_TOLERANCE, "olmo clip_qkv 0.25");
        assertTrue(reference.clampedShare > 0.5, "clip_qkv 0.25 clamps only " + reference.clampedShare
                + " of the projected values");
        assertDiffer(unclipped, clipped, "olmo's clip_qkv");
    }

    /**
     * Phi-3's LongRoPE: with {@code original_max_position_embeddings} 4 of 64 positions, 7 tokens use the long
     * factors and 3 tokens the short ones, both with cos/sin scaled by the default attention factor
     * √(1 + ln 16 / ln 4) = √3; that equals the checkpoint whose original length is 64 (no scaling beyond, attention
     * factor 1) with the chosen factors as its short ones and the query rows of {@code qkv_proj} times 3 (the factor
     * squared, as it scales both queries and keys). The old names su and yarn read as longrope.
     */
    @Test
    void phi3LongRopeChoosesItsFactorsByTheSequenceLength() throws Exception {
        double[] shortFactors = {1.0, 1.5, 2.5, 4.0};
        double[] longFactors = {3.0, 6.0, 12.0, 20.0};
        long[] prompt = Arrays.copyOf(IDS, 3);
        EditedCheckpoint scaled = phi3(4, shortFactors, longFactors, "longrope");
        float[] longActual = logits(scaled, "phi3", "phi3-long", IDS);
        float[] shortActual = logits(scaled, "phi3", "phi3-short", prompt);
        EditedCheckpoint longReference = phi3(64, longFactors, shortFactors, "longrope");
        EditedCheckpoint shortReference = phi3(64, shortFactors, longFactors, "longrope");
        for (EditedCheckpoint reference : List.of(longReference, shortReference)) {
            for (int layer = 0; layer < 2; layer++) {
                String name = "model.layers." + layer + ".self_attn.qkv_proj.weight";
                EditedCheckpoint.Tensor fused = reference.tensor(name);
                float[] values = fused.values().clone();
                for (int i = 0; i < 32 * 32; i++) {
                    values[i] *= 3; // the 32 query rows of [64, 32]
                }
                reference.put(name, new EditedCheckpoint.Tensor(fused.shape(), values));
            }
        }
        float[] longExpected = logits(longReference, "phi3", "phi3-long-reference", IDS);
        float[] shortExpected = logits(shortReference, "phi3", "phi3-short-reference", prompt);
        assertClose(toDoubles(longExpected), longActual, 2e-5, "phi3 beyond original_max_position_embeddings");
        assertClose(toDoubles(shortExpected), shortActual, 2e-5, "phi3 within original_max_position_embeddings");
        assertDiffer(logits(shortReference, "phi3", "phi3-short-reference-7", IDS), longActual,
                "the long factors");
        for (String oldName : List.of("su", "yarn")) {
            assertClose(toDoubles(longActual), logits(phi3(4, shortFactors, longFactors, oldName), "phi3",
                    "phi3-" + oldName, IDS), 0, "rope_scaling type " + oldName);
        }
    }

    private static EditedCheckpoint phi3(int original, double[] shortFactors, double[] longFactors, String type)
            throws Exception {
        EditedCheckpoint checkpoint = today("phi3--text-generation");
        checkpoint.config().put("original_max_position_embeddings", original).put("max_position_embeddings", 64);
        ObjectNode scaling = checkpoint.config().putObject("rope_scaling");
        scaling.put("type", type);
        Arrays.stream(shortFactors).forEach(scaling.putArray("short_factor")::add);
        Arrays.stream(longFactors).forEach(scaling.putArray("long_factor")::add);
        return checkpoint;
    }

    private static double[] toDoubles(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }

    /** What these types' configurations do not allow is refused, naming the option, its value and the choices. */
    @Test
    void refusesWhatTheConfigurationsDoNotAllow() throws Exception {
        refuse("phi3",
                Map.of("rope_scaling", Map.of("type", "linear", "factor", 2.0)), "rope_scaling", "linear",
                "longrope");
        refuse("phi3",
                Map.of("rope_scaling", Map.of("type", "longrope", "short_factor", List.of(1.0),
                        "long_factor", List.of(1.0))), "short_factor", "4 numbers");
        refuse("mixtral",
                Map.of("num_experts_per_tok", 4), "num_experts_per_tok 4", "num_local_experts 3");
        refuse("olmo",
                Map.of("clip_qkv", -1.0), "clip_qkv", "-1.0", "positive");
        refuse("olmo",
                Map.of("sliding_window", 4), "sliding_window 4", "mistral");
        refuse("olmo",
                Map.of("partial_rotary_factor", 0.5), "partial_rotary_factor 0.5", "1.0");
        refuse("starcoder2",
                Map.of("norm_epsilon", 0.0), "norm_epsilon", "positive");
    }

    /**
     * Building the {@code text-generation} fixture of {@code modelType} with {@code overrides} applied to its config
     * is refused with a message that names every one of {@code named}.
     */
    private static void refuse(String modelType, Map<String, ?> overrides, String... named) throws Exception {
        Fixture fixture = Fixture.ofToday(List.of(modelType)).stream()
                .filter(f -> f.task().equals("text-generation")).findFirst().orElseThrow();
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json")).withOverrides(overrides);
        UnsupportedConfigException error;
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            error = assertThrows(UnsupportedConfigException.class, () -> ModelTypes.architecture(modelType)
                    .build(config, weights, Variant.of(Head.CAUSAL_LM), DecoderRuns.graphInterface(fixture)));
        }
        for (String name : named) {
            assertTrue(error.getMessage().contains(name), "message should name " + name + ": " + error.getMessage());
        }
    }

    /**
     * A one-layer Llama-family decoder in float64, written from Transformers 4.51's modeling files for the options
     * under test: Mixtral (RMSNorm with weights, {@code block_sparse_moe}) and OLMo (LayerNorm without parameters,
     * {@code clip_qkv}, optional attention biases), rotary embeddings of {@code rope_theta} on whole heads,
     * grouped-query causal attention, an untied {@code lm_head}.
     */
    private static final class OneLayerReference {
        private final EditedCheckpoint checkpoint;
        private final boolean olmo;
        private final int hidden;
        private final int heads;
        private final int kvHeads;
        private final int headDim;
        private final double theta;
        private final double clip;
        private double clampedShare;

        OneLayerReference(EditedCheckpoint checkpoint) {
            this.checkpoint = checkpoint;
            ObjectNode config = checkpoint.config();
            this.olmo = config.get("model_type").asText().equals("olmo");
            this.hidden = config.get("hidden_size").asInt();
            this.heads = config.get("num_attention_heads").asInt();
            this.kvHeads = config.get("num_key_value_heads").asInt();
            this.headDim = hidden / heads;
            this.theta = config.get("rope_theta").asDouble();
            this.clip = config.hasNonNull("clip_qkv") ? config.get("clip_qkv").asDouble() : Double.POSITIVE_INFINITY;
        }

        double[] logits(long[] ids) {
            int n = ids.length;
            EditedCheckpoint.Tensor embeddings = checkpoint.tensor("model.embed_tokens.weight");
            double[][] x = new double[n][hidden];
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < hidden; i++) {
                    x[t][i] = embeddings.at(ids[t], i);
                }
            }
            String prefix = "model.layers.0.";
            double[][] normalized = norm(x, prefix + "input_layernorm");
            double[][] q = clamp(linear(normalized, prefix + "self_attn.q_proj"));
            double[][] k = clamp(linear(normalized, prefix + "self_attn.k_proj"));
            double[][] v = clamp(linear(normalized, prefix + "self_attn.v_proj"));
            rotate(q, heads);
            rotate(k, kvHeads);
            double[][] context = new double[n][heads * headDim];
            for (int h = 0; h < heads; h++) {
                int g = h / (heads / kvHeads);
                for (int t = 0; t < n; t++) {
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += q[t][h * headDim + d] * k[s][g * headDim + d];
                        }
                        scores[s] = dot / Math.sqrt(headDim);
                        max = Math.max(max, scores[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        sum += scores[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int d = 0; d < headDim; d++) {
                            context[t][h * headDim + d] += scores[s] / sum * v[s][g * headDim + d];
                        }
                    }
                }
            }
            double[][] residual = add(x, linear(context, prefix + "self_attn.o_proj"));
            double[][] feedForwardInput = norm(residual, prefix + "post_attention_layernorm");
            double[][] out = add(residual, olmo ? swiGlu(feedForwardInput, prefix + "mlp.gate_proj",
                    prefix + "mlp.up_proj", prefix + "mlp.down_proj") : experts(feedForwardInput, prefix));
            double[][] logits = linear(norm(out, "model.norm"), "lm_head");
            return Arrays.stream(logits).flatMapToDouble(Arrays::stream).toArray();
        }

        /** OLMo: LayerNorm without parameters, epsilon 1e-5; Mixtral: RMSNorm with its weight. */
        private double[][] norm(double[][] x, String prefix) {
            double[][] result = new double[x.length][];
            for (int t = 0; t < x.length; t++) {
                double mean = olmo ? Arrays.stream(x[t]).average().orElseThrow() : 0;
                double square = 0;
                for (double value : x[t]) {
                    square += (value - mean) * (value - mean);
                }
                double epsilon = olmo ? 1e-5 : checkpoint.config().get("rms_norm_eps").asDouble();
                double scale = 1 / Math.sqrt(square / x[t].length + epsilon);
                result[t] = new double[x[t].length];
                for (int i = 0; i < x[t].length; i++) {
                    double weight = olmo ? 1 : checkpoint.tensor(prefix + ".weight").at(i);
                    result[t][i] = (x[t][i] - mean) * scale * weight;
                }
            }
            return result;
        }

        /** {@code x · Wᵀ (+ b)} where the checkpoint has {@code <prefix>.bias}. */
        private double[][] linear(double[][] x, String prefix) {
            EditedCheckpoint.Tensor weight = checkpoint.tensor(prefix + ".weight");
            boolean biased = checkpoint.names().contains(prefix + ".bias");
            int out = weight.shape().get(0).intValue();
            double[][] result = new double[x.length][out];
            for (int t = 0; t < x.length; t++) {
                for (int o = 0; o < out; o++) {
                    double sum = biased ? checkpoint.tensor(prefix + ".bias").at(o) : 0;
                    for (int i = 0; i < x[t].length; i++) {
                        sum += x[t][i] * weight.at(o, i);
                    }
                    result[t][o] = sum;
                }
            }
            return result;
        }

        private double[][] clamp(double[][] x) {
            int clamped = 0;
            int count = 0;
            for (double[] row : x) {
                for (int i = 0; i < row.length; i++) {
                    count++;
                    if (Math.abs(row[i]) > clip) {
                        clamped++;
                        row[i] = Math.copySign(clip, row[i]);
                    }
                }
            }
            clampedShare = Math.max(clampedShare, (double) clamped / count);
            return x;
        }

        /** Rotary embeddings on whole heads, channels {@code i} and {@code i + headDim / 2} paired, position t. */
        private void rotate(double[][] x, int headCount) {
            int half = headDim / 2;
            for (int t = 0; t < x.length; t++) {
                for (int h = 0; h < headCount; h++) {
                    for (int i = 0; i < half; i++) {
                        double angle = t / Math.pow(theta, 2.0 * i / headDim);
                        double first = x[t][h * headDim + i];
                        double second = x[t][h * headDim + i + half];
                        x[t][h * headDim + i] = first * Math.cos(angle) - second * Math.sin(angle);
                        x[t][h * headDim + i + half] = second * Math.cos(angle) + first * Math.sin(angle);
                    }
                }
            }
        }

        private double[][] swiGlu(double[][] x, String gate, String up, String down) {
            double[][] gated = linear(x, gate);
            double[][] upped = linear(x, up);
            for (int t = 0; t < x.length; t++) {
                for (int i = 0; i < gated[t].length; i++) {
                    gated[t][i] = gated[t][i] / (1 + Math.exp(-gated[t][i])) * upped[t][i];
                }
            }
            return linear(gated, down);
        }

        /** {@code MixtralSparseMoeBlock}: softmax over the router, top-k, renormalised, the experts' weighted sum. */
        private double[][] experts(double[][] x, String prefix) {
            int count = checkpoint.config().get("num_local_experts").asInt();
            int k = checkpoint.config().get("num_experts_per_tok").asInt();
            double[][] router = linear(x, prefix + "block_sparse_moe.gate");
            double[][] result = new double[x.length][hidden];
            for (int t = 0; t < x.length; t++) {
                double max = Arrays.stream(router[t]).max().orElseThrow();
                double[] probabilities = Arrays.stream(router[t]).map(value -> Math.exp(value - max)).toArray();
                double total = Arrays.stream(probabilities).sum();
                Integer[] order = new Integer[count];
                for (int e = 0; e < count; e++) {
                    order[e] = e;
                    probabilities[e] /= total;
                }
                Arrays.sort(order, (a, b) -> Double.compare(probabilities[b], probabilities[a]));
                double selected = 0;
                for (int rank = 0; rank < k; rank++) {
                    selected += probabilities[order[rank]];
                }
                for (int rank = 0; rank < k; rank++) {
                    int e = order[rank];
                    String expert = prefix + "block_sparse_moe.experts." + e + ".";
                    double[] output = swiGlu(new double[][] {x[t]}, expert + "w1", expert + "w3", expert + "w2")[0];
                    for (int i = 0; i < hidden; i++) {
                        result[t][i] += probabilities[e] / selected * output[i];
                    }
                }
            }
            return result;
        }

        private static double[][] add(double[][] a, double[][] b) {
            double[][] result = new double[a.length][];
            for (int t = 0; t < a.length; t++) {
                result[t] = new double[a[t].length];
                for (int i = 0; i < a[t].length; i++) {
                    result[t][i] = a[t][i] + b[t][i];
                }
            }
            return result;
        }
    }
}
