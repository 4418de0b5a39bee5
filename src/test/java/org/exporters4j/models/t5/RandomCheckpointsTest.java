package org.exporters4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.Variant;
import org.exporters4j.models.t5.RuntimeFeeds.Tensor;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes and options the fixtures do not have, on checkpoints the test writes: a T5 v1.1-style model (gated GELU,
 * untied head, {@code num_heads × d_kv ≠ d_model}, more encoder than decoder layers) on sequences longer than
 * {@code relative_attention_max_distance}, decoded step by step; LongT5's local attention against T5's full
 * attention where the window covers the sequence, and its locality where it does not.
 */
class RandomCheckpointsTest {
    @TempDir
    Path folder;

    @Test
    void gatedUntiedModelDecodesLongSequencesStepByStepAsTheFullForward() throws Exception {
        ObjectNode config = RandomT5Checkpoint.config("t5", 16, 6, 3, 20, 3, 2, 50);
        config.put("feed_forward_proj", "gated-gelu");
        config.put("tie_word_embeddings", false);
        config.put("relative_attention_num_buckets", 16);
        config.put("relative_attention_max_distance", 24);
        Path checkpoint = RandomT5Checkpoint.write(config, folder.resolve("t5-v1_1"), 11);
        long[][] inputIds = tokens(2, 40, 50, 3);
        long[][] mask = ones(2, 40);
        for (int position = 33; position < 40; position++) {
            mask[1][position] = 0; // the second row is padded
            inputIds[1][position] = 0;
        }
        long[][] decoderIds = tokens(2, 36, 50, 5);
        decoderIds[0][0] = 0;
        decoderIds[1][0] = 0;
        CachedDecodingTest decoding = new CachedDecodingTest();
        decoding.folder = folder.resolve("decoding");
        double diff = decoding.decode(checkpoint, "t5", 2, inputIds, mask, decoderIds,
                new int[] {1, 28, 1, 1, 5}).maxLogitDiff();
        assertTrue(diff <= 1e-5, "max abs diff " + diff);
    }

    @Test
    void localAttentionWhoseWindowCoversTheSequenceIsT5Attention() throws Exception {
        ObjectNode longConfig = RandomT5Checkpoint.config("longt5", 16, 4, 4, 24, 2, 2, 40);
        longConfig.put("encoder_attention_type", "local");
        longConfig.put("local_radius", 12);
        ObjectNode fullConfig = RandomT5Checkpoint.config("t5", 16, 4, 4, 24, 2, 2, 40);
        // the same seed draws the same weights; only the encoder attention's module name differs
        Path local = RandomT5Checkpoint.write(longConfig, folder.resolve("longt5"), 7);
        Path full = RandomT5Checkpoint.write(fullConfig, folder.resolve("t5"), 7);
        long[][] inputIds = tokens(2, 11, 40, 9);
        long[][] mask = ones(2, 11);
        long[][] decoderIds = tokens(2, 5, 40, 4);
        Map<String, Tensor> longOutputs = run(local, "longt5", inputIds, mask, decoderIds);
        Map<String, Tensor> fullOutputs = run(full, "t5", inputIds, mask, decoderIds);
        for (String name : List.of("logits", "encoder_last_hidden_state")) {
            double diff = longOutputs.get(name).maxAbsDiff(fullOutputs.get(name));
            assertTrue(diff <= 1e-5, name + ": max abs diff " + diff);
        }
        // with padding, the logits still agree: the decoder never reads padded encoder positions
        mask[1][9] = 0;
        mask[1][10] = 0;
        double diff = run(local, "longt5", inputIds, mask, decoderIds).get("logits")
                .maxAbsDiff(run(full, "t5", inputIds, mask, decoderIds).get("logits"));
        assertTrue(diff <= 1e-5, "padded logits: max abs diff " + diff);
    }

    @Test
    void localAttentionSeesOnlyTokensWithinTheRadius() throws Exception {
        ObjectNode config = RandomT5Checkpoint.config("longt5", 16, 4, 4, 24, 1, 1, 40);
        config.put("encoder_attention_type", "local");
        config.put("local_radius", 2);
        Path checkpoint = RandomT5Checkpoint.write(config, folder.resolve("longt5-radius-2"), 3);
        long[][] inputIds = tokens(1, 13, 40, 2);
        long[][] mask = ones(1, 13);
        long[][] decoderIds = tokens(1, 3, 40, 6);
        Tensor before = run(checkpoint, "longt5", inputIds, mask, decoderIds).get("encoder_last_hidden_state");
        inputIds[0][12] = (inputIds[0][12] + 17) % 40;
        Tensor after = run(checkpoint, "longt5", inputIds, mask, decoderIds).get("encoder_last_hidden_state");
        // one encoder layer: token i sees tokens j with |i − j| ≤ local_radius
        assertEquals(0.0, after.slice(1, 0, 10).maxAbsDiff(before.slice(1, 0, 10)));
        for (int position = 10; position < 13; position++) {
            double change = after.slice(1, position, position + 1).maxAbsDiff(before.slice(1, position, position + 1));
            assertTrue(change > 1e-3, "position " + position + " sees the changed token: " + change);
        }
    }

    /** Logits and the encoder output of the seq2seq-lm graph without past. */
    private Map<String, Tensor> run(Path checkpoint, String modelType, long[][] inputIds, long[][] mask,
                                    long[][] decoderIds) throws Exception {
        Path out = folder.resolve(checkpoint.getFileName() + "-onnx");
        List<InterfaceTensor> inputs = new ArrayList<>(
                CachedDecodingTest.seq2seqInterface(Variant.of(Head.SEQ2SEQ_LM), 0).inputs());
        GraphInterface graphInterface = new GraphInterface(inputs, List.of(
                InterfaceTensor.of("logits", ElementType.FLOAT, Map.of(0, "batch_size", 1, "decoder_sequence_length")),
                InterfaceTensor.of("encoder_last_hidden_state", ElementType.FLOAT,
                        Map.of(0, "batch_size", 1, "encoder_sequence_length"))), Opset.of(13));
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            new ModelWriter(WeightsLocation.AUTOMATIC).write(ModelTypes.architecture(modelType).build(
                    ModelConfig.read(checkpoint.resolve("config.json")), weights, Variant.of(Head.SEQ2SEQ_LM),
                    graphInterface), out);
        }
        try (RuntimeFeeds session = new RuntimeFeeds(out.resolve("model.onnx"))) {
            return session.run(Map.of("input_ids", inputIds, "attention_mask", mask, "decoder_input_ids", decoderIds),
                    Map.of());
        }
    }

    /** Token ids in {@code [1, vocab)}, a fixed pattern per seed. */
    private static long[][] tokens(int rows, int length, int vocab, int seed) {
        long[][] ids = new long[rows][length];
        for (int row = 0; row < rows; row++) {
            for (int position = 0; position < length; position++) {
                long mixed = seed * 31L + row * 17L + position * 7L + (long) position * position;
                ids[row][position] = 1 + mixed % (vocab - 1);
            }
        }
        return ids;
    }

    private static long[][] ones(int rows, int length) {
        long[][] mask = new long[rows][length];
        for (long[] row : mask) {
            java.util.Arrays.fill(row, 1);
        }
        return mask;
    }
}
