package org.exporters4j.models.bart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding with the cache equals recomputing everything, at other lengths than the fixtures': for every type of the
 * family, the with-past graph fed an empty cache and several tokens gives the full graph's logits for them, and a
 * second step of several tokens over that cache gives the full graph's logits for those — for the decoder alone
 * (causal-lm) and for the encoder-decoder (seq2seq-lm, its first step computing the cross-attention cache from the
 * encoder, the second reusing it as Optimum's interface passes it), with a padded encoder row.
 */
class BartCachedDecodingTest {
    private static final int BATCH = 2;
    private static final Map<Integer, String> TOKENS = Map.of(0, "batch_size", 1, "sequence_length");
    private static final Map<Integer, String> CACHE = Map.of(0, "batch_size", 2, "past_sequence_length");

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> causalLanguageModelStepsEqualTheFullForward() {
        return Stream.of("bart", "bigbird-pegasus", "blenderbot", "blenderbot-small", "marian", "mbart")
                .map(type -> DynamicTest.dynamicTest(type, () -> causalSteps(type)));
    }

    @TestFactory
    Stream<DynamicTest> seq2seqStepsEqualTheFullForward() {
        return BartFamilyFixturesTest.FAMILY.stream()
                .map(type -> DynamicTest.dynamicTest(type, () -> seq2seqSteps(type)));
    }

    private void causalSteps(String type) throws Exception {
        Path checkpoint = SharedFiles.fixtures().resolve(type + "--causal-lm/checkpoint");
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
        int layers = config.intValue("decoder_layers");
        int heads = config.intValue("decoder_attention_heads");
        int headSize = config.intValue("d_model") / heads;
        int vocab = config.intValue("vocab_size");
        long[] ids = tokens(BATCH, 6, vocab, config, 11);
        List<InterfaceTensor> cacheInputs = new ArrayList<>();
        List<InterfaceTensor> cacheOutputs = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            for (String part : List.of("key", "value")) {
                cacheInputs.add(Fixture.interfaceTensor("past_key_values." + layer + "." + part, ElementType.FLOAT, CACHE));
                cacheOutputs.add(Fixture.interfaceTensor("present." + layer + "." + part, ElementType.FLOAT, CACHE));
            }
        }
        Path full = build(type, checkpoint, config, Variant.of(Head.CAUSAL_LM),
                List.of(ids("input_ids"), ids("attention_mask")), List.of(logits()));
        Path cached = build(type, checkpoint, config, Variant.withPast(Head.CAUSAL_LM),
                concat(List.of(ids("input_ids"), ids("attention_mask")), cacheInputs),
                concat(List.of(logits()), cacheOutputs));
        Map<String, Tensor> everything = run(full, Map.of("input_ids", Tensor.ofLongs(ids, BATCH, 6),
                "attention_mask", Tensor.ofLongs(ones(BATCH * 6), BATCH, 6)));
        Map<String, Tensor> first = new LinkedHashMap<>(Map.of("input_ids", slice(ids, 6, 0, 4),
                "attention_mask", Tensor.ofLongs(ones(BATCH * 4), BATCH, 4)));
        for (InterfaceTensor input : cacheInputs) {
            first.put(input.name(), Tensor.ofFloats(new float[0], BATCH, heads, 0, headSize));
        }
        Map<String, Tensor> step1 = run(cached, first);
        assertClose(everything.get("logits").columns(0, 4), step1.get("logits"), type + " first step");
        Map<String, Tensor> second = new LinkedHashMap<>(Map.of("input_ids", slice(ids, 6, 4, 6),
                "attention_mask", Tensor.ofLongs(ones(BATCH * 6), BATCH, 6)));
        for (InterfaceTensor input : cacheInputs) {
            second.put(input.name(), step1.get(input.name().replace("past_key_values", "present")));
        }
        Map<String, Tensor> step2 = run(cached, second);
        assertClose(everything.get("logits").columns(4, 6), step2.get("logits"), type + " second step");
    }

    private void seq2seqSteps(String type) throws Exception {
        Path checkpoint = SharedFiles.fixtures().resolve(type + "--seq2seq-lm/checkpoint");
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
        int layers = config.intValue("decoder_layers");
        int heads = config.intValue("decoder_attention_heads");
        int headSize = config.intValue("d_model") / heads;
        int vocab = config.intValue("vocab_size");
        int encoderLength = 9;
        long[] encoderIds = tokens(BATCH, encoderLength, vocab, config, 5);
        long[] mask = ones(BATCH * encoderLength);
        long pad = config.intValue("pad_token_id");
        for (int position = 6; position < encoderLength; position++) { // the second row is padded after 6 tokens
            mask[encoderLength + position] = 0;
            encoderIds[encoderLength + position] = pad;
        }
        long[] decoderIds = tokens(BATCH, 5, vocab, config, 7);
        Map<Integer, String> encoderAxes = Map.of(0, "batch_size", 1, "encoder_sequence_length");
        Map<Integer, String> decoderAxes = Map.of(0, "batch_size", 1, "decoder_sequence_length");
        List<InterfaceTensor> encoderInputs = List.of(InterfaceTensor.of("input_ids", ElementType.INT64, encoderAxes),
                InterfaceTensor.of("attention_mask", ElementType.INT64, encoderAxes));
        InterfaceTensor decoderInput = InterfaceTensor.of("decoder_input_ids", ElementType.INT64, decoderAxes);
        List<InterfaceTensor> selfCache = new ArrayList<>();
        List<InterfaceTensor> allCache = new ArrayList<>();
        List<InterfaceTensor> presents = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            for (String part : List.of("decoder.key", "decoder.value", "encoder.key", "encoder.value")) {
                InterfaceTensor past = Fixture.interfaceTensor("past_key_values." + layer + "." + part, ElementType.FLOAT,
                        Map.of(0, "batch_size"));
                if (part.startsWith("decoder")) {
                    selfCache.add(past);
                }
                allCache.add(past);
                presents.add(Fixture.interfaceTensor("present." + layer + "." + part, ElementType.FLOAT,
                        Map.of(0, "batch_size")));
            }
        }
        List<InterfaceTensor> logits = List.of(InterfaceTensor.of("logits", ElementType.FLOAT, decoderAxes));
        Path full = build(type, checkpoint, config, Variant.of(Head.SEQ2SEQ_LM),
                concat(encoderInputs, List.of(decoderInput)), logits);
        // the first step: no cross-attention cache yet, so it comes from the encoder and is returned
        Path first = build(type, checkpoint, config, Variant.withPast(Head.SEQ2SEQ_LM),
                concat(concat(encoderInputs, List.of(decoderInput)), selfCache), concat(logits, presents));
        // later steps: Optimum's interface, the cross-attention cache passed in
        Path later = build(type, checkpoint, config, Variant.withPast(Head.SEQ2SEQ_LM),
                concat(concat(encoderInputs, List.of(decoderInput)), allCache), concat(logits, presents));
        Tensor encoderTokens = Tensor.ofLongs(encoderIds, BATCH, encoderLength);
        Tensor encoderMask = Tensor.ofLongs(mask, BATCH, encoderLength);
        Map<String, Tensor> everything = run(full, Map.of("input_ids", encoderTokens, "attention_mask", encoderMask,
                "decoder_input_ids", Tensor.ofLongs(decoderIds, BATCH, 5)));
        Map<String, Tensor> feed1 = new LinkedHashMap<>(Map.of("input_ids", encoderTokens,
                "attention_mask", encoderMask, "decoder_input_ids", slice(decoderIds, 5, 0, 3)));
        for (InterfaceTensor input : selfCache) {
            feed1.put(input.name(), Tensor.ofFloats(new float[0], BATCH, heads, 0, headSize));
        }
        Map<String, Tensor> step1 = run(first, feed1);
        assertClose(everything.get("logits").columns(0, 3), step1.get("logits"), type + " first step");
        Map<String, Tensor> feed2 = new LinkedHashMap<>(Map.of("input_ids", encoderTokens,
                "attention_mask", encoderMask, "decoder_input_ids", slice(decoderIds, 5, 3, 5)));
        for (InterfaceTensor input : allCache) {
            feed2.put(input.name(), step1.get(input.name().replace("past_key_values", "present")));
        }
        Map<String, Tensor> step2 = run(later, feed2);
        assertClose(everything.get("logits").columns(3, 5), step2.get("logits"), type + " second step");
        for (InterfaceTensor present : presents) {
            if (present.name().contains("encoder")) {
                assertArrayEquals(step1.get(present.name()).floats(), step2.get(present.name()).floats(),
                        type + " " + present.name() + " passes through");
            }
        }
    }

    private Path build(String type, Path checkpoint, ModelConfig config, Variant variant,
                       List<InterfaceTensor> inputs, List<InterfaceTensor> outputs) throws Exception {
        Path out = folder.resolve(type + "-" + variant.toString().replace(' ', '-') + "-" + inputs.size());
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            new ModelWriter(WeightsLocation.AUTOMATIC).write(ModelTypes.architecture(type).build(config, weights,
                    variant, new GraphInterface(inputs, outputs, Opset.of(11))), out);
        }
        return out.resolve("model.onnx");
    }

    /** Token ids above the special ids (0 … 3) and below the pad of Marian (the last id). */
    private static long[] tokens(int batch, int length, int vocab, ModelConfig config, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long pad = config.intValue("pad_token_id");
        long[] ids = new long[batch * length];
        for (int i = 0; i < ids.length; i++) {
            long id;
            do {
                id = 4 + random.nextInt(vocab - 5);
            } while (id == pad);
            ids[i] = id;
        }
        return ids;
    }

    private static InterfaceTensor ids(String name) {
        return Fixture.interfaceTensor(name, ElementType.INT64, TOKENS);
    }

    private static InterfaceTensor logits() {
        return InterfaceTensor.of("logits", ElementType.FLOAT, TOKENS);
    }

    private static long[] ones(int count) {
        long[] values = new long[count];
        java.util.Arrays.fill(values, 1);
        return values;
    }

    private static Tensor slice(long[] ids, int length, int from, int to) {
        long[] values = new long[BATCH * (to - from)];
        for (int row = 0; row < BATCH; row++) {
            System.arraycopy(ids, row * length + from, values, row * (to - from), to - from);
        }
        return Tensor.ofLongs(values, BATCH, to - from);
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.floats();
        float[] a = actual.floats();
        double max = 0;
        for (int i = 0; i < e.length; i++) {
            max = Math.max(max, Math.abs(e[i] - a[i]));
        }
        assertTrue(max <= 1e-5, what + ": max abs diff " + max);
    }

    private static Map<String, Tensor> run(Path model, Map<String, Tensor> inputs) throws Exception {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = environment.createSession(model.toString(), options)) {
            for (Map.Entry<String, Tensor> input : inputs.entrySet()) {
                Tensor tensor = input.getValue();
                feed.put(input.getKey(), tensor.longs() != null
                        ? OnnxTensor.createTensor(environment, LongBuffer.wrap(tensor.longs()), tensor.shape())
                        : OnnxTensor.createTensor(environment, FloatBuffer.wrap(tensor.floats()), tensor.shape()));
            }
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            try (OrtSession.Result result = session.run(feed)) {
                for (Map.Entry<String, OnnxValue> entry : result) {
                    OnnxTensor tensor = (OnnxTensor) entry.getValue();
                    FloatBuffer buffer = tensor.getFloatBuffer();
                    float[] values = new float[buffer.remaining()];
                    buffer.get(values);
                    outputs.put(entry.getKey(), Tensor.ofFloats(values, tensor.getInfo().getShape()));
                }
            }
            return outputs;
        } finally {
            for (OnnxTensor tensor : feed.values()) {
                tensor.close();
            }
        }
    }

    /** A test tensor: int64 or float32 values and a shape. */
    private record Tensor(long[] longs, float[] floats, long[] shape) {
        static Tensor ofLongs(long[] values, long... shape) {
            return new Tensor(values, null, shape);
        }

        static Tensor ofFloats(float[] values, long... shape) {
            return new Tensor(null, values, shape);
        }

        /** Positions {@code [from, to)} of axis 1 of a float {@code [batch, length, width]} tensor. */
        Tensor columns(int from, int to) {
            int length = (int) shape[1];
            int width = (int) shape[2];
            float[] values = new float[(int) shape[0] * (to - from) * width];
            for (int row = 0; row < shape[0]; row++) {
                System.arraycopy(floats, (row * length + from) * width, values, row * (to - from) * width,
                        (to - from) * width);
            }
            return ofFloats(values, shape[0], to - from, width);
        }
    }
}
