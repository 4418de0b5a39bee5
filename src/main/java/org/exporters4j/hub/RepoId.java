package org.exporters4j.hub;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model repository on the Hub: {@code "name"} or {@code "namespace/name"}, validated with huggingface_hub's
 * {@code validate_repo_id} rules: ASCII letters, digits, {@code -}, {@code _} and {@code .}; each part starts and
 * ends with a letter, digit or {@code _}; the name has at most 96 characters; {@code --} and {@code ..} are
 * forbidden (the cache uses {@code --} as its separator) and so is a trailing {@code .git}.
 */
public record RepoId(String value) {
    private static final String PART = "[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?";
    private static final Pattern SHAPE = Pattern.compile("(?:" + PART + "/)?" + PART);
    private static final int MAX_NAME_LENGTH = 96;
    private static final String FIX = "a Hub repo id is \"name\" or \"namespace/name\" with letters, digits, '-', '_' "
            + "and '.' (e.g. \"bert-base-uncased\" or \"google/flan-t5-small\"); for a local folder, check that the "
            + "path exists";

    public RepoId {
        String problem = problem(value);
        if (problem != null) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT,
                    "not a valid Hugging Face repo id: '" + value + "' (" + problem + "); " + FIX);
        }
    }

    /** Parses a repo id, throwing a {@link HubException} ({@code INVALID_ARGUMENT}) that says what is wrong. */
    public static RepoId of(String value) {
        return new RepoId(value);
    }

    /** The repo id when {@code value} is one, else empty: for callers deciding between a folder and a Hub id. */
    public static Optional<RepoId> parse(String value) {
        return problem(value) == null ? Optional.of(new RepoId(value)) : Optional.empty();
    }

    /** The user or organization, if any. */
    public Optional<String> namespace() {
        int slash = value.indexOf('/');
        return slash < 0 ? Optional.empty() : Optional.of(value.substring(0, slash));
    }

    /** The repository name without its namespace. */
    public String name() {
        return value.substring(value.indexOf('/') + 1);
    }

    /** The folder of this repository in the cache, as huggingface_hub's {@code repo_folder_name}: models--org--name. */
    public String cacheFolderName() {
        return "models--" + value.replace("/", "--");
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "it is empty";
        }
        if (value.chars().filter(c -> c == '/').count() > 1) {
            return "it has more than one '/'";
        }
        if (!SHAPE.matcher(value).matches()) {
            return "it may use only ASCII letters, digits, '-', '_' and '.', and a part cannot start or end with "
                    + "'-' or '.'";
        }
        if (value.substring(value.indexOf('/') + 1).length() > MAX_NAME_LENGTH) {
            return "the name is longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (value.contains("--") || value.contains("..")) {
            return "it contains '--' or '..'";
        }
        if (value.endsWith(".git")) {
            return "it ends with '.git'";
        }
        return null;
    }
}
