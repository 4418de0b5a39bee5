package org.exporters4j.models.groupvit;

import java.util.Map;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.ArchitectureRefusals;
import org.exporters4j.models.Head;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.junit.jupiter.api.Test;

/** GroupViT refuses what it does not build, naming the option and the fix. */
class GroupVitRefusalsTest {
    @Test
    void segmentationOutputIsRefused() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "groupvit", "default", Variant.of(Head.BASE),
                Map.of("output_segmentation", true), "output_segmentation", "false");
    }

    @Test
    void stageListsOfDifferentLengthsAreRefused() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "groupvit", "default", Variant.of(Head.BASE),
                Map.of("vision_config", Map.of("depths", java.util.List.of(1, 1), "num_group_tokens",
                        java.util.List.of(4), "num_output_groups", java.util.List.of(4, 2), "hidden_size", 24,
                        "num_attention_heads", 4, "intermediate_size", 29, "image_size", 32, "patch_size", 8)),
                "depths", "num_group_tokens", "num_output_groups");
    }

    @Test
    void onlyTheContrastiveModelIsBuilt() {
        ArchitectureRefusals.refuse(ArchitectureException.class, "groupvit", "default",
                Variant.of(Head.SEQUENCE_CLASSIFICATION), Map.of(), "groupvit", "default");
    }
}
