package org.exporters4j.models.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.junit.jupiter.api.Test;

/** Per-stage lists read against the stage count, as LeViT's and SegFormer's encoders index them. */
class StagesTest {
    private static final ModelConfig CONFIG = ModelConfig.parse("{\"model_type\": \"levit\", \"depths\": [1, 2, 3], "
            + "\"hidden_sizes\": [16, 32, 48, 64], \"strides\": [4, 2]}", "x/config.json");

    @Test
    void readsOneEntryPerStageAndIgnoresTheRest() {
        Stages stages = new Stages(3, "depths", "LevitEncoder");
        assertEquals(List.of(16, 32, 48), stages.intList(CONFIG, "hidden_sizes"));
        assertEquals(List.of(1, 2, 3), stages.intList(CONFIG, "depths"));
    }

    @Test
    void aShortListIsRefusedNamingItTheCountAndItsKey() {
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                () -> new Stages(3, "num_encoder_blocks", "SegformerEncoder").intList(CONFIG, "strides"));
        assertEquals("x/config.json sets strides [4, 2] for 3 stages (num_encoder_blocks); SegformerEncoder needs "
                + "one entry per stage", error.getMessage());
    }
}
