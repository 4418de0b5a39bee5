package org.exporters4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.DecoderRuns;
import org.exporters4j.models.DecoderRuns.Tensor;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.ModelForm;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --optimize}'s GroupQueryAttention on the Llama family (4 query heads over 2 key/value heads) against the
 * plain graph built from the same weights, on the inputs a generation loop feeds beyond the fixtures: a left-padded
 * batch (padding at the start of a row, so its first queries see no key at all), its next step over the cache, a
 * prompt continued over a cache (batch 2: the shape ONNX Runtime's kernel refuses, computed by the plain attention
 * inside the fused graph; batch 1: by the kernel), the graph without past, and Mistral's sliding window. Every output
 * (logits and the whole present cache, padded positions included) within the fixtures' tolerance.
 */
class LlamaGroupedQueryAttentionTest {
    private static final ModelForm FUSED = ModelForm.PLAIN.withOperators(ModelForm.Operators.FUSED);
    private static final int LAYERS = 2;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 8;

    @TempDir
    Path folder;

    @Test
    void aLeftPaddedBatchAndItsNextStepsMatchThePlainGraph() throws Exception {
        Fixture fixture = fixture("llama", "text-generation-with-past");
        Graphs graphs = write(fixture, Map.of(), folder.resolve("llama"));
        runScenarios(graphs, 100);
    }

    @Test
    void aSlidingWindowMatchesThePlainGraph() throws Exception {
        Fixture fixture = fixture("mistral", "text-generation-with-past");
        Graphs graphs = write(fixture, Map.of("sliding_window", 3), folder.resolve("mistral"));
        assertTrue(graphs.fusedUsesGroupQueryAttention(), "mistral with a sliding window: " + graphs.fusedOperators);
        runScenarios(graphs, 100);
    }

    @Test
    void theGraphWithoutPastMatchesThePlainGraphOnALeftPaddedBatch() throws Exception {
        Fixture fixture = fixture("qwen2", "text-generation");
        Graphs graphs = write(fixture, Map.of(), folder.resolve("qwen2"));
        Random random = new Random(5);
        long[] mask = {1, 1, 1, 1, 1, 0, 0, 0, 1, 1};
        Map<String, Tensor> feed = new LinkedHashMap<>();
        feed.put("input_ids", Tensor.ofLongs(new long[] {2, 5}, ids(random, 10, 100)));
        feed.put("attention_mask", Tensor.ofLongs(new long[] {2, 5}, mask));
        feed.put("position_ids", Tensor.ofLongs(new long[] {2, 5}, positions(mask, 2, 5, 0)));
        graphs.compare("no past, row 1 padded at the start", feed);
    }

    /**
     * A prompt of 5 tokens (row 1 left-padded by 2) over an empty past, the next token over its cache, a prompt of 3
     * tokens continued over the 6-token cache with batch 2 and with batch 1, each fed the plain graph's present.
     */
    private static void runScenarios(Graphs graphs, int vocab) throws Exception {
        Random random = new Random(7);
        long[] promptMask = {1, 1, 1, 1, 1, 0, 0, 1, 1, 1};
        Map<String, Tensor> prompt = step(ids(random, 10, vocab), promptMask, 2, 5, emptyPast(2));
        Map<String, Tensor> afterPrompt = graphs.compare("prompt, row 1 padded at the start", prompt);

        long[] stepMask = {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1};
        Map<String, Tensor> next = step(ids(random, 2, vocab), stepMask, 2, 1, pastOf(afterPrompt));
        Map<String, Tensor> afterStep = graphs.compare("next token over the padded cache", next);

        long[] continuedMask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1};
        graphs.compare("3 tokens over the cache, batch 2",
                step(ids(random, 6, vocab), continuedMask, 2, 3, pastOf(afterStep)));

