package org.exporters4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.DecoderRuns;
import org.exporters4j.models.DecoderRuns.Tensor;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Llama flavours' options that fixtures-today leaves at values that do not show them, each checked against an
 * identity that holds in Transformers' computation: a multiplier equals the same weights scaled by it; a sliding
 * window of one token leaves each token attending to itself alone, so every position's logits equal those of the
 * token run alone, exactly on the layers the type's rule windows.
 */
class LlamaOptionsTest {
    private static final long[] IDS = {5, 17, 33, 8, 61, 12, 90};

    @TempDir
    Path folder;

    private static EditedCheckpoint today(String fixture) throws Exception {
        return EditedCheckpoint.of(SharedFiles.fixturesToday().resolve(fixture).resolve("checkpoint"));
    }

    /** Causal-LM logits {@code [1, n, vocab]} of {@code ids} as one sequence, flattened. */
    private float[] logits(EditedCheckpoint checkpoint, String modelType, String name, long[] ids, long batch)
            throws Exception {
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
        long length = ids.length / batch;
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(mask, 1);
        try (DecoderRuns.Session session = new DecoderRuns.Session(out.resolve("model.onnx"))) {
            return session.run(Map.of("input_ids", Tensor.ofLongs(new long[] {batch, length}, ids),
                    "attention_mask", Tensor.ofLongs(new long[] {batch, length}, mask))).get("logits").floats();
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double diff = DecoderRuns.maxAbsDiff(expected, actual);
        assertTrue(diff <= 2e-5, what + ": max abs diff " + diff);
    }

    private static void assertDiffer(float[] a, float[] b, String what) {
        double diff = DecoderRuns.maxAbsDiff(a, b);
        assertTrue(diff > 1e-3, what + " makes no difference (max abs diff " + diff + ")");
    }

    private static EditedCheckpoint.Tensor times(EditedCheckpoint.Tensor tensor, double factor) {
        float[] values = tensor.values().clone();
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (values[i] * factor);
        }
        return new EditedCheckpoint.Tensor(tensor.shape(), values);
    }

    private static void scale(EditedCheckpoint checkpoint, String name, double factor) {
        checkpoint.put(name, times(checkpoint.tensor(name), factor));
    }

    /**
     * Granite's multipliers: embeddings × e, scores × a, each branch × r before its residual, logits ÷ s equal
     * multipliers of 1 with {@code embed_tokens} × e, {@code q_proj} × a, {@code o_proj} and {@code down_proj} × r
     * and {@code lm_head} ÷ s.
     */
    @Test
    void graniteMultipliersEqualTheWeightsScaledByThem() throws Exception {
        EditedCheckpoint multiplied = today("granite--text-generation");
        float[] plain = logits(multiplied, "granite", "granite-plain", IDS, 1);
        multiplied.config().put("embedding_multiplier", 2.0).put("attention_multiplier", 0.8)
                .put("residual_multiplier", 0.5).put("logits_scaling", 4.0);
        float[] actual = logits(multiplied, "granite", "granite-multiplied", IDS, 1);
        EditedCheckpoint scaled = today("granite--text-generation");
        scaled.config().put("attention_multiplier", 1.0);
        scale(scaled, "model.embed_tokens.weight", 2.0);
        scale(scaled, "lm_head.weight", 0.25);
        for (int layer = 0; layer < 2; layer++) {
            scale(scaled, "model.layers." + layer + ".self_attn.q_proj.weight", 0.8);
            scale(scaled, "model.layers." + layer + ".self_attn.o_proj.weight", 0.5);
            scale(scaled, "model.layers." + layer + ".mlp.down_proj.weight", 0.5);
        }
        assertClose(logits(scaled, "granite", "granite-scaled", IDS, 1), actual, "granite multipliers");
        assertDiffer(plain, actual, "granite's multipliers");
    }

