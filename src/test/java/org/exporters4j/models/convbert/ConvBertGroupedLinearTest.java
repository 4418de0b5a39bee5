package org.exporters4j.models.convbert;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ConvBERT's GroupedLinearLayer ({@code num_groups > 1}, which no fixture exercises) is the block-diagonal
 * {@code nn.Linear}: with weight {@code [groups, in / groups, out / groups]}, output feature {@code g · out/groups + o}
 * sums input features {@code g · in/groups + i} times {@code weight[g, i, o]}. A grouped checkpoint and its
 * block-diagonal ungrouped twin give the same outputs.
 */
class ConvBertGroupedLinearTest {
    private static final int HIDDEN = 24;
    private static final int INTERMEDIATE = 30;
    private static final int GROUPS = 2;

    @TempDir
    Path folder;

    @Test
    void groupedFeedForwardEqualsItsBlockDiagonalLinear() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("convbert--default"));
        SplittableRandom random = new SplittableRandom(7);
        EditedCheckpoint grouped = EditedCheckpoint.of(fixture.checkpoint());
        EditedCheckpoint ungrouped = EditedCheckpoint.of(fixture.checkpoint());
        grouped.config().put("num_groups", GROUPS).put("intermediate_size", INTERMEDIATE);
        ungrouped.config().put("num_groups", 1).put("intermediate_size", INTERMEDIATE);
        for (int layer = 0; layer < 2; layer++) {
            String prefix = "encoder.layer." + layer + ".";
            Tensor in = EditedCheckpoint.random(random, 0.4, GROUPS, HIDDEN / GROUPS, INTERMEDIATE / GROUPS);
            Tensor out = EditedCheckpoint.random(random, 0.4, GROUPS, INTERMEDIATE / GROUPS, HIDDEN / GROUPS);
            Tensor inBias = EditedCheckpoint.random(random, 0.1, INTERMEDIATE);
            grouped.put(prefix + "intermediate.dense.weight", in).put(prefix + "intermediate.dense.bias", inBias)
                    .put(prefix + "output.dense.weight", out);
            ungrouped.put(prefix + "intermediate.dense.weight", blockDiagonal(in, HIDDEN, INTERMEDIATE))
                    .put(prefix + "intermediate.dense.bias", inBias)
                    .put(prefix + "output.dense.weight", blockDiagonal(out, INTERMEDIATE, HIDDEN));
        }
        Map<String, OnnxRuntimeRun.Output> first = ArchitectureFixtures.buildAndRun(
                grouped.write(folder.resolve("grouped")), "convbert", Variant.of(Head.BASE),
                fixture.graphInterface(11), fixture.inputsFile(), folder.resolve("grouped-onnx"));
        Map<String, OnnxRuntimeRun.Output> second = ArchitectureFixtures.buildAndRun(
                ungrouped.write(folder.resolve("ungrouped")), "convbert", Variant.of(Head.BASE),
                fixture.graphInterface(11), fixture.inputsFile(), folder.resolve("ungrouped-onnx"));
        double diff = OnnxRuntimeRun.maxAbsDiff(first.get("last_hidden_state").values(),
                second.get("last_hidden_state").values());
        assertTrue(diff <= ArchitectureFixtures.TOLERANCE, "max abs diff " + diff);
    }

    /** The {@code nn.Linear} weight {@code [out, in]} of a grouped weight {@code [groups, in/groups, out/groups]}. */
    private static Tensor blockDiagonal(Tensor grouped, int in, int out) {
        int groupIn = in / GROUPS;
        int groupOut = out / GROUPS;
        float[] weight = new float[out * in];
        for (int group = 0; group < GROUPS; group++) {
            for (int i = 0; i < groupIn; i++) {
                for (int o = 0; o < groupOut; o++) {
                    weight[(group * groupOut + o) * in + group * groupIn + i] = grouped.at(group, i, o);
                }
            }
        }
        return new Tensor(List.of((long) out, (long) in), weight);
    }
}