        Map<String, Tensor> firstRow = new LinkedHashMap<>();
        pastOf(afterStep).forEach((name, tensor) -> firstRow.put(name, firstRowOf(tensor)));
        long[] oneRowMask = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        graphs.compare("3 tokens over the cache, batch 1", step(ids(random, 3, vocab), oneRowMask, 1, 3, firstRow));
    }

    private static Fixture fixture(String modelType, String task) {
        return Fixture.ofToday(List.of(modelType)).stream().filter(f -> f.task().equals(task)).findFirst()
                .orElseThrow();
    }

    private static Map<String, Tensor> step(long[] ids, long[] mask, int batch, int sequence,
                                            Map<String, Tensor> past) {
        int total = mask.length / batch;
        Map<String, Tensor> feed = new LinkedHashMap<>();
        feed.put("input_ids", Tensor.ofLongs(new long[] {batch, sequence}, ids));
        feed.put("attention_mask", Tensor.ofLongs(new long[] {batch, total}, mask));
        feed.put("position_ids", Tensor.ofLongs(new long[] {batch, sequence},
                positions(mask, batch, total, total - sequence)));
        feed.putAll(past);
        return feed;
    }

    /** Transformers' positions for a padded batch: the count of real tokens before each one, 1 on padding. */
    private static long[] positions(long[] mask, int batch, int total, int past) {
        int sequence = total - past;
        long[] positions = new long[batch * sequence];
        for (int row = 0; row < batch; row++) {
            long seen = 0;
            for (int j = 0; j < total; j++) {
                long real = mask[row * total + j];
                if (j >= past) {
                    positions[row * sequence + j - past] = real == 1 ? seen : 1;
                }
                seen += real;
            }
        }
        return positions;
    }

    private static long[] ids(Random random, int count, int vocab) {
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = 3 + random.nextInt(vocab - 3);
        }
        return ids;
    }

    private static Map<String, Tensor> emptyPast(int batch) {
        Map<String, Tensor> past = new LinkedHashMap<>();
        for (int layer = 0; layer < LAYERS; layer++) {
            for (String part : List.of("key", "value")) {
                past.put("past_key_values." + layer + "." + part,
                        Tensor.ofFloats(new long[] {batch, KV_HEADS, 0, HEAD_DIM}));
            }
        }
        return past;
    }

    private static Map<String, Tensor> pastOf(Map<String, Tensor> outputs) {
        Map<String, Tensor> past = new LinkedHashMap<>();
        outputs.forEach((name, tensor) -> {
            if (name.startsWith("present.")) {
                past.put("past_key_values." + name.substring("present.".length()), tensor);
            }
        });
        assertEquals(2 * LAYERS, past.size(), outputs.keySet().toString());
        return past;
    }

    private static Tensor firstRowOf(Tensor tensor) {
        long[] shape = tensor.shape().clone();
        int rowSize = tensor.floats().length / (int) shape[0];
        shape[0] = 1;
        return Tensor.ofFloats(shape, java.util.Arrays.copyOf(tensor.floats(), rowSize));
    }

    private static Graphs write(Fixture fixture, Map<String, Object> overrides, Path out) {
        Map<String, Object> all = new LinkedHashMap<>(fixture.valuesOverride());
        all.putAll(overrides);
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json")).withOverrides(all);
        Variant variant = DecoderRuns.variant(fixture);
        var graphInterface = DecoderRuns.graphInterface(fixture);
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            var architecture = ModelTypes.architecture(fixture.modelType());
            OnnxModel fused = architecture.build(config, weights, variant, graphInterface.withForm(FUSED));
            OnnxModel plain = architecture.build(config, weights, variant, graphInterface);
            new ModelWriter(WeightsLocation.AUTOMATIC).write(fused, out.resolve("fused"));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(plain, out.resolve("plain"));
            List<String> operators = fused.nodes().stream().map(node -> node.opType()).distinct().sorted().toList();
            assertTrue(operators.contains("GroupQueryAttention"), fixture + ": " + operators);
            return new Graphs(out.resolve("fused/model.onnx"), out.resolve("plain/model.onnx"), operators);
        }
    }

    private record Graphs(Path fused, Path plain, List<String> fusedOperators) {
        boolean fusedUsesGroupQueryAttention() {
            return fusedOperators.contains("GroupQueryAttention");
        }

        /** Runs both graphs on {@code feed}, asserts every output agrees, returns the plain graph's outputs. */
        Map<String, Tensor> compare(String what, Map<String, Tensor> feed) throws Exception {
            Map<String, Tensor> fusedOutputs;
            Map<String, Tensor> plainOutputs;
            try (DecoderRuns.Session session = new DecoderRuns.Session(fused)) {
                fusedOutputs = session.run(feed);
            }
            try (DecoderRuns.Session session = new DecoderRuns.Session(plain)) {
                plainOutputs = session.run(feed);
            }
            assertEquals(List.copyOf(plainOutputs.keySet()), List.copyOf(fusedOutputs.keySet()), what);
            for (Map.Entry<String, Tensor> output : plainOutputs.entrySet()) {
                Tensor mine = fusedOutputs.get(output.getKey());
                assertArrayEquals(output.getValue().shape(), mine.shape(), what + ": " + output.getKey());
                double diff = DecoderRuns.maxAbsDiff(output.getValue().floats(), mine.floats());
                assertTrue(diff <= ArchitectureFixtures.TOLERANCE, what + ": " + output.getKey()
                        + " fused vs. plain max abs diff " + diff);
            }
            return plainOutputs;
        }
    }
}
