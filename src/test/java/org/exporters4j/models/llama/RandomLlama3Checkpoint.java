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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark helper (bench/export-llama3-8b.sh, never run by the tests): writes a LlamaForCausalLM checkpoint shaped
 * like Llama-3-8B (32 layers, hidden 4096, 32 query and 8 key/value heads, FFN 14336, vocabulary 128256, untied
 * LM head; 8.03B parameters) with random bfloat16 weights, as {@code save_pretrained} of a bf16 model shards it:
 * {@code model-0000K-of-0000N.safetensors} of at most 5 GB each and {@code model.safetensors.index.json}. Each tensor
 * is streamed in chunks, so the ~16 GB are written in bounded memory. Weights are uniform with the initializer's
 * standard deviation 0.02 (norms around 1).
 *
 * <p>Usage: {@code RandomLlama3Checkpoint FOLDER [llama3-8b|llama3-1b|small]}; {@code llama3-1b} is Llama-3.2-1B's
 * shape (16 layers, hidden 2048, FFN 8192, 32 query / 8 key-value heads, vocabulary 128256) with the LM head untied,
 * 1.50B parameters (3 GB), to measure the export's speed at a fifth of the size; {@code small} is the same layout at
 * hidden 256, 2 layers, vocabulary 4096 (a few MB), to try the bench quickly.
 */
public final class RandomLlama3Checkpoint {
    private static final long MAX_SHARD_BYTES = 5_000_000_000L;
    private static final int CHUNK = 1 << 20;

    private record Shape(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate) {
        int kvWidth() {
            return hidden / heads * kvHeads;
        }
    }

    private record Tensor(String name, long[] shape, float mean, float scale) {
        long elements() {
            long count = 1;
            for (long dimension : shape) {
                count *= dimension;
            }
            return count;
        }

        long bytes() {
            return elements() * 2;
        }
    }

    private RandomLlama3Checkpoint() {}

    public static void main(String[] args) throws IOException {
        String name = args.length > 1 ? args[1] : "llama3-8b";
        Shape shape = switch (name) {
            case "llama3-8b" -> new Shape(128256, 4096, 32, 32, 8, 14336);
            case "llama3-1b" -> new Shape(128256, 2048, 16, 32, 8, 8192);
            case "small" -> new Shape(4096, 256, 2, 8, 2, 896);
            default -> throw new IllegalArgumentException("unknown shape '" + name
                    + "'; the shapes are llama3-8b, llama3-1b and small");
        };
        write(Path.of(args[0]), shape, 1234);
    }