    /**
     * Gemma 2's scores scale by {@code query_pre_attn_scalar^-0.5}, not {@code head_dim^-0.5}: a scalar of 2
     * equals the fixture's 8 (= head_dim) with the queries doubled ({@code q_proj} × 2; Gemma 3 normalizes the
     * queries first, so there its {@code q_norm}'s {@code 1 + weight} is doubled).
     */
    @Test
    void queryPreAttnScalarScalesTheScores() throws Exception {
        for (String type : List.of("gemma2", "gemma3-text")) {
            EditedCheckpoint small = today(type + "--text-generation");
            float[] plain = logits(small, type, type + "-scalar-8", IDS, 1);
            small.config().put("query_pre_attn_scalar", 2);
            float[] actual = logits(small, type, type + "-scalar-2", IDS, 1);
            EditedCheckpoint doubled = today(type + "--text-generation");
            for (int layer = 0; layer < 2; layer++) {
                String prefix = "model.layers." + layer + ".self_attn.";
                if (type.equals("gemma2")) {
                    scale(doubled, prefix + "q_proj.weight", 2.0);
                } else {
                    EditedCheckpoint.Tensor norm = doubled.tensor(prefix + "q_norm.weight");
                    float[] values = norm.values().clone();
                    for (int i = 0; i < values.length; i++) {
                        values[i] = 2 * (1 + values[i]) - 1;
                    }
                    doubled.put(prefix + "q_norm.weight", new EditedCheckpoint.Tensor(norm.shape(), values));
                }
            }
            assertClose(logits(doubled, type, type + "-doubled", IDS, 1), actual, type + " query_pre_attn_scalar");
            assertDiffer(plain, actual, type + "'s query_pre_attn_scalar");
        }
    }

    /**
     * With a window of one token every windowed layer is position-wise; where every layer is windowed, each
     * position's logits equal those of its token run alone (the rotation cancels in a token's score with itself).
     * Where the type's rule leaves a layer global, they differ.
     */
    @Test
    void aWindowOfOneTokenLeavesEachTokenToItselfOnTheWindowedLayers() throws Exception {
        check("mistral--text-generation", "mistral", config -> config.put("sliding_window", 1), 2, true);
        // Mixtral, Phi-3 and Starcoder2: every layer, as Mistral
        check("mixtral--text-generation", "mixtral", config -> config.put("sliding_window", 1), 2, true);
        check("phi3--text-generation", "phi3", config -> config.put("sliding_window", 1), 2, true);
        check("starcoder2--text-generation", "starcoder2", config -> config.put("sliding_window", 1), 2, true);
        check("starcoder2--text-generation", "starcoder2", config -> config.put("sliding_window", 2), 2, false);
        check("qwen2--text-generation", "qwen2", config -> config.put("sliding_window", 1)
                .put("use_sliding_window", true).put("max_window_layers", 0), 2, true);
        check("qwen3--text-generation", "qwen3", config -> config.put("sliding_window", 1)
                .put("use_sliding_window", true).put("max_window_layers", 1), 2, false);
        check("qwen3--text-generation", "qwen3", config -> config.put("sliding_window", 1)
                .put("use_sliding_window", true).put("max_window_layers", 0), 2, true);
        // Gemma 2: layer 0 (even) windowed, layer 1 global
        check("gemma2--text-generation", "gemma2", config -> config.put("sliding_window", 1), 1, true);
        check("gemma2--text-generation", "gemma2", config -> config.put("sliding_window", 1), 2, false);
        // Gemma 3 with sliding_window_pattern 2: layer 0 local, layer 1 global; pattern 3: both local
        check("gemma3-text--text-generation", "gemma3-text", config -> config.put("sliding_window", 1), 1, true);
        check("gemma3-text--text-generation", "gemma3-text", config -> config.put("sliding_window", 1), 2, false);
        check("gemma3-text--text-generation", "gemma3-text", config -> config.put("sliding_window", 1)
                .put("sliding_window_pattern", 3), 2, true);
    }

    private void check(String fixture, String modelType, Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit,
                       int layers, boolean positionWise) throws Exception {
        EditedCheckpoint checkpoint = today(fixture);
        edit.accept(checkpoint.config());
        checkpoint.config().put("num_hidden_layers", layers);
        for (String name : new ArrayList<>(checkpoint.names())) {
            if (name.contains("layers.1.") && layers < 2) {
                checkpoint.remove(name);
            }
        }
        String name = modelType + "-window-" + layers + "-" + checkpoint.config().toString().hashCode();
        float[] together = logits(checkpoint, modelType, name + "-together", IDS, 1);
        float[] alone = logits(checkpoint, modelType, name + "-alone", IDS, IDS.length);
        if (positionWise) {
            assertClose(alone, together, fixture + " with " + layers + " layer(s), every layer windowed");
        } else {
            assertDiffer(alone, together, fixture + "'s global layer");
        }
    }
}
