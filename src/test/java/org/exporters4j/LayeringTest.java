package org.exporters4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package arrows one way, as design.md draws them:
 * {@code cli → export → tasks → models → {checkpoint, hub, onnx}}. A package may reference only packages of a
 * strictly lower rank (the three leaves do not reference each other); third-party APIs stay where they belong.
 */
class LayeringTest {
    private static final Path MAIN = Path.of("src/main/java/org/exporters4j");

    /** Rank of each top-level package; the root package (rank 0) holds only the base exception. */
    private static final Map<String, Integer> RANK = Map.of(
            "checkpoint", 1, "hub", 1, "onnx", 1,
            "models", 2,
            "tasks", 3,
            "export", 4,
            "cli", 5);

    /** Third-party packages and the only top-level package allowed to use them. */
    private static final Map<String, String> CONFINED_LIBRARY = Map.of(
            "ai.onnxruntime", "export",
            "picocli", "cli",
            "com.google.protobuf", "onnx");

    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.exporters4j\\.(\\w+)");

    @Test
    void everyPackageIsRanked() throws IOException {
        try (Stream<Path> children = Files.list(MAIN)) {
            List<String> unranked = children.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> !RANK.containsKey(name))
                    .toList();
            assertEquals(List.of(), unranked, "give new top-level packages a rank in LayeringTest");
        }
    }

    @Test
    void packagesDependOneWay() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : sources()) {
            String owner = topPackage(file);
            String text = withoutComments(Files.readString(file));
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (!RANK.containsKey(target) || target.equals(owner)) {
                    continue; // the root package (Exporters4jException) or itself
                }
                if (owner == null || RANK.get(target) >= RANK.get(owner)) {
                    violations.add(MAIN.relativize(file) + " references org.exporters4j." + target);
                }
            }
            for (Map.Entry<String, String> confined : CONFINED_LIBRARY.entrySet()) {
                boolean uses = Pattern.compile("\\bimport\\s+(static\\s+)?" + Pattern.quote(confined.getKey()) + "\\.")
                        .matcher(text).find();
                if (uses && !confined.getValue().equals(owner)) {
                    violations.add(MAIN.relativize(file) + " uses " + confined.getKey()
                            + ", which belongs to package " + confined.getValue() + " only");
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void generatedProtobufTypesStayInsideOnnx() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : sources()) {
            String owner = topPackage(file);
            if (!"onnx".equals(owner) && withoutComments(Files.readString(file)).contains("org.exporters4j.onnx.proto")) {
                violations.add(MAIN.relativize(file).toString());
            }
        }
        assertEquals(List.of(), violations, "only package onnx may see the generated ONNX protobuf classes");
    }

    @Test
    void theRankTableIsNotEmptyAndSourcesExist() throws IOException {
        assertTrue(sources().size() > 1, "no sources found under " + MAIN.toAbsolutePath());
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The top-level package of a source file, or null for the root package. */
    private static String topPackage(Path file) {
        Path relative = MAIN.relativize(file);
        return relative.getNameCount() > 1 ? relative.getName(0).toString() : null;
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }
}
