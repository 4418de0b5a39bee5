package org.exporters4j.models.t5;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;

/**
 * Writes a T5-family checkpoint with random weights, laid out as {@code save_pretrained} names them for
 * {@code T5ForConditionalGeneration} / {@code LongT5ForConditionalGeneration}: config.json as given, and
 * model.safetensors with {@code shared.weight}, the encoder and decoder blocks (relative attention bias in block 0
 * only), the final layer norms and {@code lm_head.weight}. Weights are O(1) so that every path of the graph
 * matters: layer norm weights {@code 1 + 0.1·N}, others {@code 0.2·N}.
 */
final class RandomT5Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode config;
    private final SplittableRandom random;
    private final SafetensorsFileWriter tensors = new SafetensorsFileWriter();

    private RandomT5Checkpoint(ObjectNode config, long seed) {
        this.config = config;
        this.random = new SplittableRandom(seed);
    }

    /**
     * A config.json of {@code modelType} with the sizes the tests vary; add or change keys on the returned node.
     */
    static ObjectNode config(String modelType, int modelSize, int keyValueSize, int heads, int feedForwardSize,
                             int encoderLayers, int decoderLayers, int vocabSize) {
        ObjectNode node = JSON.createObjectNode();
        node.put("model_type", modelType);
        node.put("d_model", modelSize);
        node.put("d_kv", keyValueSize);
        node.put("num_heads", heads);
        node.put("d_ff", feedForwardSize);
        node.put("num_layers", encoderLayers);
        node.put("num_decoder_layers", decoderLayers);
        node.put("vocab_size", vocabSize);
        return node;
    }

    /** Writes config.json and model.safetensors into {@code folder}. */
    static Path write(ObjectNode config, Path folder, long seed) throws IOException {
        Files.createDirectories(folder);
        new RandomT5Checkpoint(config, seed).writeTensors(folder.resolve("model.safetensors"));
        Files.writeString(folder.resolve("config.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        return folder;
    }

    private void writeTensors(Path file) throws IOException {
        int model = config.get("d_model").asInt();
        int inner = config.get("d_kv").asInt() * config.get("num_heads").asInt();
        int heads = config.get("num_heads").asInt();
        int feedForward = config.get("d_ff").asInt();
        int vocab = config.get("vocab_size").asInt();
        int buckets = config.path("relative_attention_num_buckets").asInt(32);
        String projection = config.path("feed_forward_proj").asText(
                config.get("model_type").asText().equals("mt5") ? "gated-gelu" : "relu");
        boolean gated = projection.startsWith("gated-");
        String encoderAttention = config.get("model_type").asText().equals("longt5") ? "LocalSelfAttention"
                : "SelfAttention";
        weight("shared.weight", vocab, model);
        for (int layer = 0; layer < config.get("num_layers").asInt(); layer++) {
            String block = "encoder.block." + layer + ".layer.";
            attention(block + "0." + encoderAttention, model, inner, layer == 0 ? buckets : 0, heads);
            norm(block + "0.layer_norm.weight", model);
            feedForward(block + "1.", model, feedForward, gated);
        }
        norm("encoder.final_layer_norm.weight", model);
        for (int layer = 0; layer < config.get("num_decoder_layers").asInt(); layer++) {
            String block = "decoder.block." + layer + ".layer.";
            attention(block + "0.SelfAttention", model, inner, layer == 0 ? buckets : 0, heads);
            norm(block + "0.layer_norm.weight", model);
            attention(block + "1.EncDecAttention", model, inner, 0, heads);
            norm(block + "1.layer_norm.weight", model);
            feedForward(block + "2.", model, feedForward, gated);
        }
        norm("decoder.final_layer_norm.weight", model);
        weight("lm_head.weight", vocab, model);
        tensors.write(file);
    }

    private void attention(String prefix, int model, int inner, int buckets, int heads) {
        weight(prefix + ".q.weight", inner, model);
        weight(prefix + ".k.weight", inner, model);
        weight(prefix + ".v.weight", inner, model);
        weight(prefix + ".o.weight", model, inner);
        if (buckets > 0) {
            weight(prefix + ".relative_attention_bias.weight", buckets, heads);
        }
    }

    private void feedForward(String prefix, int model, int feedForward, boolean gated) {
        norm(prefix + "layer_norm.weight", model);
        if (gated) {
            weight(prefix + "DenseReluDense.wi_0.weight", feedForward, model);
            weight(prefix + "DenseReluDense.wi_1.weight", feedForward, model);
        } else {
            weight(prefix + "DenseReluDense.wi.weight", feedForward, model);
        }
        weight(prefix + "DenseReluDense.wo.weight", model, feedForward);
    }

    private void weight(String name, int rows, int columns) {
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (0.2 * gaussian());
        }
        tensors.add(name, DType.F32, List.of((long) rows, (long) columns), SafetensorsFileWriter.floats(values));
    }

    private void norm(String name, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (1.0 + 0.1 * gaussian());
        }
        tensors.add(name, DType.F32, List.of((long) size), SafetensorsFileWriter.floats(values));
    }

    private double gaussian() {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }
}
