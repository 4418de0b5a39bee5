package org.exporters4j.models.bigbird;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.UnsupportedConfigException;
import org.junit.jupiter.api.Test;

class BigBirdOptionsTest {
    private static final Fixture FIXTURE = Fixture.read(SharedFiles.fixtures().resolve("big-bird--default"));

    @Test
    void blockSparseAttentionIsRefusedNamingTheSettingThatExports() {
        ArchitectureException error = ArchitectureFixtures.refusal(FIXTURE, Map.of("attention_type", "block_sparse"));
        assertInstanceOf(UnsupportedConfigException.class, error);
        assertTrue(error.getMessage().contains("attention_type \"block_sparse\"")
                && error.getMessage().contains("\"attention_type\": \"original_full\""), error.getMessage());
    }

    @Test
    void headsThatDoNotDivideTheHiddenSizeAreRefused() {
        ArchitectureException error = ArchitectureFixtures.refusal(FIXTURE, Map.of("num_attention_heads", 5));
        assertInstanceOf(UnsupportedConfigException.class, error);
        assertTrue(error.getMessage().contains("num_attention_heads 5"), error.getMessage());
    }
}
