package org.exporters4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.Variant;
import org.exporters4j.models.t5.RuntimeFeeds.Tensor;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The with-past graph is one graph for every decoding step: starting from an empty decoder past and an empty encoder
 * past (the graph then projects the cross-attention keys and values from its encoder), steps of one or several
 * tokens that feed back the present cache give the logits of the graph without past over the whole decoder
 * sequence; and the first step's encoder cache is the one PyTorch computed for the fixture.
 */
class CachedDecodingTest {
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> stepsWithTheCacheEqualTheFullForwardOnEveryFixtureCheckpoint() {
        return Fixture.of(T5FamilyFixturesTest.FAMILY).stream()
                .filter(fixture -> fixture.task().equals("seq2seq-lm-with-past"))
                .map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
                    Path checkpoint = fixture.checkpoint();
                    ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
                    int layers = config.intValue("num_decoder_layers");
                    long[][] inputIds = longs(fixture.inputsFile(), "input_ids");
                    long[][] mask = longs(fixture.inputsFile(), "attention_mask");
                    long[][] decoderIds = {{0, 12, 5, 33, 7, 21}, {0, 3, 44, 2, 9, 9}};
                    Decoding decoding = decode(checkpoint, fixture.modelType(), layers, inputIds, mask, decoderIds,
                            new int[] {1, 2, 1, 2});
                    assertTrue(decoding.maxLogitDiff() <= TOLERANCE, fixture + ": " + decoding.maxLogitDiff());
                    // PyTorch's prefix forward over the same encoder input made the fixture's encoder cache
                    for (int layer = 0; layer < layers; layer++) {
                        for (String part : List.of("key", "value")) {
                            String name = "past_key_values." + layer + ".encoder." + part;
                            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.inputsFile(), name);
                            Tensor actual = decoding.firstStepEncoderCache().get(name);
                            assertEquals(expected.shape(), boxed(actual.shape()), name);
                            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
                            assertTrue(diff <= TOLERANCE, fixture + " " + name + ": " + diff);
                        }
                    }
                }));
    }

    /** What a step-by-step decoding showed. */
    record Decoding(double maxLogitDiff, Map<String, Tensor> firstStepEncoderCache) {}

    /**
     * Decodes {@code decoderIds} in steps of {@code stepSizes} tokens with the with-past graph and compares each
     * step's logits with the graph without past over the whole sequence.
     */
    Decoding decode(Path checkpoint, String modelType, int layers, long[][] inputIds, long[][] mask,
                    long[][] decoderIds, int[] stepSizes) throws Exception {
        Path full = build(checkpoint, modelType, Variant.of(Head.SEQ2SEQ_LM), layers, folder.resolve("full"));
        Path cached = build(checkpoint, modelType, Variant.withPast(Head.SEQ2SEQ_LM), layers,
                folder.resolve("cached"));
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
        long heads = config.intValue("num_heads");
        long headSize = config.intValue("d_kv");
        int batch = inputIds.length;
        Tensor expected;
        try (RuntimeFeeds session = new RuntimeFeeds(full)) {
            expected = session.run(Map.of("input_ids", inputIds, "attention_mask", mask,
                    "decoder_input_ids", decoderIds), Map.of()).get("logits");
        }
        Map<String, Tensor> cache = new LinkedHashMap<>();
        for (int layer = 0; layer < layers; layer++) {
            for (String part : List.of("decoder.key", "decoder.value", "encoder.key", "encoder.value")) {
                cache.put("past_key_values." + layer + "." + part, Tensor.zeros(batch, heads, 0, headSize));
            }
        }
        double max = 0;
        Map<String, Tensor> firstEncoderCache = new LinkedHashMap<>();
        try (RuntimeFeeds session = new RuntimeFeeds(cached)) {
            int position = 0;
            for (int size : stepSizes) {
                long[][] step = new long[batch][];
                for (int row = 0; row < batch; row++) {
                    step[row] = java.util.Arrays.copyOfRange(decoderIds[row], position, position + size);
                }
                Map<String, Tensor> outputs = session.run(Map.of("input_ids", inputIds, "attention_mask", mask,
                        "decoder_input_ids", step), cache);
                max = Math.max(max, outputs.get("logits").maxAbsDiff(expected.slice(1, position, position + size)));
                Map<String, Tensor> next = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> output : outputs.entrySet()) {
                    if (output.getKey().startsWith("present.")) {
                        String name = "past_key_values." + output.getKey().substring("present.".length());
                        next.put(name, output.getValue());
                        if (position == 0 && name.contains(".encoder.")) {
                            firstEncoderCache.put(name, output.getValue());
                        }
                    }
                }
                assertEquals(cache.keySet(), next.keySet());
                cache = next;
                position += size;
            }
            assertEquals(decoderIds[0].length, position, "the steps cover the decoder sequence");
        }
        return new Decoding(max, firstEncoderCache);
    }

    /** The graph of {@code variant} for a checkpoint folder, with Optimum's seq2seq interface. */
    static Path build(Path checkpoint, String modelType, Variant variant, int layers, Path out) {
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            new ModelWriter(WeightsLocation.AUTOMATIC).write(ModelTypes.architecture(modelType).build(config,
                    weights, variant, seq2seqInterface(variant, layers)), out);
        }
        return out.resolve("model.onnx");
    }

    /** Optimum v1.5.2's TextSeq2SeqOnnxConfig interface for {@code layers} decoder layers. */
    static GraphInterface seq2seqInterface(Variant variant, int layers) {
        List<InterfaceTensor> inputs = new ArrayList<>();
        List<InterfaceTensor> outputs = new ArrayList<>();
        String encoderAxis = "encoder_sequence_length";
        inputs.add(InterfaceTensor.of("input_ids", ElementType.INT64, Map.of(0, "batch_size", 1, encoderAxis)));
        inputs.add(InterfaceTensor.of("attention_mask", ElementType.INT64, Map.of(0, "batch_size", 1, encoderAxis)));
        inputs.add(InterfaceTensor.of("decoder_input_ids", ElementType.INT64,
                Map.of(0, "batch_size", 1, "decoder_sequence_length")));
        String head = variant.head() == Head.SEQ2SEQ_LM ? "logits" : "last_hidden_state";
        outputs.add(InterfaceTensor.of(head, ElementType.FLOAT, Map.of(0, "batch_size", 1, "decoder_sequence_length")));
        if (variant.usesPast()) {
            for (int layer = 0; layer < layers; layer++) {
                for (String part : List.of("decoder.key", "decoder.value", "encoder.key", "encoder.value")) {
                    String axis = part.startsWith("decoder") ? "past_decoder_sequence_length"
                            : "past_encoder_sequence_length";
                    inputs.add(Fixture.interfaceTensor("past_key_values." + layer + "." + part, ElementType.FLOAT,
                            Map.of(0, "batch_size", 2, axis)));
                    outputs.add(Fixture.interfaceTensor("present." + layer + "." + part, ElementType.FLOAT,
                            Map.of(0, "batch_size", 2, part.startsWith("decoder")
                                    ? "past_decoder_sequence_length + sequence_length" : axis)));
                }
            }
        }
        return new GraphInterface(inputs, outputs, Opset.of(13));
    }

    /** A 2-D int64 tensor of a safetensors file, as rows. */
    static long[][] longs(Path file, String name) {
        try (Weights tensors = Checkpoints.open(file)) {
            List<Long> shape = tensors.info(name).shape();
            java.nio.LongBuffer buffer = tensors.bytes(name).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer();
            long[][] rows = new long[shape.get(0).intValue()][shape.get(1).intValue()];
            for (long[] row : rows) {
                buffer.get(row);
            }
            return rows;
        }
    }

    private static List<Long> boxed(long[] shape) {
        return java.util.Arrays.stream(shape).boxed().toList();
    }
}
