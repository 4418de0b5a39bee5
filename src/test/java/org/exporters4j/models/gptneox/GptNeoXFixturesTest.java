package org.exporters4j.models.gptneox;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.models.Head;
import org.exporters4j.models.TodayDecoderFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every gpt-neox fixture of fixtures-today (rotary_pct 0.25, parallel residual) matches PyTorch; prefixes replay. */
class GptNeoXFixturesTest {
    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return TodayDecoderFixtures.everyFixtureMatchesPyTorch(List.of("gpt-neox"),
                fixture -> new GptNeoXArchitecture("gpt-neox", EnumSet.of(Head.BASE, Head.CAUSAL_LM,
                        Head.SEQUENCE_CLASSIFICATION, Head.TOKEN_CLASSIFICATION, Head.QUESTION_ANSWERING)), folder);
    }
}
