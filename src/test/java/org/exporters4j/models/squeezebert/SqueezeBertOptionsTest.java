package org.exporters4j.models.squeezebert;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.UnsupportedConfigException;
import org.junit.jupiter.api.Test;

class SqueezeBertOptionsTest {
    private static final Fixture FIXTURE = Fixture.read(SharedFiles.fixtures().resolve("squeezebert--default"));

    @Test
    void anEmbeddingSizeOtherThanTheHiddenSizeIsRefused() {
        ArchitectureException error = ArchitectureFixtures.refusal(FIXTURE, Map.of("embedding_size", 12));
        assertInstanceOf(UnsupportedConfigException.class, error);
        assertTrue(error.getMessage().contains("embedding_size 12"), error.getMessage());
    }

    @Test
    void aGroupCountThatDoesNotDivideTheChannelsIsRefused() {
        ArchitectureException error = ArchitectureFixtures.refusal(FIXTURE, Map.of("q_groups", 5));
        assertInstanceOf(UnsupportedConfigException.class, error);
        assertTrue(error.getMessage().contains("q_groups 5"), error.getMessage());
    }

    @Test
    void groupsThatDisagreeWithTheWeightsAreNamed() {
        // the checkpoint's query weight is [24, 6, 1] (4 groups); 2 groups need [24, 12, 1]
        ArchitectureException error = ArchitectureFixtures.refusal(FIXTURE, Map.of("q_groups", 2));
        assertTrue(error.getMessage().contains("attention.query.weight") && error.getMessage().contains("[24, 12, 1]"),
                error.getMessage());
    }
}
