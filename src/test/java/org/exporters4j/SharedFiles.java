package org.exporters4j;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests find {@code ../shared} (fixtures and reference registries). The folder is required: a test that
 * cannot find it fails with a message that says where it looked, it never skips.
 */
public final class SharedFiles {
    private SharedFiles() {}

    /** The shared folder: system property {@code exporters4j.shared} (set by Surefire), else {@code ../shared}. */
    public static Path root() {
        String configured = System.getProperty("exporters4j.shared");
        Path root = (configured != null ? Path.of(configured) : Path.of("..", "shared")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new AssertionError("the shared folder is missing: looked for " + root
                    + " (tests need ../shared beside the project root, with fixtures/ and reference/)");
        }
        return root;
    }

    /** A file or folder under shared/, which must exist. */
    public static Path require(String relative) {
        Path path = root().resolve(relative);
        if (!Files.exists(path)) {
            throw new AssertionError("required shared file is missing: " + path);
        }
        return path;
    }

    public static Path fixtures() {
        return require("fixtures");
    }

    /** ../shared/fixtures-options: fixtures of config options the dev sizes leave at their defaults (same format). */
    public static Path fixturesOptions() {
        return require("fixtures-options");
    }

    public static Path reference(String fileName) {
        return require("reference/" + fileName);
    }
}
