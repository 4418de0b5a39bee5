package org.exporters4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package arrows one way, as design.md draws them:
 * {@code cli → export → tasks → models → {checkpoint, hub, onnx}}. A package may reference only packages of a
 * strictly lower rank (the three leaves do not reference each other); third-party APIs stay where they belong.
 * Below the top level, the packages at every depth ({@code models}, {@code models.blocks}, {@code models.bert},
 * {@code checkpoint.torch}, ...) reference each other without a cycle.
 */
class LayeringTest {
    private static final Path MAIN = Path.of("src/main/java/org/exporters4j");

    /**
     * Rank of each top-level package; the root package (rank 0) holds only what every package shares (the base
     * exception, WeightsFormat, EnumIndex).
     */
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

    /**
     * A reference to a type or a whole package: the lower-case segments after {@code org.exporters4j} name the
     * package, the first capitalised segment (or the {@code *} of an import on demand) ends it.
     */
    private static final Pattern PACKAGE_REFERENCE =
            Pattern.compile("\\borg\\.exporters4j((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z]\\w*|\\*)");

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

    /**
     * The references between packages at every depth form no cycle: a family never references a package that
     * references it back ({@code models.bert -> models.blocks -> models.bert}), and neither do a package and its
     * sub-packages ({@code checkpoint.torch -> checkpoint -> checkpoint.torch}). Shared types move down to the package
     * both sides may use.
     */
    @Test
    void packagesAtEveryDepthFormNoCycle() throws IOException {
        SortedMap<String, SortedMap<String, SortedSet<String>>> graph = packageGraph();
        List<String> cycles = new ArrayList<>();
        graph.forEach((from, targets) -> targets.forEach((to, files) -> {
            if (reaches(graph, to, from)) {
                cycles.add(from + " -> " + to + " (" + String.join(", ", files) + ") and " + to + " reaches " + from
                        + " back");
            }
        }));
        assertEquals(List.of(), cycles, "package references that lie on a cycle; move the type both sides need to"
                + " a package below both, or the reference to the package above");
    }

    @Test
    void theCycleCheckSeesReferencesAtEveryDepth() throws IOException {
        SortedMap<String, SortedMap<String, SortedSet<String>>> graph = packageGraph();
        List<String> toParent = new ArrayList<>();
        List<String> toSibling = new ArrayList<>();
        graph.forEach((from, targets) -> targets.keySet().forEach(to -> {
            if (from.startsWith(to + ".")) {
                toParent.add(from + " -> " + to);
            } else if (from.contains(".") && to.contains(".")
                    && from.substring(0, from.lastIndexOf('.')).equals(to.substring(0, to.lastIndexOf('.')))) {
                toSibling.add(from + " -> " + to);
            }
        }));
        assertFalse(toParent.isEmpty(), "no sub-package references its parent (models.bert -> models): " + graph);
        assertFalse(toSibling.isEmpty(), "no sub-package references a sibling (models.bert -> models.blocks): "
                + graph);
        assertTrue(reaches(graph, "cli", "onnx"), "cli reaches onnx through export");
        assertFalse(reaches(graph, "onnx", "cli"), "onnx reaches cli");
        Map<String, Map<String, String>> loop = Map.of("a", Map.of("a.b", "x"), "a.b", Map.of("c", "y"),
                "c", Map.of("a", "z"));
        assertTrue(reaches(loop, "a.b", "a") && reaches(loop, "a", "a.b"), "a cycle through three packages");
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

    /**
     * For each package (dotted, below {@code org.exporters4j}; "" for the root), the other packages its sources
     * reference and, for each, the files that do.
     */
    private static SortedMap<String, SortedMap<String, SortedSet<String>>> packageGraph() throws IOException {
        SortedMap<String, SortedMap<String, SortedSet<String>>> graph = new TreeMap<>();
        for (Path file : sources()) {
            String relative = MAIN.relativize(file).toString().replace('\\', '/');
            Path folder = MAIN.relativize(file).getParent();
            String owner = folder == null ? "" : folder.toString().replace(file.getFileSystem().getSeparator(), ".");
            Matcher m = PACKAGE_REFERENCE.matcher(withoutComments(Files.readString(file)));
            while (m.find()) {
                String target = m.group(1).isEmpty() ? "" : m.group(1).substring(1);
                if (!target.equals(owner)) {
                    graph.computeIfAbsent(owner, k -> new TreeMap<>())
                            .computeIfAbsent(target, k -> new TreeSet<>())
                            .add(relative);
                }
            }
        }
        return graph;
    }

    /** Whether a path of references leads from package {@code from} to package {@code to}. */
    private static boolean reaches(Map<String, ? extends Map<String, ?>> graph, String from, String to) {
        Set<String> seen = new TreeSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(from));
        while (!pending.isEmpty()) {
            String next = pending.pop();
            if (next.equals(to)) {
                return true;
            }
            if (seen.add(next)) {
                Map<String, ?> targets = graph.get(next);
                if (targets != null) {
                    pending.addAll(targets.keySet());
                }
            }
        }
        return false;
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
