package org.exporters4j.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * A path inside a repository ({@code config.json}, {@code unet/config.json}), '/'-separated. It comes from users,
 * from the Hub's file list and from index files, so it is checked to stay inside the snapshot folder: relative,
 * no empty, {@code .} or {@code ..} segment, no backslash or control character.
 */
record RepoFilePath(String value) {
    RepoFilePath {
        String problem = problem(value);
        if (problem != null) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "not a valid file path in a repository: '"
                    + value + "' (" + problem + "); use a path relative to the repository root such as "
                    + "config.json or subfolder/config.json");
        }
    }

    /** Joins an optional subfolder ("" for none) and a file name. */
    static RepoFilePath of(String subfolder, String file) {
        return new RepoFilePath(subfolder.isEmpty() ? file : subfolder + "/" + file);
    }

    List<String> segments() {
        return List.of(value.split("/"));
    }

    /** The file's local path under {@code folder}, resolved a checked segment at a time so it stays inside. */
    Path resolveIn(Path folder) {
        Path path = folder;
        for (String segment : segments()) {
            path = path.resolve(segment);
        }
        return path;
    }

    /** Why {@code value} is not a safe relative path, or null when it is. */
    static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "it is empty";
        }
        if (value.startsWith("/")) {
            return "it starts with '/'";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                return "it contains a control character or a backslash";
            }
        }
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "it has an empty, '.' or '..' segment";
            }
        }
        return null;
    }
}
