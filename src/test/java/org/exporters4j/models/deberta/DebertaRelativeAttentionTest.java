package org.exporters4j.models.deberta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.EditedCheckpoint.Tensor;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.Head;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeBERTa v1's relative attention, which no fixture exercises (the deberta fixture has
 * {@code relative_attention: false}), checked against v2's, which the deberta-v2 fixtures check against PyTorch.
 * Without log buckets, shared keys, the relative LayerNorm or the convolution, v1 and v2 compute the same function
 * of corresponding weights: v1's interleaved {@code in_proj} with {@code q_bias} / {@code v_bias} is v2's
 * {@code query_proj} / {@code key_proj} (zero bias) / {@code value_proj}; v1's {@code pos_proj} is v2's
 * {@code pos_key_proj} with a zero bias; v1 scales the query before the content and c2p scores where v2 divides the
 * scores; and v1's span {@code min(sequence, max_relative_positions)} around the table's middle picks the same rows
 * as v2's fixed span over the whole table.
 */
class DebertaRelativeAttentionTest {
    @TempDir
    Path folder;

    /** 4 relative positions (fewer than the 7 tokens: clamped distances), 10 (more: v1 slices the table). */
    @ParameterizedTest
    @ValueSource(ints = {4, 10})
    void v1RelativeAttentionEqualsV2OnCorrespondingWeights(int maxRelativePositions) throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("deberta--default"));
        SplittableRandom random = new SplittableRandom(maxRelativePositions);
        int hidden = 24;
        int heads = 4;
        int headSize = hidden / heads;
        int layers = 2;

        EditedCheckpoint v1 = EditedCheckpoint.of(fixture.checkpoint());
        relativeConfig(v1.config(), maxRelativePositions);
        Tensor table = EditedCheckpoint.random(random, 0.5, 2L * maxRelativePositions, hidden);
        v1.put("encoder.rel_embeddings.weight", table);
        EditedCheckpoint v2 = EditedCheckpoint.of(fixture.checkpoint());
        relativeConfig(v2.config(), maxRelativePositions);
        v2.config().put("model_type", "deberta-v2");
        v2.config().put("position_buckets", -1);
        v2.config().put("share_att_key", false);
        v2.config().put("norm_rel_ebd", "none");
        v2.put("encoder.rel_embeddings.weight", table);
        for (int layer = 0; layer < layers; layer++) {
            String prefix = "encoder.layer." + layer + ".attention.self.";
            Tensor positionKey = EditedCheckpoint.random(random, 0.3, hidden, hidden);
            Tensor positionQuery = EditedCheckpoint.random(random, 0.3, hidden, hidden);
            Tensor positionQueryBias = EditedCheckpoint.random(random, 0.1, hidden);
            v1.put(prefix + "pos_proj.weight", positionKey);
            v1.put(prefix + "pos_q_proj.weight", positionQuery);
            v1.put(prefix + "pos_q_proj.bias", positionQueryBias);
            v2.put(prefix + "pos_key_proj.weight", positionKey);
            v2.put(prefix + "pos_key_proj.bias", new Tensor(List.of((long) hidden), new float[hidden]));
            v2.put(prefix + "pos_query_proj.weight", positionQuery);
            v2.put(prefix + "pos_query_proj.bias", positionQueryBias);
            // in_proj viewed as [heads, 3 × head_size, hidden]: rows of q, k, v per head
            Tensor inProjection = v1.tensor(prefix + "in_proj.weight");
            String[] names = {"query_proj", "key_proj", "value_proj"};
            for (int part = 0; part < 3; part++) {
                float[] weight = new float[hidden * hidden];
                for (int head = 0; head < heads; head++) {
                    for (int row = 0; row < headSize; row++) {
                        int source = head * 3 * headSize + part * headSize + row;
                        System.arraycopy(inProjection.values(), source * hidden, weight,
                                (head * headSize + row) * hidden, hidden);
                    }
                }
                v2.put(prefix + names[part] + ".weight", new Tensor(List.of((long) hidden, (long) hidden), weight));
            }
            v2.put(prefix + "query_proj.bias", v1.tensor(prefix + "q_bias"));
            v2.put(prefix + "key_proj.bias", new Tensor(List.of((long) hidden), new float[hidden]));
            v2.put(prefix + "value_proj.bias", v1.tensor(prefix + "v_bias"));
            v2.remove(prefix + "in_proj.weight").remove(prefix + "q_bias").remove(prefix + "v_bias");
        }
        Map<String, OnnxRuntimeRun.Output> first = ArchitectureFixtures.buildAndRun(v1.write(folder.resolve("v1")),
                "deberta", Variant.of(Head.BASE), fixture.graphInterface(12), fixture.inputsFile(),
                folder.resolve("v1-onnx"));
        Map<String, OnnxRuntimeRun.Output> second = ArchitectureFixtures.buildAndRun(v2.write(folder.resolve("v2")),
                "deberta-v2", Variant.of(Head.BASE), fixture.graphInterface(12), fixture.inputsFile(),
                folder.resolve("v2-onnx"));
        OnnxRuntimeRun.Output expected = second.get("last_hidden_state");
        OnnxRuntimeRun.Output actual = first.get("last_hidden_state");
        assertEquals(expected.shape(), actual.shape());
        double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
        assertTrue(diff <= ArchitectureFixtures.TOLERANCE, "max abs diff " + diff);
        // and the relative terms matter: without them the output differs
        EditedCheckpoint plain = EditedCheckpoint.of(fixture.checkpoint());
        Map<String, OnnxRuntimeRun.Output> absolute = ArchitectureFixtures.buildAndRun(
                plain.write(folder.resolve("plain")), "deberta", Variant.of(Head.BASE), fixture.graphInterface(12),
                fixture.inputsFile(), folder.resolve("plain-onnx"));
        assertTrue(OnnxRuntimeRun.maxAbsDiff(absolute.get("last_hidden_state").values(), actual.values()) > 1e-2);
    }

    private static void relativeConfig(ObjectNode config, int maxRelativePositions) {
        config.put("relative_attention", true);
        config.put("max_relative_positions", maxRelativePositions);
        config.putArray("pos_att_type").add("c2p").add("p2c");
    }
}
