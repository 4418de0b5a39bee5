package org.exporters4j.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;

/**
 * Test side: tiny random Llama-family checkpoints (config.json + model.safetensors written with the project's own
 * safetensors writer), laid out as Transformers saves {@code *ForCausalLM}: {@code model.embed_tokens},
 * {@code model.layers.<i>.…}, {@code model.norm}, and {@code lm_head} unless the embeddings are tied. Weights are
 * drawn like the fixtures' ({@code 0.2·N(0,1)}, norms {@code 1 + 0.1·N(0,1)}, biases {@code 0.1·N(0,1)}) so
 * outputs are O(1).
 */
public final class TinyDecoderCheckpoints {
    /** Sizes of a tiny grouped-query model. */
    public record Sizes(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab) {
        public static final Sizes TINY = new Sizes(32, 2, 4, 2, 37, 100);

        int headDim() {
            return hidden / heads;
        }
    }

    /** Which projections carry biases. */
    public enum Biases { NONE, QUERY_KEY_VALUE }

    /** Whether lm_head is stored or is the embedding table. */
    public enum Tie { TIED, UNTIED }

    /**
     * Whether the checkpoint also holds a classification head of two labels: {@code score.weight} (the sequence
     * classifiers), and {@code score.bias} too (Qwen2ForTokenClassification's linear has one).
     */
    public enum Score { NONE, TWO_LABELS, TWO_LABELS_WITH_BIAS }

    private TinyDecoderCheckpoints() {}

    /**
     * Writes {@code folder/config.json} ({@code configJson}'s fields plus the sizes) and {@code model.safetensors}.
     *
     * @param extraConfig further config.json fields as JSON members without braces, e.g. {@code "sliding_window": 4}
     */
    public static Path write(Path folder, String modelType, Sizes sizes, Biases biases, Tie tie, String extraConfig,
                             long seed) throws IOException {
        return write(folder, modelType, sizes, biases, tie, extraConfig, Score.NONE, seed);
    }

    /** As {@link #write(Path, String, Sizes, Biases, Tie, String, long)}, with or without a classification head. */
    public static Path write(Path folder, String modelType, Sizes sizes, Biases biases, Tie tie, String extraConfig,
                             Score score, long seed) throws IOException {
        Files.createDirectories(folder);
        String architecture = switch (modelType) {
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            default -> "LlamaForCausalLM";
        };
        String config = "{\"architectures\": [\"" + architecture + "\"], \"model_type\": \"" + modelType + "\", "
                + "\"hidden_size\": " + sizes.hidden() + ", \"num_hidden_layers\": " + sizes.layers()
                + ", \"num_attention_heads\": " + sizes.heads() + ", \"num_key_value_heads\": " + sizes.kvHeads()
                + ", \"intermediate_size\": " + sizes.intermediate() + ", \"vocab_size\": " + sizes.vocab()
                + ", \"max_position_embeddings\": 64, \"rms_norm_eps\": 1e-6, \"hidden_act\": \"silu\", "
                + "\"tie_word_embeddings\": " + (tie == Tie.TIED) + ", \"pad_token_id\": 0, \"use_cache\": true"
                + (extraConfig.isBlank() ? "" : ", " + extraConfig) + "}";
        Files.writeString(folder.resolve("config.json"), config, StandardCharsets.UTF_8);

        SplittableRandom random = new SplittableRandom(seed);
        SafetensorsFileWriter writer = new SafetensorsFileWriter().metadata("format", "pt");
        int hidden = sizes.hidden();
        int queryWidth = sizes.heads() * sizes.headDim();
        int kvWidth = sizes.kvHeads() * sizes.headDim();
        matrix(writer, random, "model.embed_tokens.weight", sizes.vocab(), hidden);
        for (int layer = 0; layer < sizes.layers(); layer++) {
            String prefix = "model.layers." + layer + ".";
            norm(writer, random, prefix + "input_layernorm.weight", hidden);
            matrix(writer, random, prefix + "self_attn.q_proj.weight", queryWidth, hidden);
            matrix(writer, random, prefix + "self_attn.k_proj.weight", kvWidth, hidden);
            matrix(writer, random, prefix + "self_attn.v_proj.weight", kvWidth, hidden);
            if (biases == Biases.QUERY_KEY_VALUE) {
                bias(writer, random, prefix + "self_attn.q_proj.bias", queryWidth);
                bias(writer, random, prefix + "self_attn.k_proj.bias", kvWidth);
                bias(writer, random, prefix + "self_attn.v_proj.bias", kvWidth);
            }
            matrix(writer, random, prefix + "self_attn.o_proj.weight", hidden, queryWidth);
            norm(writer, random, prefix + "post_attention_layernorm.weight", hidden);
            matrix(writer, random, prefix + "mlp.gate_proj.weight", sizes.intermediate(), hidden);
            matrix(writer, random, prefix + "mlp.up_proj.weight", sizes.intermediate(), hidden);
            matrix(writer, random, prefix + "mlp.down_proj.weight", hidden, sizes.intermediate());
        }
        norm(writer, random, "model.norm.weight", hidden);
        if (tie == Tie.UNTIED) {
            matrix(writer, random, "lm_head.weight", sizes.vocab(), hidden);
        }
        if (score != Score.NONE) {
            matrix(writer, random, "score.weight", 2, hidden);
        }
        if (score == Score.TWO_LABELS_WITH_BIAS) {
            bias(writer, random, "score.bias", 2);
        }
        writer.write(folder.resolve("model.safetensors"));
        return folder;
    }

    private static void matrix(SafetensorsFileWriter writer, SplittableRandom random, String name, int rows,
                               int columns) {
        tensor(writer, random, name, List.of((long) rows, (long) columns), 0.0, 0.2);
    }

    private static void norm(SafetensorsFileWriter writer, SplittableRandom random, String name, int size) {
        tensor(writer, random, name, List.of((long) size), 1.0, 0.1);
    }

    private static void bias(SafetensorsFileWriter writer, SplittableRandom random, String name, int size) {
        tensor(writer, random, name, List.of((long) size), 0.0, 0.1);
    }

    private static void tensor(SafetensorsFileWriter writer, SplittableRandom random, String name, List<Long> shape,
                               double mean, double scale) {
        long count = shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(count * 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) {
            data.putFloat((float) (mean + scale * gaussian(random)));
        }
        writer.add(name, DType.F32, shape, data.array());
    }

    /** A standard normal draw (Box–Muller). */
    private static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }
}
