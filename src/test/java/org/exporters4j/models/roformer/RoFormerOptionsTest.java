package org.exporters4j.models.roformer;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.UnsupportedConfigException;
import org.junit.jupiter.api.Test;

class RoFormerOptionsTest {
    private static final Fixture FIXTURE = Fixture.read(SharedFiles.fixtures().resolve("roformer--default"));

    @Test
    void anOddHeadSizeIsRefused() {
        // 24 / 8 = 3 channels per head: no channel pairs to rotate
        ArchitectureException error = ArchitectureFixtures.refusal(FIXTURE, Map.of("num_attention_heads", 8));
        assertInstanceOf(UnsupportedConfigException.class, error);
        assertTrue(error.getMessage().contains("= 3 is odd"), error.getMessage());
    }

    @Test
    void aSummaryTypeSequenceSummaryLacksIsRefused() {
        Fixture choices = Fixture.read(SharedFiles.fixtures().resolve("roformer--multiple-choice"));
        ArchitectureException error = ArchitectureFixtures.refusal(choices, Map.of("summary_type", "attn"));
        assertInstanceOf(UnsupportedConfigException.class, error);
        assertTrue(error.getMessage().contains("summary_type \"attn\"")
                && error.getMessage().contains("last, first, mean, cls_index"), error.getMessage());
    }

    @Test
    void aTableOfTheWrongHeadSizeIsNamed() {
        // the checkpoint's embed_positions table is [32, 6]: a config of 2 heads (head size 12) does not fit it
        ArchitectureException error = ArchitectureFixtures.refusal(FIXTURE, Map.of("num_attention_heads", 2));
        assertTrue(error.getMessage().contains("embed_positions.weight"), error.getMessage());
    }
}
