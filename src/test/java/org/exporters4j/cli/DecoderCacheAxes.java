package org.exporters4j.cli;

import java.util.Map;
import java.util.TreeMap;
import org.exporters4j.models.Fixture;

/**
 * The dynamic axes an exported decoder declares where they differ from Optimum v1.5.2's manifest, on purpose: the
 * past's sequence axis is {@code past_sequence_length} (v1.5.2 names it like the longer present,
 * {@code past_sequence_length + sequence_length}, and ONNX Runtime reads equal names as equal sizes); BLOOM's fused
 * cache axis 0 is {@code batch_size x num_heads} (it is batch × heads) and its value's sequence name sits on axis 1,
 * where the sequence is (v1.5.2 puts it on the head width). llama's manifests come from Optimum 1.10.1 and are kept
 * as they are.
 */
final class DecoderCacheAxes {
    private DecoderCacheAxes() {}

    static Map<Integer, String> expected(Fixture fixture, String side, String name) {
        Map<Integer, String> axes = new TreeMap<>(fixture.dynamicAxes(side, name));
        boolean cache = name.startsWith("past_key_values.") || name.startsWith("present.");
        if (!cache || fixture.modelType().equals("llama")) {
            return axes;
        }
        if (name.startsWith("past_key_values.")) {
            axes.replaceAll((index, axis) -> axis.equals("past_sequence_length + sequence_length")
                    ? "past_sequence_length" : axis);
        }
        if (fixture.modelType().equals("bloom")) {
            axes.put(0, "batch_size x num_heads");
            if (name.endsWith(".value") && axes.containsKey(2)) {
                axes.put(1, axes.remove(2));
            }
        }
        return axes;
    }
}