    private static void write(Path folder, Shape shape, long seed) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), """
                {
                  "architectures": ["LlamaForCausalLM"],
                  "model_type": "llama",
                  "vocab_size": %d,
                  "hidden_size": %d,
                  "intermediate_size": %d,
                  "num_hidden_layers": %d,
                  "num_attention_heads": %d,
                  "num_key_value_heads": %d,
                  "hidden_act": "silu",
                  "max_position_embeddings": 8192,
                  "rms_norm_eps": 1e-05,
                  "rope_theta": 500000.0,
                  "rope_scaling": null,
                  "attention_bias": false,
                  "attention_dropout": 0.0,
                  "mlp_bias": false,
                  "pretraining_tp": 1,
                  "tie_word_embeddings": false,
                  "bos_token_id": 128000,
                  "eos_token_id": 128001,
                  "torch_dtype": "bfloat16",
                  "use_cache": true
                }
                """.formatted(shape.vocab(), shape.hidden(), shape.intermediate(), shape.layers(), shape.heads(),
                shape.kvHeads()), StandardCharsets.UTF_8);
        List<List<Tensor>> shards = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long currentBytes = 0;
        for (Tensor tensor : tensors(shape)) {
            if (!current.isEmpty() && currentBytes + tensor.bytes() > MAX_SHARD_BYTES) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(tensor);
            currentBytes += tensor.bytes();
        }
        shards.add(current);
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        SplittableRandom random = new SplittableRandom(seed);
        for (int s = 0; s < shards.size(); s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
            for (Tensor tensor : shards.get(s)) {
                weightMap.put(tensor.name(), file);
                total += tensor.bytes();
            }
            writeShard(folder.resolve(file), shards.get(s), random);
        }
        StringBuilder index = new StringBuilder("{\n  \"metadata\": {\"total_size\": " + total
                + "},\n  \"weight_map\": {");
        String separator = "\n";
        for (Map.Entry<String, String> entry : weightMap.entrySet()) {
            index.append(separator).append("    \"").append(entry.getKey()).append("\": \"").append(entry.getValue())
                    .append('"');
            separator = ",\n";
        }
        index.append("\n  }\n}\n");
        Files.writeString(folder.resolve("model.safetensors.index.json"), index.toString(), StandardCharsets.UTF_8);
    }

    private static void writeShard(Path file, List<Tensor> tensors, SplittableRandom random) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Tensor tensor : tensors) {
            header.append(",\"").append(tensor.name()).append("\":{\"dtype\":\"BF16\",\"shape\":[");
            for (int i = 0; i < tensor.shape().length; i++) {
                header.append(i == 0 ? "" : ",").append(tensor.shape()[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(",").append(offset + tensor.bytes())
                    .append("]}");
            offset += tensor.bytes();
        }
        header.append("}");
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).flip());
            writeFully(out, ByteBuffer.wrap(headerBytes));
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor tensor : tensors) {
                // uniform in mean ± scale·√3 (standard deviation scale), 16 random bits per value
                float step = tensor.scale() * 1.7320508f / 32768f;
                long remaining = tensor.elements();
                while (remaining > 0) {
                    int count = (int) Math.min(CHUNK, remaining);
                    chunk.clear();
                    for (int i = 0; i < count; i += 4) {
                        long bits = random.nextLong();
                        for (int k = 0; k < 4 && i + k < count; k++) {
                            float value = tensor.mean() + ((int) (bits >>> (16 * k) & 0xffff) - 32768) * step;
                            int floatBits = Float.floatToRawIntBits(value);
                            // bfloat16: the high half of the float32 bits, rounded to nearest even
                            chunk.putShort((short) ((floatBits + 0x7FFF + ((floatBits >>> 16) & 1)) >>> 16));
                        }
                    }
                    writeFully(out, chunk.flip());
                    remaining -= count;
                }
            }
        }
    }

    private static List<Tensor> tensors(Shape shape) {
        int hidden = shape.hidden();
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(new Tensor("model.embed_tokens.weight", new long[] {shape.vocab(), hidden}, 0, 0.02f));
        for (int layer = 0; layer < shape.layers(); layer++) {
            String prefix = "model.layers." + layer + ".";
            tensors.add(new Tensor(prefix + "input_layernorm.weight", new long[] {hidden}, 1, 0.1f));
            tensors.add(new Tensor(prefix + "self_attn.q_proj.weight", new long[] {hidden, hidden}, 0, 0.02f));
            tensors.add(new Tensor(prefix + "self_attn.k_proj.weight", new long[] {shape.kvWidth(), hidden}, 0, 0.02f));
            tensors.add(new Tensor(prefix + "self_attn.v_proj.weight", new long[] {shape.kvWidth(), hidden}, 0, 0.02f));
            tensors.add(new Tensor(prefix + "self_attn.o_proj.weight", new long[] {hidden, hidden}, 0, 0.02f));
            tensors.add(new Tensor(prefix + "post_attention_layernorm.weight", new long[] {hidden}, 1, 0.1f));
            tensors.add(new Tensor(prefix + "mlp.gate_proj.weight", new long[] {shape.intermediate(), hidden}, 0,
                    0.02f));
            tensors.add(new Tensor(prefix + "mlp.up_proj.weight", new long[] {shape.intermediate(), hidden}, 0,
                    0.02f));
            tensors.add(new Tensor(prefix + "mlp.down_proj.weight", new long[] {hidden, shape.intermediate()}, 0,
                    0.02f));
        }
        tensors.add(new Tensor("model.norm.weight", new long[] {hidden}, 1, 0.1f));
        tensors.add(new Tensor("lm_head.weight", new long[] {shape.vocab(), hidden}, 0, 0.02f));
        return tensors;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
