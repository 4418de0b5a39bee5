package org.exporters4j.models.xlm;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.UnsupportedConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XlmOptionsTest {
    @TempDir
    Path folder;

    @Test
    void adaptiveSoftmaxIsRefused() {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("xlm--masked-lm"));
        ArchitectureException error = ArchitectureFixtures.refusal(fixture, Map.of("asm", true));
        assertInstanceOf(UnsupportedConfigException.class, error);
        assertTrue(error.getMessage().contains("asm true"), error.getMessage());
    }

    @Test
    void aDecoderConfigIsRefusedAsTransformersRefusesIt() {
        Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("flaubert--default"));
        ArchitectureException error = ArchitectureFixtures.refusal(fixture, Map.of("is_encoder", false));
        assertInstanceOf(UnsupportedConfigException.class, error);
        assertTrue(error.getMessage().contains("flaubert can only be used as an encoder"), error.getMessage());
    }

    /**
     * Without an attention_mask input, XLM masks the positions after the count of non-pad tokens; the fixtures'
     * rows are right-padded with pad_index, so that mask is the fixture's attention_mask and PyTorch's outputs hold.
     */
    @Test
    void withoutAnAttentionMaskTheMaskComesFromThePadIndex() throws Exception {
        for (String name : List.of("xlm--token-classification", "flaubert--sequence-classification")) {
            Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve(name));
            ArchitectureFixtures.assertMatchesPyTorch(fixture, folder.resolve(name), asked -> new GraphInterface(
                    asked.inputs().stream().filter(input -> !input.name().equals("attention_mask")).toList(),
                    asked.outputs(), asked.opset()));
        }
    }
}
