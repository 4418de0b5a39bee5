package org.exporters4j.models.gptbigcode;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.Head;
import org.exporters4j.models.TodayDecoderFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every gpt-bigcode fixture of fixtures-today matches PyTorch within 1e-5; each with-past prefix replays from an empty past. */
class GptBigCodeFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return TodayDecoderFixtures.everyFixtureMatchesPyTorch(List.of("gpt-bigcode"),
                fixture -> new GptBigCodeArchitecture("gpt-bigcode", EnumSet.of(Head.BASE, Head.CAUSAL_LM,
                        Head.SEQUENCE_CLASSIFICATION, Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING)), folder);
    }
}
