package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.DecoderRuns.Tensor;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 §3, one graph for every step: for every decoder type, a batch of two prompts of different lengths (the
 * shorter left-padded) is decoded greedily for 8 tokens with the with-past graph, starting from an empty cache
 * (past length 0) and feeding back its present cache; every step's logits equal those of the graph without cache
 * run on the whole sequence so far (within 1e-5), and the first step through the with-past graph equals the graph
 * without cache on the prompt.
 *
 * <p>gpt2, gpt-neo (with a 3-token local window), gptj, codegen, bloom, and fixtures-today's llama (also with linear,
 * llama3, yarn and longrope rope scaling), qwen3, gemma, gemma2, gemma3-text and granite (with windows of 3,
 * soft-capping and multipliers) run on the fixtures' checkpoints; mistral (sliding window 4) and qwen2 (q/k/v biases, tied embeddings, a sliding
 * window from layer 1 on) on tiny random checkpoints the test writes.
 */
class OneGraphDecodingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-5;
    private static final int NEW_TOKENS = 8;
    private static final int[] PROMPT_LENGTHS = {6, 3};

    @TempDir
    Path folder;

    /** A model to decode: its checkpoint folder and how its cache is laid out. */
    private record Case(String name, String modelType, Path checkpoint) {}

    @TestFactory
    Stream<DynamicTest> cachedDecodingEqualsFullRecomputation() {
        return Stream.of(
                fixture("gpt2", "gpt2--causal-lm", json -> { }),
                fixture("gpt-neo with a local window of 3", "gpt-neo--causal-lm", json -> json.put("window_size", 3)),
                fixture("gptj", "gptj--causal-lm", json -> { }),
                fixture("codegen", "codegen--causal-lm", json -> { }),
                fixture("bloom", "bloom--causal-lm", json -> { }),
                todayFixture("llama", "llama--text-generation", json -> { }),
                todayFixture("llama with linear rope scaling", "llama--text-generation",
                        json -> json.putObject("rope_scaling").put("type", "linear").put("factor", 2.0)),
                todayFixture("llama with llama3 rope scaling", "llama--text-generation",
                        json -> json.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0)
                                .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0)
                                .put("original_max_position_embeddings", 16)),
                todayFixture("llama with yarn rope scaling", "llama--text-generation",
                        json -> json.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0)),
                todayFixture("llama with longrope past its original length", "llama--text-generation", json -> {
                    json.put("original_max_position_embeddings", 2);
                    ObjectNode scaling = json.putObject("rope_scaling").put("type", "longrope");
                    scaling.putArray("short_factor").add(1.0).add(1.5).add(2.0).add(3.0);
                    scaling.putArray("long_factor").add(2.0).add(4.0).add(8.0).add(16.0);
                }),
                todayFixture("qwen3 with q/k norms and a window of 3 from layer 1", "qwen3--text-generation",
                        json -> json.put("use_sliding_window", true).put("sliding_window", 3)
                                .put("max_window_layers", 1)),
                todayFixture("gemma", "gemma--text-generation", json -> { }),
                todayFixture("gemma2 with a window of 3 on layer 0 and soft-capping", "gemma2--text-generation",
                        json -> json.put("sliding_window", 3).put("attn_logit_softcapping", 0.5)
                                .put("final_logit_softcapping", 2.0)),
                todayFixture("gemma3 with a local window of 3 and linear scaling on the global layer",
                        "gemma3-text--text-generation", json -> json.put("sliding_window", 3).putObject("rope_scaling")
                                .put("rope_type", "linear").put("factor", 2.0)),
                todayFixture("granite with its multipliers", "granite--text-generation",
                        json -> json.put("embedding_multiplier", 2.0).put("attention_multiplier", 0.8)
                                .put("residual_multiplier", 0.5).put("logits_scaling", 4.0)),
                written("mistral with a sliding window of 4", "mistral", TinyDecoderCheckpoints.Biases.NONE,
                        TinyDecoderCheckpoints.Tie.UNTIED, "\"sliding_window\": 4"),
                written("qwen2 with q/k/v biases, tied embeddings, windowed layer 1", "qwen2",
                        TinyDecoderCheckpoints.Biases.QUERY_KEY_VALUE, TinyDecoderCheckpoints.Tie.TIED,
                        "\"use_sliding_window\": true, \"sliding_window\": 4, \"max_window_layers\": 1"))
                .map(prepared -> DynamicTest.dynamicTest(prepared.name, () -> decode(prepared.make())));
    }

    private interface CaseMaker {
        Case make() throws IOException;
    }

    private record Prepared(String name, CaseMaker maker) {
        Case make() throws IOException {
            return maker.make();
        }
    }

    private Prepared fixture(String name, String fixture, Consumer<ObjectNode> configEdit) {
        return fixtureOf(SharedFiles.fixtures(), name, fixture, configEdit);
    }

    /** A fixture of fixtures-today (today's model types). */
    private Prepared todayFixture(String name, String fixture, Consumer<ObjectNode> configEdit) {
        return fixtureOf(SharedFiles.fixturesToday(), name, fixture, configEdit);
    }

    private Prepared fixtureOf(Path set, String name, String fixture, Consumer<ObjectNode> configEdit) {
        return new Prepared(name, () -> {
            Path source = set.resolve(fixture).resolve("checkpoint");
            Path target = Files.createDirectories(folder.resolve(name.replace(' ', '-')));
            ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
            configEdit.accept(config);
            Files.writeString(target.resolve("config.json"), JSON.writeValueAsString(config));
            Files.copy(source.resolve("model.safetensors"), target.resolve("model.safetensors"));
            return new Case(name, fixture.substring(0, fixture.indexOf("--")), target);
        });
    }

    private Prepared written(String name, String modelType, TinyDecoderCheckpoints.Biases biases,
                             TinyDecoderCheckpoints.Tie tie, String extraConfig) {
        return new Prepared(name, () -> new Case(name, modelType, TinyDecoderCheckpoints.write(
                folder.resolve(name.replace(' ', '-').replace('/', '-')), modelType,
                TinyDecoderCheckpoints.Sizes.TINY, biases, tie, extraConfig, 20240607)));
    }

    private void decode(Case decoderCase) throws Exception {
        ModelConfig config = ModelConfig.read(decoderCase.checkpoint().resolve("config.json"));
        Architecture architecture = ModelTypes.architecture(decoderCase.modelType());
        int layers = layers(config);
        boolean bloom = decoderCase.modelType().equals("bloom");
        Path withPast = build(architecture, config, decoderCase, Variant.withPast(Head.CAUSAL_LM), layers, bloom);
        Path withoutPast = build(architecture, config, decoderCase, Variant.of(Head.CAUSAL_LM), layers, bloom);
        int vocab = config.intValue("vocab_size");

        int batch = PROMPT_LENGTHS.length;
        int promptLength = Arrays.stream(PROMPT_LENGTHS).max().orElseThrow();
        SplittableRandom random = new SplittableRandom(7);
        List<long[]> tokens = new ArrayList<>();
        List<long[]> masks = new ArrayList<>();
        for (int length : PROMPT_LENGTHS) {
            long[] row = new long[promptLength];
            long[] mask = new long[promptLength];
            for (int i = 0; i < promptLength; i++) {
                boolean padding = i < promptLength - length; // left padding
                row[i] = padding ? 0 : 1 + random.nextInt(vocab - 1);
                mask[i] = padding ? 0 : 1;
            }
            tokens.add(row);
            masks.add(mask);
        }

        try (DecoderRuns.Session cached = new DecoderRuns.Session(withPast);
             DecoderRuns.Session full = new DecoderRuns.Session(withoutPast)) {
            // step 0: the prompt with an empty cache
            Map<String, Tensor> feed = new LinkedHashMap<>();
            feed.put("input_ids", Tensor.ofLongs(new long[] {batch, promptLength}, flatten(tokens)));
            feed.put("attention_mask", Tensor.ofLongs(new long[] {batch, promptLength}, flatten(masks)));
            CacheShape cache = CacheShape.of(config, decoderCase.modelType());
            for (int layer = 0; layer < layers; layer++) {
                feed.put("past_key_values." + layer + ".key", cache.empty(batch, "key"));
                feed.put("past_key_values." + layer + ".value", cache.empty(batch, "value"));
            }
            Map<String, Tensor> step = cached.run(feed);
            Map<String, Tensor> reference = full.run(Map.of("input_ids", feed.get("input_ids"),
                    "attention_mask", feed.get("attention_mask")));
            assertArrayEquals(reference.get("logits").shape(), step.get("logits").shape());
            double first = DecoderRuns.maxAbsDiff(reference.get("logits").floats(), step.get("logits").floats());
            assertTrue(first <= TOLERANCE, decoderCase.name() + ": first step with an empty past differs from the model "
                    + "without past by " + first);
            float[] lastLogits = lastPosition(step.get("logits"), batch, vocab);

            for (int generated = 0; generated < NEW_TOKENS; generated++) {
                long[] next = new long[batch];
                for (int row = 0; row < batch; row++) {
                    next[row] = argmax(lastLogits, row * vocab, vocab);
                    tokens.set(row, append(tokens.get(row), next[row]));
                    masks.set(row, append(masks.get(row), 1));
                }
                int length = tokens.get(0).length;
                Map<String, Tensor> stepFeed = new LinkedHashMap<>();
                stepFeed.put("input_ids", Tensor.ofLongs(new long[] {batch, 1}, next));
                stepFeed.put("attention_mask", Tensor.ofLongs(new long[] {batch, length}, flatten(masks)));
                for (int layer = 0; layer < layers; layer++) {
                    stepFeed.put("past_key_values." + layer + ".key", step.get("present." + layer + ".key"));
                    stepFeed.put("past_key_values." + layer + ".value", step.get("present." + layer + ".value"));
                }
                step = cached.run(stepFeed);
                assertEquals(length, cache.sequenceLength(step.get("present.0.value")), "present cache length");
                reference = full.run(Map.of(
                        "input_ids", Tensor.ofLongs(new long[] {batch, length}, flatten(tokens)),
                        "attention_mask", stepFeed.get("attention_mask")));
                float[] expected = lastPosition(reference.get("logits"), batch, vocab);
                lastLogits = step.get("logits").floats();
                double diff = DecoderRuns.maxAbsDiff(expected, lastLogits);
                assertTrue(diff <= TOLERANCE, decoderCase.name() + ": step " + (generated + 1)
                        + " with the cache differs from the full sequence by " + diff);
            }
        }
    }

    /** Builds one variant with an interface named as Optimum names the decoder's (the past as past_sequence_length). */
    private Path build(Architecture architecture, ModelConfig config, Case decoderCase, Variant variant, int layers,
                       boolean bloom) throws IOException {
        List<InterfaceTensor> inputs = new ArrayList<>();
        List<InterfaceTensor> outputs = new ArrayList<>();
        inputs.add(InterfaceTensor.of("input_ids", ElementType.INT64, Map.of(0, "batch_size", 1, "sequence_length")));
        String total = variant.usesPast() ? "past_sequence_length + sequence_length" : "sequence_length";
        inputs.add(InterfaceTensor.of("attention_mask", ElementType.INT64, Map.of(0, "batch_size", 1, total)));
        outputs.add(InterfaceTensor.of("logits", ElementType.FLOAT, Map.of(0, "batch_size", 1, "sequence_length")));
        if (variant.usesPast()) {
            for (int layer = 0; layer < layers; layer++) {
                for (String part : List.of("key", "value")) {
                    int axis = bloom && part.equals("value") ? 1 : 2;
                    String batchAxis = bloom ? "batch_size x num_heads" : "batch_size";
                    inputs.add(Fixture.interfaceTensor("past_key_values." + layer + "." + part, ElementType.FLOAT,
                            Map.of(0, batchAxis, axis, "past_sequence_length")));
                    outputs.add(Fixture.interfaceTensor("present." + layer + "." + part, ElementType.FLOAT,
                            Map.of(0, batchAxis, axis, "past_sequence_length + sequence_length")));
                }
            }
        }
        Path out = folder.resolve(decoderCase.name().replace(' ', '-').replace('/', '-') + "-" + variant.past());
        try (Weights weights = Checkpoints.openWeights(decoderCase.checkpoint())) {
            new ModelWriter(WeightsLocation.AUTOMATIC).write(architecture.build(config, weights, variant,
                    new GraphInterface(inputs, outputs, Opset.of(13))), out);
        }
        return out.resolve("model.onnx");
    }

    private static int layers(ModelConfig config) {
        for (String key : List.of("n_layer", "num_layers", "num_hidden_layers")) {
            if (config.isSetInFile(key)) {
                return config.intValue(key);
            }
        }
        return config.intValue("num_hidden_layers");
    }

    /** The cache tensors' layout: common {@code (batch, kv_heads, seq, head_dim)} or BLOOM's fused one. */
    private record CacheShape(boolean bloom, int heads, int headDim) {
        static CacheShape of(ModelConfig config, String modelType) {
            int hidden = config.intValue("hidden_size");
            int queryHeads = config.intValue("num_attention_heads");
            int heads = config.has("num_key_value_heads") ? config.intValue("num_key_value_heads") : queryHeads;
            int headDim = config.has("head_dim") ? config.intValue("head_dim") : hidden / queryHeads;
            return new CacheShape(modelType.equals("bloom"), heads, headDim);
        }

        Tensor empty(int batch, String part) {
            long[] shape = !bloom ? new long[] {batch, heads, 0, headDim}
                    : part.equals("key") ? new long[] {(long) batch * heads, headDim, 0}
                    : new long[] {(long) batch * heads, 0, headDim};
            return Tensor.ofFloats(shape);
        }

        long sequenceLength(Tensor value) {
            return value.shape()[bloom ? 1 : 2];
        }
    }

    private static float[] lastPosition(Tensor logits, int batch, int vocab) {
        long length = logits.shape()[1];
        float[] last = new float[batch * vocab];
        for (int row = 0; row < batch; row++) {
            System.arraycopy(logits.floats(), (int) ((row * length + length - 1) * vocab), last, row * vocab, vocab);
        }
        return last;
    }

    private static int argmax(float[] values, int offset, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    private static long[] append(long[] row, long value) {
        long[] longer = Arrays.copyOf(row, row.length + 1);
        longer[row.length] = value;
        return longer;
    }

    private static long[] flatten(List<long[]> rows) {
        return rows.stream().flatMapToLong(Arrays::stream).toArray();
    }
}
