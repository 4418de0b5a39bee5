package org.exporters4j.models.bert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a BertForSequenceClassification checkpoint with random weights, as {@code save_pretrained} lays it out:
 * config.json, model.safetensors and/or pytorch_model.bin (torch.save's zip: a protocol-2 pickle of the state dict
 * and one stored record per tensor), plus a small WordPiece vocabulary and tokenizer config. Weights follow
 * Transformers' initialisation (normal with std {@code initializer_range}, LayerNorm weights 1 and biases 0) and
 * are streamed tensor by tensor, so a bert-base-sized checkpoint (110M parameters) is written in bounded memory.
 *
 * <p>Remake the example checkpoint of the README with
 * {@code mvn -B -q -o test-compile && java -cp "target/test-classes:target/classes:$(cat target/classpath.txt)"
 * org.exporters4j.models.bert.RandomBertCheckpoint examples/bert-tiny-sequence-classification tiny safetensors}
 * (see examples/README.md); the benchmark writes a bert-base one with {@code base safetensors pytorch}.
 */
public final class RandomBertCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The sizes of a BERT model. */
    public record Size(int vocab, int hidden, int layers, int heads, int intermediate, int positions, int labels) {
        /** A model small enough to ship in the repository (about 200 KB). */
        public static final Size TINY = new Size(1000, 32, 2, 4, 64, 128, 2);
        /** bert-base-uncased's sizes: 110M parameters. */
        public static final Size BASE = new Size(30522, 768, 12, 12, 3072, 512, 2);
    }

    /** Which weight files to write. */
    public enum Format {
        SAFETENSORS,
        PYTORCH
    }

    private record Tensor(String name, long[] shape, Fill fill) {
        long elements() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
    }

    private enum Fill { NORMAL, ONES, ZEROS }

    private RandomBertCheckpoint() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: RandomBertCheckpoint FOLDER tiny|base [safetensors] [pytorch]");
            System.exit(2);
        }
        Size size = switch (args[1]) {
            case "tiny" -> Size.TINY;
            case "base" -> Size.BASE;
            default -> throw new IllegalArgumentException("size must be tiny or base, got " + args[1]);
        };
        List<Format> formats = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            formats.add(Format.valueOf(args[i].toUpperCase(Locale.ROOT)));
        }
        write(Path.of(args[0]), size, formats.isEmpty() ? List.of(Format.SAFETENSORS) : formats, 1234);
    }

    /** Writes the checkpoint into {@code folder} (created if needed). */
    public static void write(Path folder, Size size, List<Format> formats, long seed) throws IOException {
        Files.createDirectories(folder);
        List<Tensor> tensors = tensors(size);
        Files.writeString(folder.resolve("config.json"), config(size), StandardCharsets.UTF_8);
        writeTokenizer(folder, size);
        SafetensorsOut safetensors = formats.contains(Format.SAFETENSORS)
                ? new SafetensorsOut(folder.resolve("model.safetensors"), tensors) : null;
        TorchOut torch = formats.contains(Format.PYTORCH) ? new TorchOut(folder.resolve("pytorch_model.bin")) : null;
        try {
            for (int index = 0; index < tensors.size(); index++) {
                Tensor tensor = tensors.get(index);
                ByteBuffer data = values(tensor, new SplittableRandom(seed * 1_000_003L + index));
                if (safetensors != null) {
                    safetensors.write(data.duplicate());
                }
                if (torch != null) {
                    torch.write(index, data.duplicate());
                }
            }
            if (torch != null) {
                torch.finish(tensors);
            }
        } finally {
            if (safetensors != null) {
                safetensors.close();
            }
            if (torch != null) {
                torch.close();
            }
        }
    }

    private static List<Tensor> tensors(Size s) {
        List<Tensor> tensors = new ArrayList<>();
        String e = "bert.embeddings.";
        tensors.add(new Tensor(e + "word_embeddings.weight", new long[] {s.vocab(), s.hidden()}, Fill.NORMAL));
        tensors.add(new Tensor(e + "position_embeddings.weight", new long[] {s.positions(), s.hidden()}, Fill.NORMAL));
        tensors.add(new Tensor(e + "token_type_embeddings.weight", new long[] {2, s.hidden()}, Fill.NORMAL));
        tensors.add(new Tensor(e + "LayerNorm.weight", new long[] {s.hidden()}, Fill.ONES));
        tensors.add(new Tensor(e + "LayerNorm.bias", new long[] {s.hidden()}, Fill.ZEROS));
        for (int layer = 0; layer < s.layers(); layer++) {
            String l = "bert.encoder.layer." + layer + ".";
            for (String projection : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                linear(tensors, l + projection, s.hidden(), s.hidden());
            }
            norm(tensors, l + "attention.output.LayerNorm", s.hidden());
            linear(tensors, l + "intermediate.dense", s.hidden(), s.intermediate());
            linear(tensors, l + "output.dense", s.intermediate(), s.hidden());
            norm(tensors, l + "output.LayerNorm", s.hidden());
        }
        linear(tensors, "bert.pooler.dense", s.hidden(), s.hidden());
        linear(tensors, "classifier", s.hidden(), s.labels());
        return tensors;
    }

    private static void linear(List<Tensor> tensors, String prefix, int in, int out) {
        tensors.add(new Tensor(prefix + ".weight", new long[] {out, in}, Fill.NORMAL));
        tensors.add(new Tensor(prefix + ".bias", new long[] {out}, Fill.NORMAL));
    }

    private static void norm(List<Tensor> tensors, String prefix, int size) {
        tensors.add(new Tensor(prefix + ".weight", new long[] {size}, Fill.ONES));
        tensors.add(new Tensor(prefix + ".bias", new long[] {size}, Fill.ZEROS));
    }

    /** The tensor's float32 values, little-endian: normal(0, 0.02) as Transformers' init, or LayerNorm's 1 / 0. */
    private static ByteBuffer values(Tensor tensor, SplittableRandom random) {
        int count = Math.toIntExact(tensor.elements());
        ByteBuffer buffer = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            float value = switch (tensor.fill()) {
                case NORMAL -> (float) (random.nextGaussian() * 0.02);
                case ONES -> 1f;
                case ZEROS -> 0f;
            };
            buffer.putFloat(value);
        }
        return buffer.flip();
    }

    private static String config(Size s) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.putArray("architectures").add("BertForSequenceClassification");
        config.put("attention_probs_dropout_prob", 0.1);
        config.putNull("classifier_dropout");
        config.put("hidden_act", "gelu");
        config.put("hidden_dropout_prob", 0.1);
        config.put("hidden_size", s.hidden());
        config.putObject("id2label").put("0", "NEGATIVE").put("1", "POSITIVE");
        config.put("initializer_range", 0.02);
        config.put("intermediate_size", s.intermediate());
        config.putObject("label2id").put("NEGATIVE", 0).put("POSITIVE", 1);
        config.put("layer_norm_eps", 1e-12);
        config.put("max_position_embeddings", s.positions());
        config.put("model_type", "bert");
        config.put("num_attention_heads", s.heads());
        config.put("num_hidden_layers", s.layers());
        config.put("pad_token_id", 0);
        config.put("position_embedding_type", "absolute");
        config.put("torch_dtype", "float32");
        config.put("transformers_version", "4.25.1");
        config.put("type_vocab_size", 2);
        config.put("use_cache", true);
        config.put("vocab_size", s.vocab());
        return JSON.writeValueAsString(config) + "\n";
    }

    /** A WordPiece vocabulary of special tokens, characters and filler tokens, as BertTokenizer reads it. */
    private static void writeTokenizer(Path folder, Size size) throws IOException {
        List<String> vocabulary = new ArrayList<>(List.of("[PAD]"));
        for (int i = 0; i < 99; i++) {
            vocabulary.add("[unused" + i + "]");
        }
        vocabulary.addAll(List.of("[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (char c = 'a'; c <= 'z'; c++) {
            vocabulary.add(String.valueOf(c));
            vocabulary.add("##" + c);
        }
        for (int i = 0; vocabulary.size() < size.vocab(); i++) {
            vocabulary.add("token" + i);
        }
        Files.write(folder.resolve("vocab.txt"), vocabulary.subList(0, size.vocab()), StandardCharsets.UTF_8);
        ObjectNode tokenizer = JSON.createObjectNode();
        tokenizer.put("do_lower_case", true);
        tokenizer.put("model_max_length", size.positions());
        tokenizer.put("tokenizer_class", "BertTokenizer");
        tokenizer.put("unk_token", "[UNK]").put("sep_token", "[SEP]").put("pad_token", "[PAD]")
                .put("cls_token", "[CLS]").put("mask_token", "[MASK]");
        Files.writeString(folder.resolve("tokenizer_config.json"), JSON.writeValueAsString(tokenizer) + "\n");
    }

    /** model.safetensors: the header (offsets known from the shapes), then each tensor's bytes as they come. */
    private static final class SafetensorsOut implements AutoCloseable {
        private final FileChannel channel;

        SafetensorsOut(Path file, List<Tensor> tensors) throws IOException {
            StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
            long offset = 0;
            for (Tensor tensor : tensors) {
                long bytes = tensor.elements() * Float.BYTES;
                header.append(",\"").append(tensor.name()).append("\":{\"dtype\":\"F32\",\"shape\":")
                        .append(Arrays.toString(tensor.shape()).replace(" ", "")).append(",\"data_offsets\":[")
                        .append(offset).append(',').append(offset + bytes).append("]}");
                offset += bytes;
            }
            header.append('}');
            while ((header.length() + 8) % 8 != 0) {
                header.append(' ');
            }
            byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).flip();
            writeFully(channel, length);
            writeFully(channel, ByteBuffer.wrap(json));
        }

        void write(ByteBuffer data) throws IOException {
            writeFully(channel, data);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** pytorch_model.bin in torch.save's zip format: stored records data/0 …, then data.pkl and version. */
    private static final class TorchOut implements AutoCloseable {
        private static final String ARCHIVE = "pytorch_model/";
        private final ZipOutputStream zip;
        private final WritableByteChannel channel;

        TorchOut(Path file) throws IOException {
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
            zip = new ZipOutputStream(out);
            channel = Channels.newChannel(zip);
        }

        void write(int index, ByteBuffer data) throws IOException {
            CRC32 crc = new CRC32();
            crc.update(data.duplicate());
            store(ARCHIVE + "data/" + index, data.remaining(), crc.getValue());
            writeFully(channel, data);
            zip.closeEntry();
        }

        void finish(List<Tensor> tensors) throws IOException {
            byte[] pickle = pickle(tensors);
            storeBytes(ARCHIVE + "data.pkl", pickle);
            storeBytes(ARCHIVE + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            storeBytes(ARCHIVE + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }

        private void storeBytes(String name, byte[] bytes) throws IOException {
            CRC32 crc = new CRC32();
            crc.update(bytes);
            store(name, bytes.length, crc.getValue());
            zip.write(bytes);
            zip.closeEntry();
        }

        private void store(String name, long size, long crc) throws IOException {
            ZipEntry entry = new ZipEntry(name);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(size);
            entry.setCompressedSize(size);
            entry.setCrc(crc);
            zip.putNextEntry(entry);
        }

        /**
         * The state dict as torch.save pickles it (protocol 2): an OrderedDict of
         * {@code _rebuild_tensor_v2(persistent_id(('storage', FloatStorage, key, 'cpu', numel)), 0, size, stride,
         * False, OrderedDict())}.
         */
        private static byte[] pickle(List<Tensor> tensors) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0x80);
            out.write(2);
            global(out, "collections", "OrderedDict");
            out.write(')');
            out.write('R');
            out.write('(');
            for (int index = 0; index < tensors.size(); index++) {
                Tensor tensor = tensors.get(index);
                unicode(out, tensor.name());
                global(out, "torch._utils", "_rebuild_tensor_v2");
                out.write('(');
                out.write('(');
                unicode(out, "storage");
                global(out, "torch", "FloatStorage");
                unicode(out, Integer.toString(index));
                unicode(out, "cpu");
                integer(out, tensor.elements());
                out.write('t');
                out.write('Q');
                integer(out, 0);
                out.write('(');
                for (long dimension : tensor.shape()) {
                    integer(out, dimension);
                }
                out.write('t');
                out.write('(');
                long stride = 1;
                long[] strides = new long[tensor.shape().length];
                for (int d = strides.length - 1; d >= 0; d--) {
                    strides[d] = stride;
                    stride *= tensor.shape()[d];
                }
                for (long value : strides) {
                    integer(out, value);
                }
                out.write('t');
                out.write(0x89);
                global(out, "collections", "OrderedDict");
                out.write(')');
                out.write('R');
                out.write('t');
                out.write('R');
            }
            out.write('u');
            out.write('.');
            return out.toByteArray();
        }

        private static void global(ByteArrayOutputStream out, String module, String name) {
            out.write('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        }

        private static void unicode(ByteArrayOutputStream out, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
            out.writeBytes(bytes);
        }

        private static void integer(ByteArrayOutputStream out, long value) {
            out.write('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Math.toIntExact(value))
                    .array());
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }
}
