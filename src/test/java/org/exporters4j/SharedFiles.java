package org.exporters4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the tests find the reference data: first the copy vendored in the repository ({@code src/test/data}, laid out
 * as {@code ../shared}: {@code fixtures/}, {@code fixtures-options/}, {@code fixtures-today/}, {@code reference/}), so that a fresh clone tests
 * itself; then {@code ../shared} beside the project root, where present, for what only it holds (the
 * {@code pytorch_model.bin} of every fixture: the repository keeps one per model type). A file found in neither place
 * fails the test with a message that says where it looked; it never skips.
 */
public final class SharedFiles {
    private SharedFiles() {}

    /** The vendored copy: system property {@code exporters4j.testData} (set by Surefire), else {@code src/test/data}. */
    public static Path vendored() {
        String configured = System.getProperty("exporters4j.testData");
        Path root = (configured != null ? Path.of(configured) : Path.of("src", "test", "data")).toAbsolutePath()
                .normalize();
        if (!Files.isDirectory(root.resolve("fixtures"))) {
            throw new AssertionError("the vendored test data is missing: looked for " + root.resolve("fixtures")
                    + " (src/test/data/copy-from-shared.sh makes it from ../shared)");
        }
        return root;
    }

    /** {@code ../shared} (system property {@code exporters4j.shared}), when it is there. */
    public static Optional<Path> shared() {
        String configured = System.getProperty("exporters4j.shared");
        Path root = (configured != null ? Path.of(configured) : Path.of("..", "shared")).toAbsolutePath().normalize();
        return Files.isDirectory(root) ? Optional.of(root) : Optional.empty();
    }

    /** A file or folder given relative to the data root: the vendored one, else ../shared's; one of them must exist. */
    public static Path require(String relative) {
        return find(relative).orElseThrow(() -> new AssertionError("required test data is missing: "
                + vendored().resolve(relative) + (shared().isPresent()
                        ? " (nor in " + shared().get().resolve(relative) + ")" : " (and there is no ../shared)")));
    }

    /** A file or folder relative to the data root, vendored first, then in ../shared; empty where neither has it. */
    public static Optional<Path> find(String relative) {
        Path vendored = vendored().resolve(relative);
        if (Files.exists(vendored)) {
            return Optional.of(vendored);
        }
        return shared().map(root -> root.resolve(relative)).filter(Files::exists);
    }

    /** The vendored fixtures folder (every fixture of ../shared/fixtures; see {@link #locate} for pytorch_model.bin). */
    public static Path fixtures() {
        return require("fixtures");
    }

    /** The fixtures-options set: fixtures of config options the dev sizes leave at their defaults (same format). */
    public static Path fixturesOptions() {
        return require("fixtures-options");
    }

    /** The fixtures-today set: today's model types with Optimum 1.25.3's interface (vendored whole). */
    public static Path fixturesToday() {
        return require("fixtures-today");
    }

    /**
     * {@code vendoredPath} (a file or folder under the vendored data) where it exists, else the same path under
     * ../shared; empty where neither has it. A fixture's {@code checkpoint/pytorch_model.bin} is vendored for one
     * fixture per model type only.
     */
    public static Optional<Path> locate(Path vendoredPath) {
        return find(vendored().relativize(vendoredPath.toAbsolutePath().normalize()).toString());
    }

    public static Path reference(String fileName) {
        return require("reference/" + fileName);
    }
}
