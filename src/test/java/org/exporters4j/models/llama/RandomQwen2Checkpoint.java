package org.exporters4j.models.llama;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Benchmark helper (bench/export-qwen2.5-0.5b.sh, bench/compare-exports.sh's qwen; never run by the tests): writes a Qwen2ForCausalLM checkpoint
 * shaped like Qwen2.5-0.5B (24 layers, hidden 896, 14 query and 2 key/value heads, FFN 4864, vocabulary 151936,
 * embeddings tied to the LM head so {@code lm_head.weight} is not stored, q/k/v biases) with random bfloat16
 * weights, as {@code save_pretrained} of a bf16 model lays out model.safetensors, streaming each tensor in chunks so
 * the 988 MB file is written in bounded memory.
 *
 * <p>With {@code llama-1b} (bench/compare-exports.sh's llama), a LlamaForCausalLM shaped like TinyLlama-1.1B instead (22
 * layers, hidden 2048, 32 query and 4 key/value heads, FFN 5632, vocabulary 32000, no biases, {@code lm_head.weight}
 * stored: 1.1B parameters, 2.2 GB).
 *
 * <p>Usage: {@code RandomQwen2Checkpoint FOLDER [qwen2.5-0.5b|llama-1b]}.
 */
public final class RandomQwen2Checkpoint {
    private static final int CHUNK = 1 << 20;

    /** The shape written: Qwen2.5-0.5B's (the default), or a TinyLlama-1.1B-shaped Llama. */
    private record Size(String modelType, String architecture, int vocab, int hidden, int layers, int heads,
                        int kvHeads, int intermediate, boolean biases, boolean tied, double theta, double eps) {
        int kvWidth() {
            return hidden / heads * kvHeads;
        }
    }

    private static final Size QWEN2_5_0_5B = new Size("qwen2", "Qwen2ForCausalLM", 151936, 896, 24, 14, 2, 4864,
            true, true, 1000000.0, 1e-6);
    private static final Size LLAMA_1B = new Size("llama", "LlamaForCausalLM", 32000, 2048, 22, 32, 4, 5632, false,
            false, 10000.0, 1e-5);

    private record Tensor(String name, long[] shape, double mean, double scale) {
        long elements() {
            long count = 1;
            for (long dimension : shape) {
                count *= dimension;
            }
            return count;
        }
    }

    private RandomQwen2Checkpoint() {}

    public static void main(String[] args) throws IOException {
        Size size = args.length < 2 || args[1].equals("qwen2.5-0.5b") ? QWEN2_5_0_5B : switch (args[1]) {
            case "llama-1b" -> LLAMA_1B;
            default -> throw new IllegalArgumentException("size must be qwen2.5-0.5b or llama-1b, got " + args[1]);
        };
        write(Path.of(args[0]), size, 1234);
    }

    public static void write(Path folder, long seed) throws IOException {
        write(folder, QWEN2_5_0_5B, seed);
    }

    private static void write(Path folder, Size size, long seed) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), """
                {
                  "architectures": ["%s"],
                  "model_type": "%s",
                  "vocab_size": %d,
                  "hidden_size": %d,
                  "intermediate_size": %d,
                  "num_hidden_layers": %d,
                  "num_attention_heads": %d,
                  "num_key_value_heads": %d,
                  "hidden_act": "silu",
                  "max_position_embeddings": 32768,
                  "rms_norm_eps": %s,
                  "rope_theta": %s,
                  "rope_scaling": null,%s
                  "tie_word_embeddings": %s,
                  "bos_token_id": 151643,
                  "eos_token_id": 151643,
                  "torch_dtype": "bfloat16",
                  "use_cache": true
                }
                """.formatted(size.architecture(), size.modelType(), size.vocab(), size.hidden(), size.intermediate(),
                size.layers(), size.heads(), size.kvHeads(), size.eps(), size.theta(),
                // Qwen2Config's sliding-window keys; LlamaConfig has none and exporters4j refuses them there
                size.modelType().equals("qwen2") ? "\n  \"use_sliding_window\": false,\n  \"sliding_window\": 32768,"
                        + "\n  \"max_window_layers\": 24," : "", size.tied()),
                StandardCharsets.UTF_8);
        List<Tensor> tensors = tensors(size);
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Tensor tensor : tensors) {
            long bytes = tensor.elements() * 2;
            header.append(",\"").append(tensor.name()).append("\":{\"dtype\":\"BF16\",\"shape\":[");
            for (int i = 0; i < tensor.shape().length; i++) {
                header.append(i == 0 ? "" : ",").append(tensor.shape()[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(",").append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append("}");
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(folder.resolve("model.safetensors"), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            writeFully(out, length.flip());
            writeFully(out, ByteBuffer.wrap(headerBytes));
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK * 2).order(ByteOrder.LITTLE_ENDIAN);
            SplittableRandom random = new SplittableRandom(seed);
            for (Tensor tensor : tensors) {
                long remaining = tensor.elements();
                while (remaining > 0) {
                    int count = (int) Math.min(CHUNK, remaining);
                    chunk.clear();
                    for (int i = 0; i < count; i++) {
                        double uniform = random.nextDouble() * 2 - 1;
                        float value = (float) (tensor.mean() + uniform * tensor.scale() * 1.7320508);
                        // bfloat16: the high half of the float32 bits, rounded to nearest even
                        int bits = Float.floatToRawIntBits(value);
                        chunk.putShort((short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16));
                    }
                    writeFully(out, chunk.flip());
                    remaining -= count;
                }
            }
        }
    }

    private static List<Tensor> tensors(Size size) {
        final int VOCAB = size.vocab();
        final int HIDDEN = size.hidden();
        final int KV_WIDTH = size.kvWidth();
        final int INTERMEDIATE = size.intermediate();
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(new Tensor("model.embed_tokens.weight", new long[] {VOCAB, HIDDEN}, 0, 0.02));
        for (int layer = 0; layer < size.layers(); layer++) {
            String prefix = "model.layers." + layer + ".";
            tensors.add(new Tensor(prefix + "input_layernorm.weight", new long[] {HIDDEN}, 1, 0.1));
            tensors.add(new Tensor(prefix + "self_attn.q_proj.weight", new long[] {HIDDEN, HIDDEN}, 0, 0.02));
            if (size.biases()) {
                tensors.add(new Tensor(prefix + "self_attn.q_proj.bias", new long[] {HIDDEN}, 0, 0.02));
            }
            tensors.add(new Tensor(prefix + "self_attn.k_proj.weight", new long[] {KV_WIDTH, HIDDEN}, 0, 0.02));
            if (size.biases()) {
                tensors.add(new Tensor(prefix + "self_attn.k_proj.bias", new long[] {KV_WIDTH}, 0, 0.02));
            }
            tensors.add(new Tensor(prefix + "self_attn.v_proj.weight", new long[] {KV_WIDTH, HIDDEN}, 0, 0.02));
            if (size.biases()) {
                tensors.add(new Tensor(prefix + "self_attn.v_proj.bias", new long[] {KV_WIDTH}, 0, 0.02));
            }
            tensors.add(new Tensor(prefix + "self_attn.o_proj.weight", new long[] {HIDDEN, HIDDEN}, 0, 0.02));
            tensors.add(new Tensor(prefix + "post_attention_layernorm.weight", new long[] {HIDDEN}, 1, 0.1));
            tensors.add(new Tensor(prefix + "mlp.gate_proj.weight", new long[] {INTERMEDIATE, HIDDEN}, 0, 0.02));
            tensors.add(new Tensor(prefix + "mlp.up_proj.weight", new long[] {INTERMEDIATE, HIDDEN}, 0, 0.02));
            tensors.add(new Tensor(prefix + "mlp.down_proj.weight", new long[] {HIDDEN, INTERMEDIATE}, 0, 0.02));
        }
        tensors.add(new Tensor("model.norm.weight", new long[] {HIDDEN}, 1, 0.1));
        if (!size.tied()) {
            tensors.add(new Tensor("lm_head.weight", new long[] {VOCAB, HIDDEN}, 0, 0.02));
        }
        return tensors;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
