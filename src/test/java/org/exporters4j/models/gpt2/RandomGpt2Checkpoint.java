package org.exporters4j.models.gpt2;

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
 * Benchmark helper (bench/export-gpt2.sh, never run by the tests): writes a GPT2LMHeadModel checkpoint with random
 * weights as {@code save_pretrained} lays out model.safetensors (lm_head tied to wte, so stored once), streaming each
 * tensor in chunks so a gpt2-large-sized file (774M parameters, 3.1 GB) is written in bounded memory.
 *
 * <p>Usage: {@code RandomGpt2Checkpoint FOLDER gpt2|gpt2-large}.
 */
public final class RandomGpt2Checkpoint {
    /** GPT-2 sizes. */
    public record Size(int vocab, int positions, int hidden, int layers, int heads) {
        /** gpt2: 124M parameters. */
        public static final Size GPT2 = new Size(50257, 1024, 768, 12, 12);
        /** gpt2-large: 774M parameters. */
        public static final Size GPT2_LARGE = new Size(50257, 1024, 1280, 36, 20);
    }

    private record Tensor(String name, long[] shape, double mean, double scale) {
        long elements() {
            long count = 1;
            for (long dimension : shape) {
                count *= dimension;
            }
            return count;
        }
    }

    private static final int CHUNK = 1 << 20;

    private RandomGpt2Checkpoint() {}

    public static void main(String[] args) throws IOException {
        Size size = switch (args[1]) {
            case "gpt2" -> Size.GPT2;
            case "gpt2-large" -> Size.GPT2_LARGE;
            default -> throw new IllegalArgumentException("size must be gpt2 or gpt2-large, got " + args[1]);
        };
        write(Path.of(args[0]), size, 1234);
    }

    public static void write(Path folder, Size size, long seed) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), "{\n  \"architectures\": [\"GPT2LMHeadModel\"],\n"
                + "  \"model_type\": \"gpt2\",\n  \"vocab_size\": " + size.vocab() + ",\n  \"n_positions\": "
                + size.positions() + ",\n  \"n_embd\": " + size.hidden() + ",\n  \"n_layer\": " + size.layers()
                + ",\n  \"n_head\": " + size.heads() + ",\n  \"activation_function\": \"gelu_new\",\n"
                + "  \"layer_norm_epsilon\": 1e-05,\n  \"bos_token_id\": 50256,\n  \"eos_token_id\": 50256\n}\n",
                StandardCharsets.UTF_8);
        List<Tensor> tensors = tensors(size);
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Tensor tensor : tensors) {
            long bytes = tensor.elements() * 4;
            header.append(",\"").append(tensor.name()).append("\":{\"dtype\":\"F32\",\"shape\":[");
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
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
            SplittableRandom random = new SplittableRandom(seed);
            for (Tensor tensor : tensors) {
                long remaining = tensor.elements();
                while (remaining > 0) {
                    int count = (int) Math.min(CHUNK, remaining);
                    chunk.clear();
                    for (int i = 0; i < count; i++) {
                        // uniform with the standard deviation asked (√3 · scale half-width): cheap and O(1) outputs
                        double uniform = random.nextDouble() * 2 - 1;
                        chunk.putFloat((float) (tensor.mean() + uniform * tensor.scale() * 1.7320508));
                    }
                    writeFully(out, chunk.flip());
                    remaining -= count;
                }
            }
        }
    }

    private static List<Tensor> tensors(Size s) {
        List<Tensor> tensors = new ArrayList<>();
        long n = s.hidden();
        tensors.add(new Tensor("transformer.wte.weight", new long[] {s.vocab(), n}, 0, 0.02));
        tensors.add(new Tensor("transformer.wpe.weight", new long[] {s.positions(), n}, 0, 0.01));
        for (int layer = 0; layer < s.layers(); layer++) {
            String prefix = "transformer.h." + layer + ".";
            tensors.add(new Tensor(prefix + "ln_1.weight", new long[] {n}, 1, 0.1));
            tensors.add(new Tensor(prefix + "ln_1.bias", new long[] {n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "attn.c_attn.weight", new long[] {n, 3 * n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "attn.c_attn.bias", new long[] {3 * n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "attn.c_proj.weight", new long[] {n, n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "attn.c_proj.bias", new long[] {n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "ln_2.weight", new long[] {n}, 1, 0.1));
            tensors.add(new Tensor(prefix + "ln_2.bias", new long[] {n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "mlp.c_fc.weight", new long[] {n, 4 * n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "mlp.c_fc.bias", new long[] {4 * n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "mlp.c_proj.weight", new long[] {4 * n, n}, 0, 0.02));
            tensors.add(new Tensor(prefix + "mlp.c_proj.bias", new long[] {n}, 0, 0.02));
        }
        tensors.add(new Tensor("transformer.ln_f.weight", new long[] {n}, 1, 0.1));
        tensors.add(new Tensor("transformer.ln_f.bias", new long[] {n}, 0, 0.02));
        return tensors;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
