package org.exporters4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps every main source file short enough to read as one piece: at most {@value #MAX_LINES} lines. A file that
 * grows past it holds more than one concern; split it along them (as onnx's operator families are split).
 */
class SourceSizeTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final int MAX_LINES = 800;

    @Test
    void noMainSourceFileIsLongerThanTheLimit() throws IOException {
        List<String> tooLong = new ArrayList<>();
        for (Path file : sources()) {
            String relative = MAIN.relativize(file).toString().replace('\\', '/');
            long lines = lineCount(file);
            if (lines > MAX_LINES) {
                tooLong.add(relative + " has " + lines + " lines");
            }
        }
        assertEquals(List.of(), tooLong, "main source files over " + MAX_LINES + " lines; split each along the"
                + " concerns it holds");
    }

    @Test
    void theLimitIsMeasuredOnTheRealSources() throws IOException {
        List<Path> sources = sources();
        assertTrue(sources.size() > 100, "expected the whole main tree, found " + sources.size() + " files under "
                + MAIN.toAbsolutePath());
        long longest = 0;
        for (Path file : sources) {
            longest = Math.max(longest, lineCount(file));
        }
        assertTrue(longest > 100, "the longest main source file has " + longest + " lines; lines are not counted");
    }

    private static long lineCount(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        }
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
