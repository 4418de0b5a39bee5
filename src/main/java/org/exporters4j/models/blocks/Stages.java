package org.exporters4j.models.blocks;

import java.util.List;
import java.util.Objects;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;

/**
 * The stage count of a hierarchical vision encoder (LeViT, SegFormer) and the config key that sets it. Per-stage
 * lists are read against it as Transformers' encoders index them, one entry per stage: entries past the last stage
 * are not read, too few is an error naming the list, the count and its key.
 *
 * @param count the number of stages, at least 1 for a list to be read
 * @param countKey the config key that sets the count, e.g. {@code depths} or {@code num_encoder_blocks}
 * @param encoder the Transformers module that reads the lists, e.g. {@code LevitEncoder}
 */
public record Stages(int count, String countKey, String encoder) {
    public Stages {
        Objects.requireNonNull(countKey, "countKey");
        Objects.requireNonNull(encoder, "encoder");
    }

    /** The first {@link #count} integers of the list {@code key}. */
    public List<Integer> intList(ModelConfig config, String key) {
        List<Integer> values = config.intList(key);
        if (count < 1 || values.size() < count) {
            throw new UnsupportedConfigException(config.source() + " sets " + key + " " + values + " for "
                    + count + " stages (" + countKey + "); " + encoder + " needs one entry per stage");
        }
        return values.subList(0, count);
    }
}
